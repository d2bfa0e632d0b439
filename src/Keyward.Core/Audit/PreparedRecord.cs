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

    /// <summary>The details' canonical JSON, as stored; its UTF-8 is what the leaf hash covers.</summary>
    public required string DetailsJson { get; init; }

    /// <summary>Checks limits that match the columns, so one bad record can never fail a batch of good ones.</summary>
    public static PreparedRecord From(AuditRecord record, long time, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(record);
        IReadOnlyDictionary<string, string> details = Empty;
        if (record.Details is { Count: > 0 } source)
        {
            if (source.Count > options.MaxDetails)
            {
                throw new ArgumentException($"An audit record has at most {options.MaxDetails} details.", nameof(record));
            }

            // The usual case, every key and value already clean, writes the caller's details as they are; only one that
            // needs U+FFFD in place of a surrogate or NUL is copied (issue 15: no intermediate dictionary per record).
            // A Dictionary (what callers pass) is walked with its struct enumerator: no boxed enumerator per record.
            var clean = true;
            if (source is Dictionary<string, string> dictionary)
            {
                foreach (var (key, value) in dictionary)
                {
                    clean = Check(key, value, options, nameof(record)) && clean;
                }
            }
            else
            {
                foreach (var (key, value) in source)
                {
                    clean = Check(key, value, options, nameof(record)) && clean;
                }
            }

            details = clean ? source : Sanitized(source, record);
        }

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
            DetailsJson = AuditCanonical.DetailsJson(details),
        };
    }

    private static readonly Dictionary<string, string> Empty = new(StringComparer.Ordinal);

    /// <summary>Throws when a detail breaks a limit; whether it is clean already (needs no U+FFFD).</summary>
    private static bool Check(string key, string value, AuditOptions options, string paramName)
    {
        if (string.IsNullOrEmpty(key) || key.Length > options.MaxDetailLength || value is null || value.Length > options.MaxDetailLength)
        {
            throw new ArgumentException($"Audit details keys are 1 to {options.MaxDetailLength} characters and values are non-null and at most {options.MaxDetailLength}.", paramName);
        }

        return ReferenceEquals(AuditCanonical.Sanitize(key), key) && ReferenceEquals(AuditCanonical.Sanitize(value), value);
    }

    private static Dictionary<string, string> Sanitized(IReadOnlyDictionary<string, string> source, AuditRecord record)
    {
        var details = new Dictionary<string, string>(source.Count, StringComparer.Ordinal);
        foreach (var (key, value) in source)
        {
            if (!details.TryAdd(AuditCanonical.Sanitize(key), AuditCanonical.Sanitize(value)))
            {
                throw new ArgumentException("Two audit details keys differ only in unpaired surrogates.", nameof(record));
            }
        }

        return details;
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
