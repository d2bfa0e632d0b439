using System.Security.Cryptography;
using System.Text;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn;

/// <summary>
/// A WebAuthn Level 3 relying party: makes ceremony options and verifies registration (§7.1) and authentication
/// (§7.2) responses. Stateless between calls apart from its bounded key cache; thread-safe. The caller stores
/// the ceremony between the two halves and the credential record afterwards.
/// </summary>
public sealed partial class RelyingParty
{
    private readonly TimeProvider _time;
    private readonly byte[] _rpIdHash;

    /// <summary>Creates a relying party; throws <see cref="ArgumentException"/> listing every policy problem.</summary>
    public RelyingParty(RelyingPartyPolicy policy, TimeProvider timeProvider, CoseKeyCache? keyCache = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var errors = policy.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid relying party policy: " + string.Join(" ", errors), nameof(policy));
        }

        Policy = policy;
        _time = timeProvider;
        _rpIdHash = SHA256.HashData(Encoding.UTF8.GetBytes(policy.RpId));
        Keys = keyCache ?? new CoseKeyCache();
    }

    /// <summary>The policy in force.</summary>
    public RelyingPartyPolicy Policy { get; }

    /// <summary>The imported-key cache used on the assertion path.</summary>
    public CoseKeyCache Keys { get; }

    /// <summary>Makes options for navigator.credentials.create() with a fresh random challenge.</summary>
    public RegistrationOptions CreateRegistrationOptions(RegistrationOptionsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.UserName);
        var userHandle = request.UserHandle ?? RandomNumberGenerator.GetBytes(32);
        if (userHandle.Length is 0 or > 64)
        {
            throw new ArgumentException("A user handle must be 1 to 64 bytes (WebAuthn L3 §5.4.3).", nameof(request));
        }

        var challenge = RandomNumberGenerator.GetBytes(Policy.ChallengeLength);
        var ceremony = new RegistrationCeremony
        {
            Challenge = challenge,
            Algorithms = Policy.Algorithms,
            UserVerification = request.UserVerification,
        };
        var json = OptionsJsonWriter.Creation(Policy, request, challenge, userHandle, Policy.Algorithms);
        return new RegistrationOptions(ceremony, userHandle, json);
    }

    /// <summary>Makes options for navigator.credentials.get() with a fresh random challenge.</summary>
    public AuthenticationOptions CreateAuthenticationOptions(AuthenticationOptionsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var challenge = RandomNumberGenerator.GetBytes(Policy.ChallengeLength);
        var ceremony = new AssertionCeremony
        {
            Challenge = challenge,
            UserVerification = request.UserVerification,
            AllowCredentials = [.. request.AllowCredentials.Select(c => c.Id)],
            UserIdentified = request.AllowCredentials.Count > 0,
        };
        return new AuthenticationOptions(ceremony, OptionsJsonWriter.Request(Policy, request, challenge));
    }

    /// <summary>The client-data checks common to both ceremonies (§7.1 steps 5–10, §7.2 steps 9–14).</summary>
    private WebAuthnResult<CollectedClientData> VerifyClientData(byte[] clientDataJson, string type, byte[] challenge)
    {
        var parsed = CollectedClientData.Parse(clientDataJson);
        if (!parsed.Succeeded)
        {
            return parsed;
        }

        var clientData = parsed.Value;
        var failure = CeremonySteps.VerifyType(clientData, type)
            ?? CeremonySteps.VerifyChallenge(clientData, challenge)
            ?? CeremonySteps.VerifyOrigin(clientData, Policy.Origins)
            ?? CeremonySteps.VerifyCrossOrigin(clientData, Policy)
            ?? CeremonySteps.VerifyTokenBinding(clientData);
        return failure is null ? parsed : failure;
    }
}
