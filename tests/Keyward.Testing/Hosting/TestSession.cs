namespace Keyward.Testing.Hosting;

/// <summary>A signed-in session as a test knows it.</summary>
public sealed record TestSession(string Token, Guid Id, string Account, string Role, bool UserVerified)
{
    // Never print the token in a failure message.
    public override string ToString() => $"session {Id} of {Account} ({Role})";
}
