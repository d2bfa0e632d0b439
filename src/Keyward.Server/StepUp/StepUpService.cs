using System.Text.Json;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Core.StepUps;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Sessions;
using Keyward.WebAuthn;
using Microsoft.Extensions.Options;

namespace Keyward.Server.StepUp;

/// <summary>
/// The step-up ceremony as named steps. Begin: <see cref="StateFor"/> → options for the account's own keys, bound
/// to the session, purpose and target. Finish: <see cref="TakeCeremonyAsync"/> (once, by the same session) → the
/// sign-in's own <see cref="SignInService.ResolveCredentialAsync"/> (a key of that account only) and
/// <see cref="SignInService.VerifyAssertion"/> (same verifier and counter rules) → <see cref="RecordAsync"/>. Sign-in
/// itself never counts as a step-up: only this ceremony records one.
/// </summary>
internal sealed class StepUpService(
    AccountService accounts, CeremonyJournal ceremonies, SignInService signIn, StepUpStore store, RelyingParty rp,
    IAuditLog audit, IOptions<StepUpOptions> options, TimeProvider time)
{
    private const string Kind = CeremonyModes.StepUp;
    private const string Failed = AuditActions.StepUpFailed;

    /// <summary>Starts a step-up for the session: request options allowing only the account's keys.</summary>
    public async Task<Outcome<CeremonyOptionsResponse>> BeginAsync(SessionInfo session, string? purpose, string? target, CancellationToken cancellationToken)
    {
        var state = await StateFor(session, purpose, target, cancellationToken).ConfigureAwait(false);
        if (state.Refused)
        {
            return state.Refusal;
        }

        var allow = state.Value.AllowCredentials.Select(a => new CredentialDescriptor(Base64Url.TryDecode(a, out var id) ? id : [], [])).ToList();
        var opts = rp.CreateAuthenticationOptions(new AuthenticationOptionsRequest { AllowCredentials = allow, UserVerification = UserVerificationRequirement.Preferred });
        return await ceremonies.StartAsync(Kind, opts.Ceremony.Challenge, state.Value, opts.ToJson(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finishes a step-up: verifies the assertion by a key of the session's account and records the step-up.</summary>
    public async Task<Outcome<StepUpResponse>> FinishAsync(SessionInfo session, Guid ceremonyId, JsonElement response, Caller caller, CancellationToken cancellationToken)
    {
        if (await signIn.WaitForAddressAsync(caller, cancellationToken).ConfigureAwait(false) is { } waiting)
        {
            return waiting;
        }

        var ceremony = await TakeCeremonyAsync(session, ceremonyId, cancellationToken).ConfigureAwait(false);
        if (ceremony.Refused)
        {
            return ceremony.Refusal;
        }

        var (state, challenge) = ceremony.Value;
        var credential = SignInService.ParseCredential(response);
        if (credential.Refused)
        {
            return Relabel(credential.Refusal);
        }

        var resolved = await signIn.ResolveCredentialAsync(credential.Value, state, cancellationToken).ConfigureAwait(false);
        if (resolved.Refused)
        {
            return Relabel(resolved.Refusal) with { Details = PurposeDetails(state) };
        }

        var (account, key) = resolved.Value;
        var verified = signIn.VerifyAssertion(credential.Value, challenge, state, account, key);
        if (verified.Refused)
        {
            // A failed step-up counts toward the sign-in backoff like a failed sign-in.
            return await signIn.CountFailureAsync(caller, account.Name, cancellationToken).ConfigureAwait(false) is { } backoff ? backoff : Relabel(verified.Refusal) with { Details = PurposeDetails(state) };
        }

        return await RecordAsync(session, state, key.Id, verified.Value, caller).ConfigureAwait(false);
    }

    /// <summary>The ceremony state: a known purpose with its target, the session, and the account's keys (at least one).</summary>
    internal async Task<Outcome<CeremonyState>> StateFor(SessionInfo session, string? purpose, string? target, CancellationToken cancellationToken)
    {
        if (StepUpPurposes.Normalize(purpose, target) is not var (p, t))
        {
            return new Refusal(KeywardErrors.StepUpPurposeInvalid, AuditAction: null);
        }

        var keys = await accounts.ListAuthenticatorsAsync(session.AccountId, cancellationToken).ConfigureAwait(false);
        return new CeremonyState
        {
            Mode = CeremonyModes.StepUp,
            AccountId = session.AccountId,
            AccountName = session.AccountName,
            SessionId = session.Id,
            Purpose = p,
            Target = t,
            AllowCredentials = [.. keys.Select(k => Base64Url.Encode(k.CredentialId))],
        };
    }

    /// <summary>Takes the ceremony once (atomically); it must be this session's own.</summary>
    internal async Task<Outcome<(CeremonyState State, byte[] Challenge)>> TakeCeremonyAsync(SessionInfo session, Guid ceremonyId, CancellationToken cancellationToken)
    {
        var ceremony = await ceremonies.TakeAsync(Kind, ceremonyId, cancellationToken).ConfigureAwait(false);
        if (ceremony is not { } taken || taken.State.SessionId != session.Id)
        {
            return new Refusal(KeywardErrors.CeremonyInvalid.Saying("The step-up ceremony is unknown, already used, expired, or another session's. Start again with /session/step-up/begin."), Failed);
        }

        return taken;
    }

    /// <summary>Records the step-up (audited first), moves the key's counter, and answers until when it counts.</summary>
    internal async Task<StepUpResponse> RecordAsync(SessionInfo session, CeremonyState state, Guid keyId, AssertionResult verified, Caller caller)
    {
        var window = options.Value.Window;
        var stepUpId = Guid.NewGuid();
        var details = PurposeDetails(state);
        details["session_id"] = session.Id.ToString();
        details["step_up_id"] = stepUpId.ToString();
        details["authenticator_id"] = keyId.ToString();
        details["user_verified"] = verified.UserVerified ? "true" : "false";
        await audit.RecordAllAsync(AuditTrail.For(caller, AuditActions.StepUpSucceeded, AuditOutcomes.Success, state.Target ?? state.Purpose, details: details)).ConfigureAwait(false);
        await accounts.RecordAssertionAsync(keyId, verified.SignCount, verified.BackedUp, CancellationToken.None).ConfigureAwait(false);
        var expires = time.GetUtcNow() + window;
        await store.RecordAsync(session.Id, session.AccountId, keyId, state.Purpose!, state.Target, window, stepUpId, CancellationToken.None).ConfigureAwait(false);
        return new StepUpResponse(state.Purpose!, state.Target, expires, state.Purpose != StepUpPurposes.Admin);
    }

    private static Refusal Relabel(Refusal refusal) => refusal with { AuditAction = Failed };

    private static Dictionary<string, string> PurposeDetails(CeremonyState state)
    {
        var details = new Dictionary<string, string> { ["purpose"] = state.Purpose ?? string.Empty };
        if (state.Target is not null)
        {
            details["target"] = state.Target;
        }

        return details;
    }
}
