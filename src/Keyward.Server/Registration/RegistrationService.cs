using System.Net;
using System.Security.Cryptography;
using Keyward.Core.Accounts;
using Keyward.Core.Accounts.Names;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Server.Accounts;
using Keyward.Server.Approvals;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Sessions;
using Keyward.Server.StepUp;
using Keyward.WebAuthn;

namespace Keyward.Server.Registration;

/// <summary>
/// Key registration as named steps. Begin: one of <see cref="ForSetupCodeAsync"/>, <see cref="ForInviteAsync"/>,
/// <see cref="ForRecoveryCodeAsync"/>, <see cref="ForSessionAsync"/> decides whose key it is → <see cref="IssueOptionsAsync"/>.
/// Finish (RegistrationService.Finish.cs): <see cref="ConsumeCeremonyAsync"/> → <see cref="VerifyAttestation"/> →
/// <see cref="CheckOwnerAsync"/> → <see cref="CheckKeyIsNewAsync"/> → <see cref="SpendGrantAsync"/> →
/// <see cref="NewEntities"/> → <see cref="RecordAndRegisterAsync"/>. The grant (setup code, invite, recovery code,
/// <c>key.add</c> step-up) is checked at begin and spent (atomically) at finish, so a failed ceremony does not burn it
/// and two racing finishes cannot both use it.
/// </summary>
internal sealed partial class RegistrationService(
    AccountService accounts, CeremonyJournal ceremonies, RelyingParty rp, IAuditLog audit, TimeProvider time,
    StepUpGate stepUp, RecoveryCodeService recoveryCodes, SessionService sessions, SignInLimiter limiter,
    SetupCodeLimiter setupCodes, AdminKeyGate adminKeys)
{
    private const string Failed = AuditActions.KeyRegistrationFailed;
    private const int MaxName = 200;
    private const string RegistrationKind = "register";

    /// <summary>Starts a registration for whoever the request's setup code, invite, recovery code or session names.</summary>
    public async Task<Outcome<CeremonyOptionsResponse>> BeginAsync(RegisterBeginRequest request, RequestSession session, Caller caller, CancellationToken cancellationToken)
    {
        var owner = request.SetupCode is not null ? await ForSetupCodeAsync(request, caller, cancellationToken).ConfigureAwait(false)
            : request.Invite is not null ? await ForInviteAsync(request, cancellationToken).ConfigureAwait(false)
            : request.RecoveryCode is not null ? await ForRecoveryCodeAsync(request, caller, cancellationToken).ConfigureAwait(false)
            : await ForSessionAsync(request, session, cancellationToken).ConfigureAwait(false);
        return owner.Refused ? owner.Refusal : await IssueOptionsAsync(owner.Value.State, owner.Value.Exclude, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The first admin, named in the request, with the setup code printed at start; or, with a break-glass code from
    /// <c>keyward admin recover</c>, a new key for the account that code names (the request names it too).
    /// </summary>
    internal async Task<Outcome<(CeremonyState State, IReadOnlyList<CredentialDescriptor> Exclude)>> ForSetupCodeAsync(RegisterBeginRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var name = request.Username?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxName)
        {
            return new Refusal(KeywardErrors.UsernameRequired.Saying("Choose a username (1 to 200 characters) for the first admin."), AuditAction: null);
        }

        // One guess from the global budget, taken before the check so concurrent guesses cannot overdraw it; a right code
        // gives it back. Empty: refused unchecked, for seconds (SetupCodeLimiter states the bound).
        var (check, wait) = await setupCodes.TryReserveAsync(AddressGroup.Of(IPAddress.TryParse(caller.ClientAddress, out var address) ? address : null), cancellationToken).ConfigureAwait(false);
        if (check == SetupCodeCheck.Refused)
        {
            return new Refusal(KeywardErrors.RateLimited.Saying("Too many wrong setup codes were tried. Wait and try again."), AuditActions.RateLimited, "register.setup_code", name)
            {
                RetryAfter = wait,
            };
        }

        if (await accounts.IsSetupCodeValidAsync(request.SetupCode, cancellationToken).ConfigureAwait(false))
        {
            await setupCodes.RefundAsync(check, cancellationToken).ConfigureAwait(false);

            // A new account: its name is prepared (RFC 8265) and stored in that form.
            return AccountName.TryPrepare(name, out var prepared, out var fault)
                ? (new CeremonyState { Mode = CeremonyModes.Setup, AccountName = prepared.Value, Role = Roles.Admin, UserHandle = NewHandle(), KeyName = request.KeyName }, [])
                : new Refusal(AccountNameErrors.For(fault), AuditAction: null);
        }

        // An existing account: the typed name must designate it (its prepared form, or its exact spelling from before).
        if (await accounts.FindBreakGlassAccountAsync(request.SetupCode, cancellationToken).ConfigureAwait(false) is { } accountId
            && await accounts.GetAccountAsync(accountId, cancellationToken).ConfigureAwait(false) is { } account
            && AccountName.Designates(account.Name, name))
        {
            await setupCodes.RefundAsync(check, cancellationToken).ConfigureAwait(false);
            return account.DisabledAt is not null
                ? Disabled(account.Name)
                : await ExistingAccountAsync(CeremonyModes.BreakGlass, account, request.KeyName, null, cancellationToken).ConfigureAwait(false);
        }

        return new Refusal(KeywardErrors.SetupCodeInvalid, Failed, Actor: name);
    }

    /// <summary>A new account, named and given its role by the invite; or, for a re-enrollment invite, a new key for its account.</summary>
    internal async Task<Outcome<(CeremonyState State, IReadOnlyList<CredentialDescriptor> Exclude)>> ForInviteAsync(RegisterBeginRequest request, CancellationToken cancellationToken)
    {
        var invite = await accounts.FindUsableInviteAsync(request.Invite, cancellationToken).ConfigureAwait(false);
        if (invite is null)
        {
            return new Refusal(KeywardErrors.InviteInvalid, Failed);
        }

        if (invite.AccountId is { } existing)
        {
            var account = await accounts.GetAccountAsync(existing, cancellationToken).ConfigureAwait(false);
            return account is null ? new Refusal(KeywardErrors.InviteInvalid.Saying("The account this invite re-enrolls no longer exists."), Failed)
                : account.DisabledAt is not null ? Disabled(account.Name)
                : await ExistingAccountAsync(CeremonyModes.Reenroll, account, request.KeyName, invite.Id, cancellationToken).ConfigureAwait(false);
        }

        // Invites made before names were prepared may name an account in any spelling: the new account takes the prepared one.
        if (!AccountName.TryPrepare(invite.AccountName, out var name, out var fault))
        {
            return new Refusal(AccountNameErrors.For(fault), Failed);
        }

        return (new CeremonyState { Mode = CeremonyModes.Invite, AccountName = name.Value, Role = invite.Role, UserHandle = NewHandle(), InviteId = invite.Id, KeyName = request.KeyName }, []);
    }

    /// <summary>
    /// A new key for the named account with one of its recovery codes (checked here, spent at finish). A wrong code
    /// and an unknown name get the same refusal, and count toward the client address's sign-in backoff. Not toward the
    /// account's: a 60-bit code cannot be guessed at any rate an address gets, and an account count would let anyone
    /// keep its owner from recovering.
    /// </summary>
    internal async Task<Outcome<(CeremonyState State, IReadOnlyList<CredentialDescriptor> Exclude)>> ForRecoveryCodeAsync(RegisterBeginRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var name = request.Username?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxName)
        {
            return new Refusal(KeywardErrors.UsernameRequired.Saying("Name the account (username) whose recovery code this is."), AuditAction: null);
        }

        var address = SignInLimiter.AddressKey(caller.ClientAddress);
        // A recovery code is guessable: with the shared counters down it is not checked at all (503 storage_busy),
        // rather than checked against this node's own count (N nodes, N times the guesses).
        if (await limiter.WaitingAsync(address, fallBack: false, cancellationToken).ConfigureAwait(false) is { } wait)
        {
            return TooManyRecoveryAttempts(name, wait);
        }

        var account = await accounts.FindAccountByTypedNameAsync(name, cancellationToken).ConfigureAwait(false);
        if (await recoveryCodes.FindAsync(account?.Id, request.RecoveryCode, cancellationToken).ConfigureAwait(false) is null)
        {
            return await limiter.FailedAsync(address, fallBack: false, cancellationToken).ConfigureAwait(false) is { } backoff
                ? TooManyRecoveryAttempts(name, backoff)
                : new Refusal(KeywardErrors.RecoveryCodeInvalid, Failed, Actor: name) { Details = new Dictionary<string, string> { ["mode"] = CeremonyModes.Recovery } };
        }

        // Told only to whoever holds one of its recovery codes.
        return account!.DisabledAt is not null
            ? Disabled(account.Name)
            : await ExistingAccountAsync(CeremonyModes.Recovery, account, request.KeyName, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A disabled account gets no new key by recovery code or re-enrollment invite (checked at begin and again at
    /// finish): a key would not sign in while it is disabled, and would once an admin enabled it.
    /// </summary>
    internal static Refusal Disabled(string? accountName) =>
        new(KeywardErrors.AccountDisabled.Saying("This account is disabled: an admin must enable it before it can get a new key."), Failed, Actor: accountName);

    private static Refusal TooManyRecoveryAttempts(string name, TimeSpan wait) =>
        new(KeywardErrors.RateLimited.Saying("Too many failed attempts from this address. Wait and try again."), AuditActions.RateLimited, "register.recovery", name) { RetryAfter = wait };

    /// <summary>
    /// Another key for the account of the request's live session, which must hold a <c>key.add</c> step-up (spent at
    /// finish); its existing keys are excluded.
    /// </summary>
    internal async Task<Outcome<(CeremonyState State, IReadOnlyList<CredentialDescriptor> Exclude)>> ForSessionAsync(RegisterBeginRequest request, RequestSession session, CancellationToken cancellationToken)
    {
        const string Hint = "Send a setup code, an invite, a recovery code, or a session to add a key to your account.";
        if (session.Session is not { } live)
        {
            return new Refusal((session.Refusal ?? KeywardErrors.SessionMissing).Saying(Hint), Failed);
        }

        if (await stepUp.CheckAsync(live, StepUpPurposes.KeyAdd, null, cancellationToken).ConfigureAwait(false) is { } noStepUp)
        {
            return noStepUp;
        }

        var account = (await accounts.GetAccountAsync(live.AccountId, cancellationToken).ConfigureAwait(false))!;
        if (await adminKeys.CheckAddAsync(account.Id, account.Role, account.Name, spend: false, cancellationToken).ConfigureAwait(false) is { } governed)
        {
            return governed;
        }

        return await ExistingAccountAsync(CeremonyModes.AddKey, account, request.KeyName, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A ceremony that adds a key to an existing account: its user handle, name and role; its keys excluded.</summary>
    private async Task<(CeremonyState State, IReadOnlyList<CredentialDescriptor> Exclude)> ExistingAccountAsync(
        string mode, Core.Storage.AccountEntity account, string? keyName, Guid? inviteId, CancellationToken cancellationToken)
    {
        var keys = await accounts.ListAuthenticatorsAsync(account.Id, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<CredentialDescriptor> exclude = [.. keys.Select(k => new CredentialDescriptor(k.CredentialId, k.Transports.Split(',', StringSplitOptions.RemoveEmptyEntries)))];
        return (new CeremonyState { Mode = mode, AccountId = account.Id, AccountName = account.Name, Role = account.Role, UserHandle = Base64Url.Encode(account.UserHandle), KeyName = keyName, InviteId = inviteId }, exclude);
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

    private static string NewHandle() => Base64Url.Encode(RandomNumberGenerator.GetBytes(32));
}
