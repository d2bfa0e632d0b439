namespace Keyward.Server.Http;

/// <summary>An options type registered with <see cref="OptionsRegistration.AddKeywardOptions{TOptions}"/>, so that every one can be checked on its own (<c>keyward config check</c>).</summary>
/// <param name="Type">The options type.</param>
internal sealed record ValidatedOptions(Type Type);
