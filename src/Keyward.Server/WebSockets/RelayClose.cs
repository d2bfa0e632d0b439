namespace Keyward.Server.WebSockets;

/// <summary>How a relayed socket ended: the close code and reason sent (or received and forwarded), and why.</summary>
/// <param name="Code">The close code.</param>
/// <param name="Reason">The close reason, at most 123 bytes (RFC 6455 §5.5).</param>
/// <param name="Cause">A stable word for the audit record: client_closed, upstream_closed, session_ended, lifetime, client_message_too_big, upstream_message_too_big, rate_limited, client_gone, upstream_gone, shutdown.</param>
internal sealed record RelayClose(int Code, string Reason, string Cause);
