namespace Keyward.Core.Quorum;

/// <summary>Applies <c>add_admin_key</c> (see <see cref="AdminKeyApplier"/>).</summary>
public sealed class AddAdminKeyApplier : AdminKeyApplier
{
    /// <inheritdoc/>
    public override OperationKind Kind => OperationKind.AddAdminKey;
}
