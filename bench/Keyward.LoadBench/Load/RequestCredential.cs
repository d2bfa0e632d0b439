namespace Keyward.LoadBench.Load;

/// <summary>The one header that authenticates a request on its path: a session token, or a Keyward assertion.</summary>
internal readonly record struct RequestCredential(string Header, string Value);
