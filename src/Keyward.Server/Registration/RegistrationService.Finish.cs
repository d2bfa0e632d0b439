using System.Text.Json;
using Keyward.Core.Accounts.Names;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Sessions;
using Keyward.Server.StepUp;
using Keyward.WebAuthn;

namespace Keyward.Server.Registration;

/// <summary>The finishing half of a registration, step by step.</summary>
internal sealed partial class RegistrationService
{
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

        if (await SpendGrantAsync(state, request, session, cancellationToken).ConfigureAwait(false) is { } notGranted)
        {
            return notGranted;
        }

        // After the step-up is spent, so a refused step-up never wastes a quorum's approval (docs/approvals.md, "Admin keys").
        if (state.Mode == CeremonyModes.AddKey
            && await adminKeys.CheckAddAsync(state.AccountId!.Value, state.Role, state.AccountName, spend: true, cancellationToken).ConfigureAwait(false) is { } notApproved)
        {
            return notApproved;
        }

        var (account, key) = await NewEntities(state, verified.Value, cancellationToken).ConfigureAwait(false);
        return await RecordAndRegisterAsync(state, account, key, verified.Value.UserVerified, caller).ConfigureAwait(false);
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

    /// <summary>
    /// Adding a key needs the same live session that started it; a key for an existing account needs that account to
    /// still exist; a new account's name must still be free, and look like no other account's (a name stored before names
    /// were prepared, <c>Bob</c> beside a new <c>bob</c>).
    /// </summary>
    internal async Task<Refusal?> CheckOwnerAsync(CeremonyState state, RequestSession session, CancellationToken cancellationToken)
    {
        if (state.Mode == CeremonyModes.AddKey)
        {
            return session.Session?.AccountId != state.AccountId
                ? new Refusal(KeywardErrors.SessionInvalid.Saying("Adding a key needs the same live session that started it."), Failed, Actor: state.AccountName)
                : null;
        }

        if (CeremonyModes.AddsToExisting(state.Mode))
        {
            var account = await accounts.GetAccountAsync(state.AccountId!.Value, cancellationToken).ConfigureAwait(false);
            return account is null ? new Refusal(KeywardErrors.AccountNotFound.Saying("The account was removed meanwhile."), Failed, Actor: state.AccountName)
                : account.DisabledAt is not null ? Disabled(state.AccountName)
                : null;
        }

        return !AccountName.TryPrepare(state.AccountName, out var name, out _)
            || await accounts.FindLookAlikeAsync(name, cancellationToken).ConfigureAwait(false) is not null
            ? new Refusal(KeywardErrors.AccountExists.Saying($"An account named \"{state.AccountName}\" already exists."), Failed, Actor: state.AccountName)
            : null;
    }

    /// <summary>A key registers once, anywhere.</summary>
    internal async Task<Refusal?> CheckKeyIsNewAsync(RegistrationResult verified, CeremonyState state, CancellationToken cancellationToken) =>
        await accounts.FindAuthenticatorAsync(verified.CredentialId, cancellationToken).ConfigureAwait(false) is not null
            ? new Refusal(KeywardErrors.CredentialExists, Failed, Actor: state.AccountName)
            : null;

    /// <summary>
    /// Spends the grant atomically (single use): the setup code, the invite, the recovery code (re-sent at finish), or
    /// the session's <c>key.add</c> step-up.
    /// </summary>
    internal async Task<Refusal?> SpendGrantAsync(CeremonyState state, CeremonyFinishRequest request, RequestSession session, CancellationToken cancellationToken) => state.Mode switch
    {
        CeremonyModes.Setup when !await accounts.ConsumeSetupCodeAsync(request.SetupCode, cancellationToken).ConfigureAwait(false) =>
            new Refusal(KeywardErrors.SetupCodeInvalid.Saying("The setup code is wrong, used, or expired."), Failed, Actor: state.AccountName),
        CeremonyModes.BreakGlass when !await accounts.ConsumeSetupCodeAsync(request.SetupCode, state.AccountId, cancellationToken).ConfigureAwait(false) =>
            new Refusal(KeywardErrors.SetupCodeInvalid.Saying("The setup code is wrong, used, or expired."), Failed, Actor: state.AccountName),
        CeremonyModes.Invite or CeremonyModes.Reenroll when !await accounts.ConsumeInviteAsync(state.InviteId!.Value, cancellationToken).ConfigureAwait(false) =>
            new Refusal(KeywardErrors.InviteInvalid.Saying("The invite was used or expired meanwhile."), Failed, Actor: state.AccountName),
        CeremonyModes.Recovery when !await SpendRecoveryCodeAsync(state.AccountId!.Value, request.RecoveryCode, cancellationToken).ConfigureAwait(false) =>
            new Refusal(KeywardErrors.RecoveryCodeInvalid, Failed, Actor: state.AccountName) { Details = new Dictionary<string, string> { ["mode"] = CeremonyModes.Recovery } },
        CeremonyModes.AddKey => await stepUp.ConsumeAsync(session.Session!, StepUpPurposes.KeyAdd, null, cancellationToken).ConfigureAwait(false),
        _ => null,
    };

    private async Task<bool> SpendRecoveryCodeAsync(Guid accountId, string? code, CancellationToken cancellationToken) =>
        await recoveryCodes.FindAsync(accountId, code, cancellationToken).ConfigureAwait(false) is { } codeId
        && await recoveryCodes.SpendAsync(codeId, cancellationToken).ConfigureAwait(false);

    /// <summary>The account (new, or the existing one) and the key to store.</summary>
    internal async Task<(AccountEntity Account, AuthenticatorEntity Key)> NewEntities(CeremonyState state, RegistrationResult r, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var account = CeremonyModes.AddsToExisting(state.Mode)
            ? (await accounts.GetAccountAsync(state.AccountId!.Value, cancellationToken).ConfigureAwait(false))!
            : new AccountEntity { Id = Guid.NewGuid(), TenantId = Tenants.Default, Name = state.AccountName!, Role = state.Role!, UserHandle = Base64Url.TryDecode(state.UserHandle, out var h) ? h : System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), CreatedAt = now };
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
    /// Records the key (and the grant used) before it exists, then registers it. The grant is already spent: if the
    /// record fails, the registration does not happen and a new one is needed (docs/audit.md). A new account gets its
    /// recovery codes in the same transaction; a recovery (code or break-glass) then ends every session of the account.
    /// </summary>
    internal async Task<Outcome<RegistrationResponse>> RecordAndRegisterAsync(CeremonyState state, AccountEntity account, AuthenticatorEntity key, bool userVerified, Caller caller)
    {
        var isNew = !CeremonyModes.AddsToExisting(state.Mode);
        var recovers = state.Mode is CeremonyModes.Recovery or CeremonyModes.BreakGlass;
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
                ["mode"] = state.Mode,
            }),
        };
        var grant = state.Mode switch
        {
            CeremonyModes.Setup => AuditTrail.For(caller, AuditActions.SetupCodeUsed, AuditOutcomes.Success, account.Name, account.Name),
            CeremonyModes.BreakGlass => AuditTrail.For(caller, AuditActions.SetupCodeUsed, AuditOutcomes.Success, account.Name, account.Name, new Dictionary<string, string> { ["break_glass"] = "true" }),
            CeremonyModes.Invite or CeremonyModes.Reenroll => AuditTrail.For(caller, AuditActions.InviteUsed, AuditOutcomes.Success, state.InviteId!.Value.ToString(), account.Name),
            CeremonyModes.Recovery => AuditTrail.For(caller, AuditActions.RecoveryCodeUsed, AuditOutcomes.Success, account.Name, account.Name),
            _ => null,
        };
        if (grant is not null)
        {
            records.Add(grant);
        }

        IReadOnlyList<string> codes = [];
        IReadOnlyList<RecoveryCodeEntity> rows = [];
        if (isNew)
        {
            (codes, rows) = recoveryCodes.Generate(account.Id, account.TenantId);
            records.Add(AuditTrail.For(caller, AuditActions.RecoveryCodesIssued, AuditOutcomes.Success, account.Name, account.Name, new Dictionary<string, string>
            {
                ["count"] = codes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }));
        }

        if (recovers)
        {
            records.Add(AuditTrail.For(caller, AuditActions.SessionsRevokedAll, AuditOutcomes.Success, account.Name, account.Name, new Dictionary<string, string>
            {
                ["account_id"] = account.Id.ToString(),
                ["reason"] = RevocationReasons.Recovery,
            }));
        }

        await audit.RecordAllAsync(records, CancellationToken.None).ConfigureAwait(false);
        if (await accounts.RegisterAsync(account, key, isNew, rows, CancellationToken.None).ConfigureAwait(false) is null)
        {
            // Lost a race after the record (the same key, or the account name, registered meanwhile): say so in the log
            // against the same key id, so the earlier key.registered reads as not done.
            return new Refusal(KeywardErrors.CredentialExists.Saying("This security key is already registered, or the account name was taken meanwhile."), Failed, key.Id.ToString(), account.Name);
        }

        if (recovers)
        {
            await sessions.RevokeAllAsync(account.Id, RevocationReasons.Recovery, CancellationToken.None).ConfigureAwait(false);
        }

        return new RegistrationResponse(account.Name, account.Role, new RegisteredKey(key.Id, key.Name, key.Format, userVerified), isNew ? codes : null);
    }
}
