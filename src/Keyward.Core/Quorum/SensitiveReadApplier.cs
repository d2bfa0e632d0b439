using Keyward.Core.Vault;

namespace Keyward.Core.Quorum;

/// <summary>
/// Applies <c>read_sensitive_secret</c>: the operation must name a valid path, an actor id and a data class marked
/// sensitive. Applying writes nothing more: the applied request is the one-time grant that
/// <see cref="SensitiveReadGrants"/> finds and spends.
/// </summary>
public sealed class SensitiveReadApplier : IApprovalApplier
{
    /// <inheritdoc/>
    public OperationKind Kind => OperationKind.ReadSensitiveSecret;

    /// <inheritdoc/>
    public Task<QuorumFailure?> CheckAsync(ApprovalContext context, CancellationToken cancellationToken) => Task.FromResult(Check(context));

    /// <inheritdoc/>
    public Task<QuorumFailure?> ApplyAsync(ApprovalContext context, CancellationToken cancellationToken) => Task.FromResult(Check(context));

    private static QuorumFailure? Check(ApprovalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var operation = context.Operation;
        if (!VaultPath.IsValid(operation.Target))
        {
            return new QuorumFailure(QuorumError.OperationInvalid, "the target must be a vault path");
        }

        if (operation.Parameters.Count != 2 || !operation.Parameters.TryGetValue("actor", out var actor) || !Guid.TryParse(actor, out var id) || id.ToString() != actor)
        {
            return new QuorumFailure(QuorumError.OperationInvalid, "the parameters must be actor (an actor id, lower-case hyphenated) and data_class");
        }

        return operation.Parameters.TryGetValue("data_class", out var name) && VaultDataClass.Find(name) is { Sensitive: true }
            ? null
            : new QuorumFailure(QuorumError.OperationInvalid, "the parameter data_class must name a data class marked sensitive");
    }
}
