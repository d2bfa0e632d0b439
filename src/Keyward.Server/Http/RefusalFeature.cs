namespace Keyward.Server.Http;

/// <summary>The catalogued error an authentication or authorization step decided on, for the challenge or forbid that answers it.</summary>
/// <param name="Error">The error.</param>
internal sealed record RefusalFeature(KeywardError Error);
