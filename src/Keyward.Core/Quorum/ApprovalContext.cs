using Keyward.Core.Storage;

namespace Keyward.Core.Quorum;

/// <summary>What an <see cref="IApprovalApplier"/> works with: the open context (and its transaction), the operation, its operator and the time.</summary>
public sealed record ApprovalContext
{
    /// <summary>The database context of the proposal or of the completing transaction.</summary>
    public required KeywardDbContext Database { get; init; }

    /// <summary>The operation.</summary>
    public required ApprovalOperation Operation { get; init; }

    /// <summary>The account on whose authority it is made.</summary>
    public required Guid OperatorAccountId { get; init; }

    /// <summary>The request, once there is one (null at proposal).</summary>
    public Guid? RequestId { get; init; }

    /// <summary>Now, in Unix milliseconds.</summary>
    public required long Now { get; init; }
}
