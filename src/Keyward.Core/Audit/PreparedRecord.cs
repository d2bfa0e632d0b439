namespace Keyward.Core.Audit;

/// <summary>An <see cref="AuditRecord"/> checked, cleaned (no unpaired surrogates) and stamped, waiting for its sequence number.</summary>
internal sealed class PreparedRecord
{
    public required string TenantId { get; init; }

    public required long Time { get; init; }

    public required string Actor { get; init; }

    public required string Action { get; init; }

    public string? Target { get; init; }

    public required string Outcome { get; init; }

    public string? ClientAddress { get; init; }

    public required string DetailsJson { get; init; }

    public required byte[] DetailsUtf8 { get; init; }

    /// <summary>Checks limits that match the columns, so one bad record can never fail a batch of good ones.</summary>
    public static PreparedRecord From(AuditRecord record, long time, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(record);
        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        if (record.Details is { } source)
        {
            if (source.Count > options.MaxDetails)
            {
                throw new ArgumentException($"An audit record has at most {options.MaxDetails} details.", nameof(record));
            }

            foreach (var (key, value) in source)
            {
                if (string.IsNullOrEmpty(key) || key.Length > options.MaxDetailLength || value is null || value.Length > options.MaxDetailLength)
                {
                    throw new ArgumentException($"Audit details keys are 1 to {options.MaxDetailLength} characters and values are non-null and at most {options.MaxDetailLength}.", nameof(record));
                }

                if (!details.TryAdd(AuditCanonical.Sanitize(key), AuditCanonical.Sanitize(value)))
                {
                    throw new ArgumentException("Two audit details keys differ only in unpaired surrogates.", nameof(record));
                }
            }
        }

        var utf8 = AuditCanonical.DetailsUtf8(details);
        return new PreparedRecord
        {
            TenantId = Required(record.TenantId, 64, "TenantId"),
            Time = record.OriginalTime is { } original
                ? original > 0 ? original : throw new ArgumentException("AuditRecord.OriginalTime is a positive Unix time in milliseconds.", nameof(record))
                : time,
            Actor = Required(record.Actor, 200, "Actor"),
            Action = Required(record.Action, 100, "Action"),
            Target = Optional(record.Target, 400, "Target"),
            Outcome = Required(record.Outcome, 64, "Outcome"),
            ClientAddress = Optional(record.ClientAddress, 64, "ClientAddress"),
            DetailsJson = System.Text.Encoding.UTF8.GetString(utf8),
            DetailsUtf8 = utf8,
        };
    }

    private static string Required(string? value, int max, string name) =>
        string.IsNullOrEmpty(value) || value.Length > max
            ? throw new ArgumentException($"AuditRecord.{name} is 1 to {max} characters.", name)
            : AuditCanonical.Sanitize(value);

    private static string? Optional(string? value, int max, string name) =>
        value is null ? null
        : value.Length > max ? throw new ArgumentException($"AuditRecord.{name} is at most {max} characters.", name)
        : AuditCanonical.Sanitize(value);
}
