namespace Keyward.Core.Quorum;

/// <summary>Applies <c>remove_admin_key</c> (see <see cref="AdminKeyApplier"/>).</summary>
public sealed class RemoveAdminKeyApplier : AdminKeyApplier
{
    /// <inheritdoc/>
    public override OperationKind Kind => OperationKind.RemoveAdminKey;
}
