using Keyward.Authenticator;
using Keyward.Testing;

namespace Keyward.Server.Tests.Approvals;

/// <summary>An account signed in with its virtual key.</summary>
internal sealed record Approver(string Name, TestSession Session, VirtualAuthenticator Key);
