using Keyward.Authenticator;
using Keyward.Core.Quorum;
using Keyward.Core.Storage;
using Keyward.WebAuthn;

namespace Keyward.Core.Tests.Quorum;

/// <summary>An account and its registered virtual keys.</summary>
internal sealed class Approver(QuorumStore store, AccountEntity account)
{
    private readonly List<(VirtualAuthenticator Key, AuthenticatorEntity Row)> _keys = [];

    public Guid Id => account.Id;
    public AccountEntity Account => account;
    public VirtualAuthenticator Key => _keys[0].Key;
    public AuthenticatorEntity KeyRow => _keys[0].Row;

    public async Task<AuthenticatorEntity> AddKeyAsync(VirtualAuthenticatorOptions? options = null)
    {
        var key = QuorumStore.NewKey(options);
        var row = await store.RegisterAsync(account, key);
        _keys.Add((key, row));
        return row;
    }

    /// <summary>An approval of <paramref name="request"/> with key number <paramref name="key"/>.</summary>
    public AuthenticationCredential Approve(ApprovalRequest request, int key = 0) => Sign(request.Challenge, key);

    public AuthenticationCredential Sign(byte[] challenge, int key = 0, string userVerification = "required") =>
        QuorumStore.Sign(_keys[key].Key, _keys[key].Row.CredentialId, challenge, userVerification: userVerification);
}
