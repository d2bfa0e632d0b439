using System.Text;
using System.Text.Json;

namespace Keyward.Core.Audit.Export;

/// <summary>
/// Checks an audit export (<see cref="AuditExportFormat"/>) with nothing but the file and a public key: every tree
/// head's signature and its consistency with the head before it (RFC 9162 §2.1.4.2), every event's leaf hash
/// recomputed from its canonical form and its inclusion in the latest valid head (§2.1.3.2), the tree root recomputed
/// from the events at every head's size, and the sequence numbers. Names the first event where tampering shows.
/// Streams the file; keeps 24 bytes per event.
/// </summary>
public sealed partial class AuditExportVerifier
{
    private const int ProgressEveryLines = 4096;

    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long? NotBefore, long? RetireAt)> _validity = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<byte[]>? _trustedKeys;
    private readonly List<HeadLine> _trusted = [];
    private readonly List<EventCheck> _checks = [];
    private readonly MerkleFrontier _frontier = MerkleFrontier.Empty();
    private readonly Dictionary<int, ParsedEvent> _suspects = [];
    private string? _headProblem;
    private string? _rootProblem;
    private long _declaredSize;
    private int _headLines;
    private bool _eventsStarted;
    private bool _lastHeadAccepted;
    private HeadLine? _anchor;
    private int _nextRootCheck;
    private int _firstSuspect = -1;

    private AuditExportVerifier(IReadOnlyList<byte[]>? trustedKeys)
    {
        _trustedKeys = trustedKeys;
    }

    /// <summary>Verifies an export read from <paramref name="input"/>.</summary>
    /// <param name="input">The JSON lines.</param>
    /// <param name="trustedPublicKey">
    /// The tree-head key to trust (DER SubjectPublicKeyInfo), e.g. from <c>GET /api/audit/key</c> fetched earlier. Null
    /// trusts the keys the export's own header lists, which proves only that the file is self-consistent.
    /// </param>
    /// <param name="progress">Receives the bytes read so far, now and then.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public static Task<AuditVerification> VerifyAsync(Stream input, byte[]? trustedPublicKey = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new AuditExportVerifier(trustedPublicKey is null ? null : [trustedPublicKey]).RunAsync(input, progress, cancellationToken);
    }

    /// <summary>Verifies an export read from <paramref name="input"/>, trusting every key in <paramref name="trustedPublicKeys"/>.</summary>
    /// <param name="input">The JSON lines.</param>
    /// <param name="trustedPublicKeys">
    /// The tree-head keys to trust (DER SubjectPublicKeyInfo): the history of keys kept apart from the export, e.g. from
    /// <c>GET /.well-known/keyward/sth</c>'s key ids and <c>GET /api/audit/key</c> over time. The header's validity of
    /// each still applies.
    /// </param>
    /// <param name="progress">Receives the bytes read so far, now and then.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public static Task<AuditVerification> VerifyTrustingAsync(Stream input, IReadOnlyList<byte[]> trustedPublicKeys, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(trustedPublicKeys);
        return new AuditExportVerifier(trustedPublicKeys).RunAsync(input, progress, cancellationToken);
    }

    private async Task<AuditVerification> RunAsync(Stream input, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(input, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);
        var first = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (first is null)
        {
            return Unusable("The file is empty: it is not an audit export.");
        }

        if (ReadHeader(first) is { } headerProblem)
        {
            return Unusable(headerProblem);
        }

        long lineNumber = 1;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
        {
            lineNumber++;
            if (lineNumber % ProgressEveryLines == 0 && input.CanSeek)
            {
                progress?.Report(input.Position);
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                return Garbled(lineNumber, "is not JSON");
            }

            using (document)
            {
                var root = document.RootElement;
                var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                switch (type)
                {
                    case AuditExportFormat.TreeHeadType:
                        ReadHead(root, lineNumber);
                        break;
                    case AuditExportFormat.EventType:
                        ReadEvent(root, lineNumber, text);
                        break;
                    default:
                        return Garbled(lineNumber, "is not a tree head or event line");
                }
            }
        }

        if (input.CanSeek)
        {
            progress?.Report(input.Position);
        }

        StartEvents();
        return Conclude();
    }

    /// <summary>Reads the header; returns why the file is unusable, or null.</summary>
    private string? ReadHeader(string text)
    {
        JsonElement header;
        try
        {
            using var document = JsonDocument.Parse(text);
            header = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return "Line 1 is not JSON: the file is not an audit export.";
        }

        if (header.ValueKind != JsonValueKind.Object
            || !Is(header, "type", AuditExportFormat.HeaderType) || !Is(header, "format", AuditExportFormat.Name))
        {
            return $"Line 1 is not a {AuditExportFormat.Name} header.";
        }

        if (!header.TryGetProperty("version", out var version) || !IsInteger(version, out var v) || v != AuditExportFormat.Version)
        {
            return $"The export's format version is {(header.TryGetProperty("version", out var raw) ? raw.GetRawText() : "missing")}; this keyward reads version {AuditExportFormat.Version}.";
        }

        if (!header.TryGetProperty("tree_size", out var size) || !IsInteger(size, out _declaredSize) || _declaredSize < 0)
        {
            return "The header has no valid tree_size.";
        }

        if (_trustedKeys is not null)
        {
            foreach (var trusted in _trustedKeys)
            {
                _keys[AuditSigningKey.KeyIdOf(trusted)] = trusted;
            }
        }

        if (header.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Array)
        {
            foreach (var key in keys.EnumerateArray())
            {
                // A key whose id is not its own hash cannot have signed anything under that id: skip it.
                if (key.ValueKind == JsonValueKind.Object && key.TryGetProperty("public_key", out var pk) && pk.ValueKind == JsonValueKind.String
                    && pk.TryGetBytesFromBase64(out var spki) && key.TryGetProperty("key_id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { } keyId
                    && AuditSigningKey.KeyIdOf(spki) == keyId)
                {
                    // With trusted keys given, the header adds no key; its validity still narrows a trusted one.
                    if (_trustedKeys is null)
                    {
                        _keys[keyId] = spki;
                    }

                    long? notBefore = key.TryGetProperty("not_before", out var from) && IsInteger(from, out var f) ? f : null;
                    long? retireAt = key.TryGetProperty("retire_at", out var until) && IsInteger(until, out var u) ? u : null;
                    _validity[keyId] = (notBefore, retireAt);
                }
            }
        }

        return null;
    }

    private static bool Is(JsonElement element, string name, string value) =>
        element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String && p.GetString() == value;

    // After a valid header the file is an export; a line that cannot be one was damaged or edited.
    private static AuditVerification Garbled(long line, string what) => new()
    {
        Status = AuditVerificationStatus.Tampered,
        Tampering = AuditTampering.Modified,
        Line = line,
        Message = $"Line {line} {what}: the export was modified after it was written.",
    };

    private static AuditVerification Unusable(string message) => new() { Status = AuditVerificationStatus.Unusable, Message = message };

    private static byte[][]? ReadPath(JsonElement owner)
    {
        if (!owner.TryGetProperty("path", out var path) || path.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var hashes = new List<byte[]>(path.GetArrayLength());
        foreach (var item in path.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !item.TryGetBytesFromBase64(out var hash) || hash.Length != MerkleTree.HashSize)
            {
                return null;
            }

            hashes.Add(hash);
        }

        return [.. hashes];
    }

    /// <summary>A tree head line that passed its checks.</summary>
    private sealed record HeadLine(long TreeSize, byte[] RootHash, long Line);

    /// <summary>What is kept of each event line.</summary>
    private readonly record struct EventCheck(long Sequence, long Line, EventStatus Status);

    /// <summary>An event line kept whole because tampering shows near it.</summary>
    private sealed record ParsedEvent(AuditEvent Event, long? ProofTreeSize, byte[][]? Path);

    private enum EventStatus : byte
    {
        /// <summary>Included in the latest valid head.</summary>
        Proven,

        /// <summary>Not covered by a valid head (recorded after it, or no proof against it); the roots check it where a head covers it.</summary>
        Uncovered,

        /// <summary>Covered by the latest valid head but carries no inclusion proof; the recomputed roots check it.</summary>
        Unproven,

        /// <summary>Its content does not match the latest valid head, or the line is malformed.</summary>
        Failed,
    }
}
