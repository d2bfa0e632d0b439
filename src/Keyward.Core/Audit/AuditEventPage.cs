namespace Keyward.Core.Audit;

/// <summary>One page of events and the cursor for the next, or null at the end.</summary>
public sealed record AuditEventPage(IReadOnlyList<AuditEvent> Events, long? Next);
