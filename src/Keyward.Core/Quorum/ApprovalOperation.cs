using System.Collections.ObjectModel;

namespace Keyward.Core.Quorum;

/// <summary>
/// One operation to approve: its kind, its target (what it acts on: a policy id, a scope, a secret path) and its
/// parameters, which approvals bind through their digest. Immutable; made by <see cref="Create"/>, which validates.
/// </summary>
public sealed record ApprovalOperation
{
    /// <summary>Longest target, in characters.</summary>
    public const int MaxTargetLength = 400;

    private ApprovalOperation(OperationKind kind, string target, SortedDictionary<string, string> parameters)
    {
        Kind = kind;
        Target = target;
        Parameters = new ReadOnlyDictionary<string, string>(parameters);
        EncodedParameters = OperationCanonical.EncodeParameters(parameters);
        ParametersDigest = OperationCanonical.ParametersDigest(EncodedParameters);
        Canonical = OperationCanonical.EncodeOperation(kind, target, ParametersDigest);
    }

    /// <summary>The kind.</summary>
    public OperationKind Kind { get; }

    /// <summary>What the operation acts on.</summary>
    public string Target { get; }

    /// <summary>The parameters, in ordinal key order.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>The canonical parameters (what is stored with a request).</summary>
    public byte[] EncodedParameters { get; }

    /// <summary>SHA-256 of <see cref="EncodedParameters"/>.</summary>
    public byte[] ParametersDigest { get; }

    /// <summary>The canonical encoding of (kind, target, parameters digest).</summary>
    public byte[] Canonical { get; }

    /// <summary>An operation, or the failure <c>operation_invalid</c> saying what is wrong.</summary>
    public static QuorumResult<ApprovalOperation> Create(OperationKind kind, string target, IReadOnlyDictionary<string, string>? parameters = null)
    {
        if (!Enum.IsDefined(kind))
        {
            return QuorumResult<ApprovalOperation>.Fail(QuorumError.OperationInvalid, "unknown operation kind");
        }

        if (string.IsNullOrWhiteSpace(target) || target.Length > MaxTargetLength || target.Any(char.IsControl))
        {
            return QuorumResult<ApprovalOperation>.Fail(QuorumError.OperationInvalid, $"the target must be 1 to {MaxTargetLength} printable characters");
        }

        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in parameters ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrEmpty(key) || key.Any(char.IsControl) || value is null)
            {
                return QuorumResult<ApprovalOperation>.Fail(QuorumError.OperationInvalid, "a parameter needs a printable name and a value");
            }

            sorted[key] = value;
        }

        return QuorumResult<ApprovalOperation>.Ok(new ApprovalOperation(kind, target, sorted));
    }

    /// <summary>The operation a stored request carries; null when the stored bytes are not canonical (a corrupted row).</summary>
    internal static ApprovalOperation? FromStored(OperationKind kind, string target, byte[] encodedParameters)
    {
        if (OperationCanonical.DecodeParameters(encodedParameters) is not { } parameters || !Enum.IsDefined(kind))
        {
            return null;
        }

        return new ApprovalOperation(kind, target, parameters);
    }
}
