using System.Globalization;
using System.Text.Json;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.WebAuthn;

namespace Keyward.Server.Sessions;

/// <summary>
/// Passkey sign-in as named steps, in the order they run. Begin: <see cref="LimitAccount"/> →
/// <see cref="AllowedCredentialsAsync"/> → <see cref="IssueOptionsAsync"/>. Finish: <see cref="ConsumeCeremonyAsync"/>
/// → <see cref="ParseCredential"/> → <see cref="ResolveCredentialAsync"/> → <see cref="LimitAccount"/> →
/// <see cref="VerifyAssertion"/> → <see cref="OpenSessionAsync"/>. Each step returns its value or the
/// <see cref="Refusal"/> that ends the sign-in; the endpoint records a refusal and answers it.
/// </summary>
internal sealed partial class SignInService(
    AccountService accounts, CeremonyJournal ceremonies, SessionService sessions, RelyingParty rp, SignInLimiter limiter,
    IAuditLog audit, ILogger<SignInService> logger)
{
    private const string Failed = AuditActions.SignInFailed;

    /// <summary>Starts a sign-in: options for the account's keys, or for a passkey (discoverable) sign-in without a name.</summary>
    public async Task<Outcome<CeremonyOptionsResponse>> BeginAsync(string? username, CancellationToken cancellationToken)
    {
        var name = username?.Trim();
        if (!string.IsNullOrEmpty(name) && LimitAccount(name) is { } limited)
        {
            return limited;
        }

        var (accountId, allow) = await AllowedCredentialsAsync(name, cancellationToken).ConfigureAwait(false);
        return await IssueOptionsAsync(accountId, allow, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finishes a sign-in: verifies the assertion and opens a session (recorded before it opens).</summary>
    public async Task<Outcome<SignedIn>> FinishAsync(Guid ceremonyId, JsonElement response, Caller caller, CancellationToken cancellationToken)
    {
        var ceremony = await ConsumeCeremonyAsync(ceremonyId, cancellationToken).ConfigureAwait(false);
        if (ceremony.Refused)
        {
            return ceremony.Refusal;
        }

        var credential = ParseCredential(response);
        if (credential.Refused)
        {
            return credential.Refusal;
        }

        var state = ceremony.Value.State;
        var resolved = await ResolveCredentialAsync(credential.Value, state, cancellationToken).ConfigureAwait(false);
        if (resolved.Refused)
        {
            return resolved.Refusal;
        }

        var (account, key) = resolved.Value;
        if (LimitAccount(account.Name) is { } limited)
        {
            return limited;
        }

        var verified = VerifyAssertion(credential.Value, ceremony.Value.Challenge, state, account, key);
        if (verified.Refused)
        {
            Log.SignInFailed(logger, verified.Refusal.Error.Code);
            return verified.Refusal;
        }

        return await OpenSessionAsync(account, key, verified.Value, caller).ConfigureAwait(false);
    }

    /// <summary>The per-account limit (a name need not exist: an unknown one is limited the same).</summary>
    internal Refusal? LimitAccount(string accountName)
    {
        if (limiter.TryAcquire(accountName, out var wait))
        {
            return null;
        }

        return new Refusal(KeywardErrors.RateLimited.Saying("Too many sign-in attempts for this account. Wait and try again."), AuditActions.RateLimited, "signin.account", accountName)
        {
            RetryAfter = wait,
        };
    }

    /// <summary>The keys an account may sign in with. An unknown name gets none, like a discoverable sign-in.</summary>
    internal async Task<(Guid? AccountId, List<CredentialDescriptor> Allow)> AllowedCredentialsAsync(string? name, CancellationToken cancellationToken)
    {
        var allow = new List<CredentialDescriptor>();
        if (string.IsNullOrEmpty(name) || await accounts.FindAccountAsync(name, cancellationToken).ConfigureAwait(false) is not { } account)
        {
            return (null, allow);
        }

        foreach (var key in await accounts.ListAuthenticatorsAsync(account.Id, cancellationToken).ConfigureAwait(false))
        {
            allow.Add(new CredentialDescriptor(key.CredentialId, key.Transports.Split(',', StringSplitOptions.RemoveEmptyEntries)));
        }

        return (account.Id, allow);
    }

    /// <summary>Stores the ceremony and returns its options. UV is preferred, not required: routes that need it say so (403).</summary>
    internal async Task<CeremonyOptionsResponse> IssueOptionsAsync(Guid? accountId, List<CredentialDescriptor> allow, CancellationToken cancellationToken)
    {
        var opts = rp.CreateAuthenticationOptions(new AuthenticationOptionsRequest { AllowCredentials = allow, UserVerification = UserVerificationRequirement.Preferred });
        var state = new CeremonyState
        {
            Mode = CeremonyModes.Login,
            AccountId = accountId,
            AllowCredentials = [.. allow.Select(a => Base64Url.Encode(a.Id))],
        };
        return await ceremonies.StartAsync(CeremonyModes.Login, opts.Ceremony.Challenge, state, opts.ToJson(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes the ceremony once (atomically): a replayed or expired one is refused.</summary>
    internal async Task<Outcome<(CeremonyState State, byte[] Challenge)>> ConsumeCeremonyAsync(Guid ceremonyId, CancellationToken cancellationToken)
    {
        var ceremony = await ceremonies.TakeAsync(CeremonyModes.Login, ceremonyId, cancellationToken).ConfigureAwait(false);
        if (ceremony is null)
        {
            return new Refusal(KeywardErrors.CeremonyInvalid.Saying("The sign-in ceremony is unknown, already used, or expired. Start again with /session/login/begin."), Failed);
        }

        return ceremony.Value;
    }

    /// <summary>Parses the browser's response (WebAuthn JSON).</summary>
    internal static Outcome<AuthenticationCredential> ParseCredential(JsonElement response)
    {
        var credential = AuthenticationCredential.Parse(response);
        return credential.Succeeded ? credential.Value : new Refusal(KeywardErrors.WebAuthn(credential.Failure, 400), Failed);
    }

    /// <summary>The registered key and its account; for a named sign-in, it must be that account's.</summary>
    internal async Task<Outcome<(AccountEntity Account, AuthenticatorEntity Key)>> ResolveCredentialAsync(
        AuthenticationCredential credential, CeremonyState state, CancellationToken cancellationToken)
    {
        var key = await accounts.FindAuthenticatorAsync(credential.RawId, cancellationToken).ConfigureAwait(false);
        if (key is null || (state.AccountId is { } expected && key.AccountId != expected))
        {
            return new Refusal(KeywardErrors.CredentialUnknown, Failed);
        }

        var account = await accounts.GetAccountAsync(key.AccountId, cancellationToken).ConfigureAwait(false);
        return account is null ? new Refusal(KeywardErrors.CredentialUnknown.Saying("This security key is not registered here."), Failed) : (account, key);
    }

    /// <summary>Verifies the assertion against the stored key (WebAuthn L3 §7.2, in Keyward.WebAuthn).</summary>
    internal Outcome<AssertionResult> VerifyAssertion(
        AuthenticationCredential credential, byte[] challenge, CeremonyState state, AccountEntity account, AuthenticatorEntity key)
    {
        var verified = rp.VerifyAssertion(credential, new AssertionCeremony
        {
            Challenge = challenge,
            UserIdentified = state.AccountId is not null,
            AllowCredentials = [.. state.AllowCredentials.Select(a => Base64Url.TryDecode(a, out var b) ? b : [])],
        }, new StoredCredential
        {
            CredentialId = key.CredentialId,
            PublicKey = key.PublicKey,
            UserHandle = account.UserHandle,
            SignCount = (uint)key.SignCount,
            BackupEligible = key.BackupEligible,
        });
        return verified.Succeeded ? verified.Value : new Refusal(KeywardErrors.WebAuthn(verified.Failure, 401), Failed, key.Id.ToString(), account.Name);
    }

    /// <summary>Records the sign-in and the session it will open, then opens it (whatever the client does meanwhile).</summary>
    internal async Task<SignedIn> OpenSessionAsync(AccountEntity account, AuthenticatorEntity key, AssertionResult verified, Caller caller)
    {
        var sessionId = Guid.NewGuid();
        var uv = verified.UserVerified ? "true" : "false";
        var details = new Dictionary<string, string>
        {
            ["session_id"] = sessionId.ToString(),
            ["user_verified"] = uv,
            ["sign_count"] = verified.SignCount.ToString(CultureInfo.InvariantCulture),
        };
        if (verified.PossibleClone)
        {
            details["possible_clone"] = "true";
        }

        await audit.RecordAllAsync(
            AuditTrail.For(caller, AuditActions.SignInSucceeded, AuditOutcomes.Success, key.Id.ToString(), account.Name, details),
            AuditTrail.For(caller, AuditActions.SessionCreated, AuditOutcomes.Success, sessionId.ToString(), account.Name, new Dictionary<string, string>
            {
                ["authenticator_id"] = key.Id.ToString(),
                ["user_verified"] = uv,
            })).ConfigureAwait(false);
        await accounts.RecordAssertionAsync(key.Id, verified.SignCount, verified.BackedUp, CancellationToken.None).ConfigureAwait(false);
        var (token, info, idle) = await sessions.CreateAsync(account, key.Id, verified.UserVerified, caller.ClientAddress, sessionId, CancellationToken.None).ConfigureAwait(false);
        Log.SessionOpened(logger, sessionId, account.Name, verified.UserVerified);
        return new SignedIn(token, info, idle);
    }
}
