using System.Globalization;
using System.Text.Json;
using Keyward.Core.Accounts;
using Keyward.Core.Accounts.Names;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.WebAuthn;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Sessions;

/// <summary>
/// Passkey sign-in as named steps, in the order they run. Begin: <see cref="CheckName"/> →
/// <see cref="AllowedCredentialsAsync"/> → <see cref="IssueOptionsAsync"/>. Finish: <see cref="WaitForAddressAsync"/> →
/// <see cref="ConsumeCeremonyAsync"/> → <see cref="ParseCredential"/> → <see cref="ResolveCredentialAsync"/> →
/// <see cref="VerifyAssertion"/> (a failure counts toward the address's and the account's backoff,
/// <see cref="CountFailureAsync"/>) → <see cref="OpenSessionAsync"/>. Each step returns its value or the
/// <see cref="Refusal"/> that ends the sign-in; the endpoint records a refusal and answers it. A begin and a finish
/// each run their reads and writes on one context and one open connection (issue 15, item 3), not one per step. Reads and
/// writes are plain statements (Core's PlainCommand); each write enters SQLite's write gate itself and is its own
/// autocommit, in no transaction with another.
/// </summary>
internal sealed partial class SignInService(
    AccountService accounts, CeremonyJournal ceremonies, SessionService sessions, RelyingParty rp, SignInLimiter limiter,
    InstanceSecret secret, IAuditLog audit, KeywardDatabase database, ILogger<SignInService> logger)
{
    /// <summary>The longest account name sign-in reads (as at registration).</summary>
    public const int MaxName = 200;

    private const string Failed = AuditActions.SignInFailed;

    // Stand-in credential ids for unknown names derive from this installation's secret under this purpose.
    private const string DummyPurpose = "keyward.signin.dummy-credential-ids.v1";

    private readonly Lazy<byte[]> _dummyKey = new(() => secret.Derive(DummyPurpose));

    /// <summary>
    /// Starts a sign-in: options for the account's keys, or for a passkey (discoverable) sign-in without a name. Never
    /// counted toward any limit but the per-address request rate: asking for options proves nothing and costs nothing,
    /// so counting it would let anyone lock an account out.
    /// </summary>
    public async Task<Outcome<CeremonyOptionsResponse>> BeginAsync(string? username, CancellationToken cancellationToken)
    {
        var name = username?.Trim();
        if (CheckName(name) is { } refused)
        {
            return refused;
        }

        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var (accountId, allow) = await AllowedCredentialsAsync(db, name, cancellationToken).ConfigureAwait(false);
        return await IssueOptionsAsync(db, accountId, named: !string.IsNullOrEmpty(name), allow, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finishes a sign-in: verifies the assertion and opens a session (recorded before it opens).</summary>
    public async Task<Outcome<SignedIn>> FinishAsync(Guid ceremonyId, JsonElement response, Caller caller, CancellationToken cancellationToken)
    {
        if (await WaitForAddressAsync(caller, cancellationToken).ConfigureAwait(false) is { } waiting)
        {
            return waiting;
        }

        await using var db = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var ceremony = await ConsumeCeremonyAsync(db, ceremonyId, cancellationToken).ConfigureAwait(false);
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
        var resolved = await ResolveCredentialAsync(credential.Value, state, cancellationToken, db).ConfigureAwait(false);

        // Its reads done, the finish lets its connection go while it waits on others (the limiter's counters, the audit
        // writer's commit, which on PostgreSQL take connections from the same pool): holding one across those waits
        // could empty the pool under load. The context stays; its two writes open the connection as they run.
        await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        if (resolved.Refused)
        {
            return await CountFailureAsync(caller, accountName: null, cancellationToken).ConfigureAwait(false) is { } backoff ? backoff : resolved.Refusal;
        }

        var (account, key) = resolved.Value;
        var verified = VerifyAssertion(credential.Value, ceremony.Value.Challenge, state, account, key);
        if (verified.Refused)
        {
            Log.SignInFailed(logger, verified.Refusal.Error.Code);
            return await CountFailureAsync(caller, account.Name, cancellationToken).ConfigureAwait(false) is { } backoff ? backoff : verified.Refusal;
        }

        // A disabled account is refused only here, after its key proved itself: begin and a wrong key answer exactly as
        // for an enabled account, so the state is no account probe; only the key's holder learns it.
        if (account.DisabledAt is not null)
        {
            return new Refusal(KeywardErrors.AccountDisabled, Failed, key.Id.ToString(), account.Name);
        }

        // A verified key always signs in, whatever failures its account has seen: they cannot lock its owner out.
        await limiter.SucceededAsync(SignInLimiter.AddressKey(caller.ClientAddress), SignInLimiter.AccountKey(account.Name), cancellationToken).ConfigureAwait(false);
        return await OpenSessionAsync(db, account, key, verified.Value, caller).ConfigureAwait(false);
    }

    /// <summary>One context for a whole begin or finish, its connection opened once (closed when it is disposed).</summary>
    private async Task<KeywardDbContext> OpenAsync(CancellationToken cancellationToken)
    {
        var db = database.CreateContext();
        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return db;
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A name longer than any account's is refused before any work (it is never stored or looked up).</summary>
    internal static Refusal? CheckName(string? name) =>
        name is { Length: > MaxName }
            ? new Refusal(KeywardErrors.UsernameRequired.Saying($"A username is at most {MaxName} characters."), AuditAction: null)
            : null;

    /// <summary>An address that failed too often in a row waits before it may finish another sign-in.</summary>
    internal async Task<Refusal?> WaitForAddressAsync(Caller caller, CancellationToken cancellationToken) =>
        await limiter.WaitingAsync(SignInLimiter.AddressKey(caller.ClientAddress), cancellationToken: cancellationToken).ConfigureAwait(false) is { } wait
            ? new Refusal(KeywardErrors.RateLimited.Saying("Too many failed sign-ins from this address. Wait and try again."), AuditActions.RateLimited, "signin.address")
            {
                RetryAfter = wait,
            }
            : null;

    /// <summary>
    /// Counts a failed finish against the address and, when the key was an account's, that account. Past the threshold
    /// the failure is answered 429 with the wait (and audited as a rate-limit hit against what it protected); the next
    /// finish from that address waits. The account's count only ever turns its failures into 429s.
    /// </summary>
    internal async Task<Refusal?> CountFailureAsync(Caller caller, string? accountName, CancellationToken cancellationToken)
    {
        var addressWait = await limiter.FailedAsync(SignInLimiter.AddressKey(caller.ClientAddress), cancellationToken: cancellationToken).ConfigureAwait(false);
        var accountWait = accountName is null ? null : await limiter.FailedAsync(SignInLimiter.AccountKey(accountName), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (accountWait is { } forAccount)
        {
            return new Refusal(KeywardErrors.RateLimited.Saying("Too many failed sign-ins for this account. Wait and try again."), AuditActions.RateLimited, "signin.account", accountName)
            {
                RetryAfter = forAccount,
            };
        }

        return addressWait is { } forAddress
            ? new Refusal(KeywardErrors.RateLimited.Saying("Too many failed sign-ins from this address. Wait and try again."), AuditActions.RateLimited, "signin.address")
            {
                RetryAfter = forAddress,
            }
            : null;
    }

    /// <summary>
    /// The keys an account may sign in with. An unknown name gets stand-in ids derived from the name and this
    /// installation's secret (the same every time, shaped like a registered key), so the answer does not say whether
    /// the account exists; no key can finish such a ceremony.
    /// </summary>
    internal async Task<(Guid? AccountId, List<CredentialDescriptor> Allow)> AllowedCredentialsAsync(KeywardDbContext db, string? name, CancellationToken cancellationToken)
    {
        var allow = new List<CredentialDescriptor>();
        if (string.IsNullOrEmpty(name))
        {
            return (null, allow);
        }

        if (await accounts.FindAccountByTypedNameAsync(db, name, cancellationToken).ConfigureAwait(false) is not { } account)
        {
            // The same number of reads as for a real account: the account, then keys.
            var shape = await accounts.FirstAllowedKeyAsync(db, cancellationToken).ConfigureAwait(false);
            allow.AddRange(StandInCredentials(name, shape));
            return (null, allow);
        }

        foreach (var key in await accounts.AllowedKeysAsync(db, account.Id, cancellationToken).ConfigureAwait(false))
        {
            allow.Add(new CredentialDescriptor(key.CredentialId, key.Transports.Split(',', StringSplitOptions.RemoveEmptyEntries)));
        }

        return (account.Id, allow);
    }

    /// <summary>
    /// One or two stand-in credential ids for an unknown name, deterministic per name and installation. They derive from
    /// the name's lookup key, so every spelling that would find one account (<c>BOB</c>, <c>ｂｏｂ</c>) gets one answer,
    /// as a real account's spellings do.
    /// </summary>
    internal IEnumerable<CredentialDescriptor> StandInCredentials(string name, AllowedKey? shape)
    {
        var length = shape?.CredentialId.Length ?? 32;
        var transports = shape?.Transports.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var seed = System.Security.Cryptography.HMACSHA256.HashData(_dummyKey.Value, System.Text.Encoding.UTF8.GetBytes(AccountName.LookupKey(name)));
        var count = 1 + (seed[0] & 1);
        for (var i = 0; i < count; i++)
        {
            var id = new byte[length];
            System.Security.Cryptography.HKDF.Expand(System.Security.Cryptography.HashAlgorithmName.SHA256, seed, id, [(byte)i]);
            yield return new CredentialDescriptor(id, transports);
        }
    }

    /// <summary>Stores the ceremony and returns its options. UV is preferred, not required: routes that need it say so (403).</summary>
    internal async Task<CeremonyOptionsResponse> IssueOptionsAsync(KeywardDbContext db, Guid? accountId, bool named, List<CredentialDescriptor> allow, CancellationToken cancellationToken)
    {
        var opts = rp.CreateAuthenticationOptions(new AuthenticationOptionsRequest { AllowCredentials = allow, UserVerification = UserVerificationRequirement.Preferred });
        var state = new CeremonyState
        {
            Mode = CeremonyModes.Login,
            AccountId = accountId,
            Named = named,
            AllowCredentials = [.. allow.Select(a => Base64Url.Encode(a.Id))],
        };
        return await ceremonies.StartAsync(db, CeremonyModes.Login, opts.Ceremony.Challenge, state, opts.ToJson(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes the ceremony once (atomically): a replayed or expired one is refused.</summary>
    internal async Task<Outcome<(CeremonyState State, byte[] Challenge)>> ConsumeCeremonyAsync(KeywardDbContext db, Guid ceremonyId, CancellationToken cancellationToken)
    {
        var ceremony = await ceremonies.TakeAsync(db, CeremonyModes.Login, ceremonyId, cancellationToken).ConfigureAwait(false);
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
    /// <remarks>On <paramref name="db"/>, the sign-in's context, when given; else on a context of its own (step-up).</remarks>
    internal async Task<Outcome<(AccountEntity Account, AuthenticatorEntity Key)>> ResolveCredentialAsync(
        AuthenticationCredential credential, CeremonyState state, CancellationToken cancellationToken, KeywardDbContext? db = null)
    {
        if (db is null)
        {
            await using var own = await OpenAsync(cancellationToken).ConfigureAwait(false);
            return await ResolveCredentialAsync(credential, state, cancellationToken, own).ConfigureAwait(false);
        }

        // A named sign-in for an unknown name offered stand-in ids only: no key may finish it, and the refusal is the
        // same one a known name's wrong key gets.
        var key = await accounts.FindAuthenticatorAsync(db, credential.RawId, cancellationToken).ConfigureAwait(false);
        if (key is null || (state.AccountId is { } expected && key.AccountId != expected) || (state.Named && state.AccountId is null))
        {
            return new Refusal(KeywardErrors.CredentialUnknown, Failed);
        }

        var account = await accounts.GetAccountAsync(db, key.AccountId, cancellationToken).ConfigureAwait(false);
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
    internal async Task<SignedIn> OpenSessionAsync(KeywardDbContext db, AccountEntity account, AuthenticatorEntity key, AssertionResult verified, Caller caller)
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
        await accounts.RecordAssertionAsync(db, key.Id, verified.SignCount, verified.BackedUp, CancellationToken.None).ConfigureAwait(false);
        var (token, info, idle) = await sessions.CreateAsync(db, account, key.Id, verified.UserVerified, caller.ClientAddress, sessionId, DeviceLabel.Describe(caller.UserAgent), CancellationToken.None).ConfigureAwait(false);
        Log.SessionOpened(logger, sessionId, account.Name, verified.UserVerified);
        return new SignedIn(token, info, idle);
    }
}
