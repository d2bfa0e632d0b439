using System.Security.Cryptography;
using System.Text.Json;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Sessions;
using Keyward.WebAuthn;

namespace Keyward.Server.Registration;

/// <summary>
/// Key registration as named steps. Begin: one of <see cref="ForSetupCodeAsync"/>, <see cref="ForInviteAsync"/>,
/// <see cref="ForSessionAsync"/> decides whose key it is → <see cref="IssueOptionsAsync"/>. Finish:
/// <see cref="ConsumeCeremonyAsync"/> → <see cref="VerifyAttestation"/> → <see cref="CheckOwnerAsync"/> →
/// <see cref="CheckKeyIsNewAsync"/> → <see cref="SpendGrantAsync"/> → <see cref="NewEntities"/> →
/// <see cref="RecordAndRegisterAsync"/>. The setup code or invite is checked at begin and spent (atomically) at
/// finish, so a failed ceremony does not burn it and two racing finishes cannot both use it.
/// </summary>
internal sealed class RegistrationService(
    AccountService accounts, CeremonyJournal ceremonies, RelyingParty rp, IAuditLog audit, TimeProvider time)
{
    private const string Failed = AuditActions.KeyRegistrationFailed;
    private const int MaxName = 200;

    /// <summary>Starts a registration for whoever the request's setup code, invite or session names.</summary>
    public async Task<Outcome<CeremonyOptionsResponse>> BeginAsync(RegisterBeginRequest request, RequestSession session, CancellationToken cancellationToken)
    {
        var owner = request.SetupCode is not null ? await ForSetupCodeAsync(request, cancellationToken).ConfigureAwait(false)
            : request.Invite is not null ? await ForInviteAsync(request, cancellationToken).ConfigureAwait(false)
            : await ForSessionAsync(request, session, cancellationToken).ConfigureAwait(false);
        return owner.Refused ? owner.Refusal : await IssueOptionsAsync(owner.Value.State, owner.Value.Exclude, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finishes a registration: verifies the new key and registers it (recorded before it exists).</summary>
    public async Task<Outcome<RegistrationResponse>> FinishAsync(CeremonyFinishRequest request, RequestSession session, Caller caller, CancellationToken cancellationToken)
    {
        var ceremony = await ConsumeCeremonyAsync(request.CeremonyId, cancellationToken).ConfigureAwait(false);
        if (ceremony.Refused)
        {
            return ceremony.Refusal;
        }

        var (state, challenge) = ceremony.Value;
        var verified = VerifyAttestation(request.Credential, challenge, state);
        if (verified.Refused)
        {
            return verified.Refusal;
        }

        if (await CheckOwnerAsync(state, session, cancellationToken).ConfigureAwait(false) is { } notOwner)
        {
            return notOwner;
        }

        if (await CheckKeyIsNewAsync(verified.Value, state, cancellationToken).ConfigureAwait(false) is { } notNew)
        {
            return notNew;
        }

        if (await SpendGrantAsync(state, request.SetupCode, cancellationToken).ConfigureAwait(false) is { } notGranted)
        {
            return notGranted;
        }

        var (account, key) = await NewEntities(state, verified.Value, cancellationToken).ConfigureAwait(false);
        return await RecordAndRegisterAsync(state, account, key, verified.Value.UserVerified, caller).ConfigureAwait(false);
    }

    /// <summary>The first admin, named in the request, with the setup code printed at start.</summary>
    internal async Task<Outcome<(CeremonyState State, IReadOnlyList<CredentialDescriptor> Exclude)>> ForSetupCodeAsync(RegisterBeginRequest request, CancellationToken cancellationToken)
    {
        var name = request.Username?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxName)
        {
            return new Refusal(KeywardErrors.UsernameRequired.Saying("Choose a username (1 to 200 characters) for the first admin."), AuditAction: null);
        }

        if (!await accounts.IsSetupCodeValidAsync(request.SetupCode, cancellationToken).ConfigureAwait(false))
        {
            return new Refusal(KeywardErrors.SetupCodeInvalid, Failed, Actor: name);
        }

        return (new CeremonyState { Mode = CeremonyModes.Setup, AccountName = name, Role = Roles.Admin, UserHandle = NewHandle(), KeyName = request.KeyName }, []);
    }

    /// <summary>A new account, named and given its role by the invite.</summary>
    internal async Task<Outcome<(CeremonyState State, IReadOnlyList<CredentialDescriptor> Exclude)>> ForInviteAsync(RegisterBeginRequest request, CancellationToken cancellationToken)
    {
        var invite = await accounts.FindUsableInviteAsync(request.Invite, cancellationToken).ConfigureAwait(false);
        if (invite is null)
        {
            return new Refusal(KeywardErrors.InviteInvalid, Failed);
        }

        return (new CeremonyState { Mode = CeremonyModes.Invite, AccountName = invite.AccountName, Role = invite.Role, UserHandle = NewHandle(), InviteId = invite.Id, KeyName = request.KeyName }, []);
    }

    /// <summary>Another key for the account of the request's live session; its existing keys are excluded.</summary>
    internal async Task<Outcome<(CeremonyState State, IReadOnlyList<CredentialDescriptor> Exclude)>> ForSessionAsync(RegisterBeginRequest request, RequestSession session, CancellationToken cancellationToken)
    {
        const string Hint = "Send a setup code, an invite, or a session to add a key to your account.";
        if (session.Session is not { } live)
        {
            return new Refusal((session.Refusal ?? KeywardErrors.SessionMissing).Saying(Hint), Failed);
        }

        var account = (await accounts.GetAccountAsync(live.AccountId, cancellationToken).ConfigureAwait(false))!;
        var keys = await accounts.ListAuthenticatorsAsync(account.Id, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<CredentialDescriptor> exclude = [.. keys.Select(k => new CredentialDescriptor(k.CredentialId, k.Transports.Split(',', StringSplitOptions.RemoveEmptyEntries)))];
        return (new CeremonyState { Mode = CeremonyModes.AddKey, AccountId = account.Id, AccountName = account.Name, Role = account.Role, UserHandle = Base64Url.Encode(account.UserHandle), KeyName = request.KeyName }, exclude);
    }

    /// <summary>Stores the ceremony and returns its creation options.</summary>
    internal async Task<CeremonyOptionsResponse> IssueOptionsAsync(CeremonyState state, IReadOnlyList<CredentialDescriptor> exclude, CancellationToken cancellationToken)
    {
        var opts = rp.CreateRegistrationOptions(new RegistrationOptionsRequest
        {
            UserName = state.AccountName!,
            UserHandle = Base64Url.TryDecode(state.UserHandle, out var handle) ? handle : null,
            ExcludeCredentials = exclude,
            ResidentKey = ResidentKeyRequirement.Preferred,
            UserVerification = UserVerificationRequirement.Preferred,
        });
        return await ceremonies.StartAsync(RegistrationKind, opts.Ceremony.Challenge, state, opts.ToJson(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes the ceremony once (atomically).</summary>
    internal async Task<Outcome<(CeremonyState State, byte[] Challenge)>> ConsumeCeremonyAsync(Guid ceremonyId, CancellationToken cancellationToken)
    {
        var ceremony = await ceremonies.TakeAsync(RegistrationKind, ceremonyId, cancellationToken).ConfigureAwait(false);
        if (ceremony is null)
        {
            return new Refusal(KeywardErrors.CeremonyInvalid.Saying("The registration ceremony is unknown, already used, or expired. Start again with /api/register/begin."), Failed);
        }

        return ceremony.Value;
    }

    /// <summary>Parses and verifies the new credential (WebAuthn L3 §7.1, in Keyward.WebAuthn).</summary>
    internal Outcome<RegistrationResult> VerifyAttestation(JsonElement response, byte[] challenge, CeremonyState state)
    {
        var credential = RegistrationCredential.Parse(response);
        if (!credential.Succeeded)
        {
            return new Refusal(KeywardErrors.WebAuthn(credential.Failure, 400), Failed, Actor: state.AccountName);
        }

        var verified = rp.VerifyRegistration(credential.Value, new RegistrationCeremony { Challenge = challenge });
        return verified.Succeeded ? verified.Value : new Refusal(KeywardErrors.WebAuthn(verified.Failure, 400), Failed, Actor: state.AccountName);
    }

    /// <summary>Adding a key needs the same live session that started it; a new account's name must still be free.</summary>
    internal async Task<Refusal?> CheckOwnerAsync(CeremonyState state, RequestSession session, CancellationToken cancellationToken)
    {
        if (state.Mode == CeremonyModes.AddKey)
        {
            return session.Session?.AccountId != state.AccountId
                ? new Refusal(KeywardErrors.SessionInvalid.Saying("Adding a key needs the same live session that started it."), Failed, Actor: state.AccountName)
                : null;
        }

        return await accounts.FindAccountAsync(state.AccountName!, cancellationToken).ConfigureAwait(false) is not null
            ? new Refusal(KeywardErrors.AccountExists.Saying($"An account named \"{state.AccountName}\" already exists."), Failed, Actor: state.AccountName)
            : null;
    }

    /// <summary>A key registers once, anywhere.</summary>
    internal async Task<Refusal?> CheckKeyIsNewAsync(RegistrationResult verified, CeremonyState state, CancellationToken cancellationToken) =>
        await accounts.FindAuthenticatorAsync(verified.CredentialId, cancellationToken).ConfigureAwait(false) is not null
            ? new Refusal(KeywardErrors.CredentialExists, Failed, Actor: state.AccountName)
            : null;

    /// <summary>Spends the setup code or invite (atomically, single use). Adding a key spends nothing.</summary>
    internal async Task<Refusal?> SpendGrantAsync(CeremonyState state, string? setupCode, CancellationToken cancellationToken) => state.Mode switch
    {
        CeremonyModes.Setup when !await accounts.ConsumeSetupCodeAsync(setupCode, cancellationToken).ConfigureAwait(false) =>
            new Refusal(KeywardErrors.SetupCodeInvalid.Saying("The setup code is wrong, used, or expired."), Failed, Actor: state.AccountName),
        CeremonyModes.Invite when !await accounts.ConsumeInviteAsync(state.InviteId!.Value, cancellationToken).ConfigureAwait(false) =>
            new Refusal(KeywardErrors.InviteInvalid.Saying("The invite was used or expired meanwhile."), Failed, Actor: state.AccountName),
        _ => null,
    };

    /// <summary>The account (new, or the session's) and the key to store.</summary>
    internal async Task<(AccountEntity Account, AuthenticatorEntity Key)> NewEntities(CeremonyState state, RegistrationResult r, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var account = state.Mode == CeremonyModes.AddKey
            ? (await accounts.GetAccountAsync(state.AccountId!.Value, cancellationToken).ConfigureAwait(false))!
            : new AccountEntity { Id = Guid.NewGuid(), TenantId = Tenants.Default, Name = state.AccountName!, Role = state.Role!, UserHandle = Base64Url.TryDecode(state.UserHandle, out var h) ? h : RandomNumberGenerator.GetBytes(32), CreatedAt = now };
        var keyName = state.KeyName?.Trim();
        var key = new AuthenticatorEntity
        {
            Id = Guid.NewGuid(),
            TenantId = account.TenantId,
            AccountId = account.Id,
            CredentialId = r.CredentialId,
            PublicKey = r.PublicKey.Encoded,
            Name = string.IsNullOrEmpty(keyName) ? $"Security key {DateTimeOffset.FromUnixTimeMilliseconds(now):yyyy-MM-dd}" : keyName[..Math.Min(keyName.Length, MaxName)],
            SignCount = r.SignCount,
            BackupEligible = r.BackupEligible,
            BackedUp = r.BackedUp,
            UserVerifiedAtRegistration = r.UserVerified,
            Format = r.Format,
            Aaguid = r.Aaguid,
            Transports = string.Join(',', r.Transports.Take(8)),
            CreatedAt = now,
        };
        return (account, key);
    }

    /// <summary>
    /// Records the key (and the code or invite used) before it exists, then registers it. The code or invite is already
    /// spent: if the record fails, the registration does not happen and a new one is needed (docs/audit.md).
    /// </summary>
    internal async Task<Outcome<RegistrationResponse>> RecordAndRegisterAsync(CeremonyState state, AccountEntity account, AuthenticatorEntity key, bool userVerified, Caller caller)
    {
        var isNew = state.Mode != CeremonyModes.AddKey;
        var records = new List<AuditRecord>
        {
            AuditTrail.For(caller, AuditActions.KeyRegistered, AuditOutcomes.Success, key.Id.ToString(), account.Name, new Dictionary<string, string>
            {
                ["account_id"] = account.Id.ToString(),
                ["role"] = account.Role,
                ["format"] = key.Format,
                ["aaguid"] = Convert.ToHexStringLower(key.Aaguid),
                ["user_verified"] = userVerified ? "true" : "false",
                ["new_account"] = isNew ? "true" : "false",
            }),
        };
        if (state.Mode == CeremonyModes.Setup)
        {
            records.Add(AuditTrail.For(caller, AuditActions.SetupCodeUsed, AuditOutcomes.Success, account.Name, account.Name));
        }
        else if (state.Mode == CeremonyModes.Invite)
        {
            records.Add(AuditTrail.For(caller, AuditActions.InviteUsed, AuditOutcomes.Success, state.InviteId!.Value.ToString(), account.Name));
        }

        await audit.RecordAllAsync(records, CancellationToken.None).ConfigureAwait(false);
        if (await accounts.RegisterAsync(account, key, isNew, CancellationToken.None).ConfigureAwait(false) is null)
        {
            // Lost a race after the record (the same key, or the account name, registered meanwhile): say so in the log
            // against the same key id, so the earlier key.registered reads as not done.
            return new Refusal(KeywardErrors.CredentialExists.Saying("This security key is already registered, or the account name was taken meanwhile."), Failed, key.Id.ToString(), account.Name);
        }

        return new RegistrationResponse(account.Name, account.Role, new RegisteredKey(key.Id, key.Name, key.Format, userVerified));
    }

    private const string RegistrationKind = "register";

    private static string NewHandle() => Base64Url.Encode(RandomNumberGenerator.GetBytes(32));
}
