namespace Keyward.Client;

/// <summary>
/// The first half of a WebAuthn ceremony as Keyward answered it: the ceremony's id and the options the authenticator
/// answers (<c>PublicKeyCredentialCreationOptions</c> or <c>…RequestOptions</c>, as JSON).
/// </summary>
/// <param name="CeremonyId">Names the ceremony in the finishing call.</param>
/// <param name="PublicKeyJson">The <c>public_key</c> options, as JSON, for the authenticator.</param>
public sealed record CeremonyChallenge(Guid CeremonyId, string PublicKeyJson);
