using System.Text;
using System.Text.Json;

namespace Keyward.Core.Audit.Export;

public sealed partial class AuditExportVerifier
{
    private static readonly string[] EventMembers = ["action", "actor", "client", "details", "outcome", "sequence", "target", "tenant", "time"];

    private void ReadHead(JsonElement line, long lineNumber)
    {
        _headLines++;
        if (_eventsStarted)
        {
            HeadProblem($"the tree head at line {lineNumber} comes after events; heads precede events in an export");
            return;
        }

        if (!line.TryGetProperty("tree_size", out var sizeElement) || !IsInteger(sizeElement, out var size) || size < 0
            || !line.TryGetProperty("root_hash", out var rootElement) || rootElement.ValueKind != JsonValueKind.String || !rootElement.TryGetBytesFromBase64(out var root) || root.Length != MerkleTree.HashSize
            || !line.TryGetProperty("timestamp", out var tsElement) || !IsInteger(tsElement, out var timestamp) || timestamp < 0
            || !line.TryGetProperty("key_id", out var keyElement) || keyElement.ValueKind != JsonValueKind.String
            || !line.TryGetProperty("signature", out var sigElement) || sigElement.ValueKind != JsonValueKind.String || !sigElement.TryGetBytesFromBase64(out var signature))
        {
            HeadProblem($"the tree head at line {lineNumber} is malformed");
            return;
        }

        var keyId = keyElement.GetString()!;
        var previous = _trusted.Count > 0 ? _trusted[^1] : null;
        if (previous is not null && size <= previous.TreeSize)
        {
            HeadProblem($"the tree head at line {lineNumber} (size {size}) does not follow the head of size {previous.TreeSize}: heads were reordered or repeated");
            return;
        }

        if (!_keys.TryGetValue(keyId, out var key))
        {
            HeadProblem($"the tree head of size {size} (line {lineNumber}) is signed with key {keyId}, which is not a trusted key");
            return;
        }

        if (!new SignedTreeHead(size, root, timestamp, keyId, signature).VerifySignature(key))
        {
            HeadProblem($"the signature of the tree head of size {size} (line {lineNumber}) does not verify: the head was forged or altered");
            return;
        }

        // The key history: a key signs only from its not_before until its retire_at (a retired key cannot sign new heads).
        if (_validity.TryGetValue(keyId, out var validity) && (timestamp < validity.NotBefore || timestamp >= validity.RetireAt))
        {
            HeadProblem($"the tree head of size {size} (line {lineNumber}) is signed with key {keyId} outside the time that key was valid");
            return;
        }

        // Consistency with the head before: proves the log was only appended to between the two. When a head in
        // between was refused, its successor's proof starts from it; the roots recomputed from the events still
        // check both heads.
        if (previous is not null && line.TryGetProperty("consistency", out var consistency) && consistency.ValueKind == JsonValueKind.Object
            && consistency.TryGetProperty("from", out var fromElement) && IsInteger(fromElement, out var from) && from == previous.TreeSize)
        {
            var path = ReadPath(consistency);
            if (path is null || !MerkleTree.VerifyConsistency(previous.TreeSize, size, path, previous.RootHash, root))
            {
                HeadProblem($"the tree head of size {size} (line {lineNumber}) is not consistent with the head of size {previous.TreeSize}: the log was rewritten between them");
                return;
            }
        }
        else if (previous is not null && _headProblem is null)
        {
            HeadProblem($"the tree head of size {size} (line {lineNumber}) has no consistency proof from the head of size {previous.TreeSize}");
            return;
        }

        _trusted.Add(new HeadLine(size, root, lineNumber));
        _lastHeadAccepted = true;
    }

    private void HeadProblem(string problem)
    {
        _headProblem ??= problem;
        _lastHeadAccepted = false;
    }

    /// <summary>At the first event (or the end): fix the head the events are checked against.</summary>
    private void StartEvents()
    {
        if (_eventsStarted)
        {
            return;
        }

        _eventsStarted = true;
        _anchor = _trusted.Count > 0 ? _trusted[^1] : null;
        CheckRoots();
    }

    private void ReadEvent(JsonElement line, long lineNumber, string text)
    {
        StartEvents();
        var position = _checks.Count;
        var parsed = Parse(line);
        EventStatus status;
        long sequence;
        byte[] leaf;
        if (parsed is null)
        {
            status = EventStatus.Failed;
            sequence = line.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("sequence", out var s) && IsInteger(s, out var n) ? n : -1;
            leaf = MerkleTree.HashLeaf(Encoding.UTF8.GetBytes(text));
        }
        else
        {
            sequence = parsed.Event.Sequence;
            leaf = AuditCanonical.LeafHash(parsed.Event);
            status = Check(parsed, leaf, sequence);
        }

        _checks.Add(new EventCheck(sequence, lineNumber, status));
        if (_firstSuspect < 0 && (status == EventStatus.Failed || sequence != position))
        {
            _firstSuspect = position;
        }

        if (parsed is not null && _firstSuspect >= 0 && position <= _firstSuspect + 1)
        {
            _suspects[position] = parsed;
        }

        _frontier.Append(leaf);
        CheckRoots();
    }

    /// <summary>Whether the event is included in the anchor head at the place its sequence number claims.</summary>
    private EventStatus Check(ParsedEvent parsed, byte[] leaf, long sequence)
    {
        if (_anchor is null || sequence < 0 || sequence >= _anchor.TreeSize)
        {
            return EventStatus.Uncovered;
        }

        if (parsed.ProofTreeSize is null)
        {
            // The exporter writes no proof when the store lacks a hash it needs (rows deleted); the sequence numbers
            // and recomputed roots still check this event.
            return EventStatus.Unproven;
        }

        if (parsed.ProofTreeSize != _anchor.TreeSize && !_lastHeadAccepted)
        {
            // Proven against the latest head, which was refused; the recomputed roots still check this event.
            return EventStatus.Uncovered;
        }

        return parsed.Path is not null && MerkleTree.VerifyInclusion(sequence, _anchor.TreeSize, leaf, parsed.Path, _anchor.RootHash)
            ? EventStatus.Proven
            : EventStatus.Failed;
    }

    /// <summary>Compares the root recomputed from the events read so far with every valid head of that size.</summary>
    private void CheckRoots()
    {
        while (_nextRootCheck < _trusted.Count && _trusted[_nextRootCheck].TreeSize <= _frontier.Size)
        {
            var head = _trusted[_nextRootCheck++];
            if (head.TreeSize == _frontier.Size && !_frontier.Root().AsSpan().SequenceEqual(head.RootHash))
            {
                _rootProblem ??= $"the first {head.TreeSize} events in the export do not hash to the root of the signed tree head of size {head.TreeSize} (line {head.Line})";
            }
        }
    }

    /// <summary>The event of a line, or null when the line does not have exactly the canonical members with the right types.</summary>
    private static ParsedEvent? Parse(JsonElement line)
    {
        if (!line.TryGetProperty("event", out var e) || e.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        // Each canonical member exactly once: JsonDocument keeps duplicate names, so counting alone would let a
        // repeated member stand in for a missing one.
        var count = 0;
        var seen = 0;
        foreach (var member in e.EnumerateObject())
        {
            var index = Array.IndexOf(EventMembers, member.Name);
            if (index < 0 || (seen & (1 << index)) != 0)
            {
                return null;
            }

            seen |= 1 << index;
            count++;
        }

        if (count != EventMembers.Length
            || !IsInteger(e.GetProperty("sequence"), out var sequence) || !IsInteger(e.GetProperty("time"), out var time)
            || Text(e, "action") is not { } action || Text(e, "actor") is not { } actor || Text(e, "outcome") is not { } outcome
            || Text(e, "tenant") is not { } tenant || !OptionalText(e, "target", out var target) || !OptionalText(e, "client", out var client)
            || e.GetProperty("details") is not { ValueKind: JsonValueKind.Object } detailsElement)
        {
            return null;
        }

        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in detailsElement.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String || !details.TryAdd(item.Name, item.Value.GetString()!))
            {
                return null;
            }
        }

        long? proofSize = null;
        byte[][]? path = null;
        if (line.TryGetProperty("inclusion", out var inclusion) && inclusion.ValueKind == JsonValueKind.Object)
        {
            proofSize = inclusion.TryGetProperty("tree_size", out var ts) && IsInteger(ts, out var size) ? size : -1;
            path = ReadPath(inclusion);
        }

        return new ParsedEvent(
            new AuditEvent
            {
                Sequence = sequence,
                Time = time,
                TenantId = tenant,
                Actor = actor,
                Action = action,
                Target = target,
                Outcome = outcome,
                ClientAddress = client,
                Details = details,
            },
            proofSize,
            path);
    }

    /// <summary>An integer that fits a long; false for any other JSON value (TryGetInt64 throws on a non-number).</summary>
    private static bool IsInteger(JsonElement e, out long value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out value);
    }

    private static string? Text(JsonElement e, string name) => e.GetProperty(name) is { ValueKind: JsonValueKind.String } p ? p.GetString() : null;

    private static bool OptionalText(JsonElement e, string name, out string? value)
    {
        var p = e.GetProperty(name);
        value = p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        return p.ValueKind is JsonValueKind.String or JsonValueKind.Null;
    }
}
