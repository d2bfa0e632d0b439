using System.Text.Json.Serialization;

namespace Keyward.Client;

/// <summary>The answer to <c>/session/logout</c>.</summary>
/// <param name="Ended">True: the session is over and its token is refused from now on.</param>
public sealed record LogoutResult([property: JsonPropertyName("ended")] bool Ended);
