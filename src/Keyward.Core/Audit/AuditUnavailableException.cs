namespace Keyward.Core.Audit;

/// <summary>The audit log could not make an event durable; the operation it recorded must not be reported as done.</summary>
public sealed class AuditUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
