namespace Keyward.Server.Http;

/// <summary>An options type registered with <see cref="OptionsRegistration.AddKeywardOptions{TOptions}"/>, so that every one can be checked on its own (<c>keyward config check</c>).</summary>
/// <param name="Type">The options type.</param>
/// <param name="Section">The configuration section it is bound to (<see cref="UnknownSettings"/> knows a setting by it).</param>
internal sealed record ValidatedOptions(Type Type, string Section);
