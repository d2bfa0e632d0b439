using System.Globalization;

namespace Keyward.Core.Audit.Export;

public sealed partial class AuditExportVerifier
{
    /// <summary>Names the first event where tampering shows, or finds none.</summary>
    private AuditVerification Conclude()
    {
        var covered = _anchor?.TreeSize ?? 0;
        var uncovered = _checks.LongCount(c => c.Status == EventStatus.Uncovered && c.Sequence >= covered);
        var result = new AuditVerification
        {
            Status = AuditVerificationStatus.Intact,
            Message = "",
            Events = _checks.Count,
            TreeHeads = _headLines,
            VerifiedTreeSize = _anchor?.TreeSize,
            Uncovered = uncovered,
        };

        var finding = _firstSuspect >= 0 ? Classify(_firstSuspect) : Truncation(covered) ?? Unproven();
        var headProblem = _headProblem ?? _rootProblem;
        if (finding is not null)
        {
            var (tampering, sequence, line, what) = finding.Value;
            return result with
            {
                Status = AuditVerificationStatus.Tampered,
                Tampering = tampering,
                Sequence = sequence,
                Line = line,
                Message = headProblem is null ? what : $"{what} Also, {headProblem}.",
            };
        }

        // Keyward signs a head at start, on an interval and at shutdown, so a genuine export that holds events holds a
        // head; events with none at all (or none signed with the trusted key) mean the heads were stripped.
        if (headProblem is null && _anchor is null && _checks.Count > 0)
        {
            headProblem = _trustedKeys is not null
                ? "no tree head signed with the trusted key covers the events"
                : "no signed tree head covers the events, and Keyward always exports the heads it signed: they were removed";
        }

        if (headProblem is not null)
        {
            return result with { Status = AuditVerificationStatus.Tampered, Tampering = AuditTampering.TreeHead, Message = Sentence(headProblem) };
        }

        var message = _anchor is null
            ? "Intact: the export holds no events."
            : $"Intact: {_checks.Count} events and {_headLines} signed tree heads; each head is signed and extends the one before, and every event up to the head of size {_anchor.TreeSize} is included in it.";
        if (uncovered > 0 && _anchor is not null)
        {
            message += $" {uncovered} events recorded after that head are not covered by a signature yet.";
        }

        return result with { Message = message };
    }

    /// <summary>What the first anomaly at <paramref name="position"/> (an event out of place, or failing its proof) is.</summary>
    private (AuditTampering, long?, long?, string)? Classify(int position)
    {
        var check = _checks[position];
        var line = check.Line;
        var s = check.Sequence;
        if (s == -1 || (check.Status == EventStatus.Failed && !_suspects.ContainsKey(position)))
        {
            return (AuditTampering.Modified, s >= 0 ? s : position, line, $"The event at line {line} is malformed: it was modified.");
        }

        if (s > position)
        {
            // Event `position` is not where it belongs: later in the file (reordered) or nowhere (removed).
            var later = FindLater(position, position, requireProven: false);
            return later is { } moved
                ? (AuditTampering.Reordered, position, _checks[moved].Line, $"Event {position} is out of order: it is at line {_checks[moved].Line}, after event {s} at line {line}.")
                : (AuditTampering.Removed, position, line, $"Event {position} was removed: line {line} holds event {s} where event {position} belongs.");
        }

        if (s < position)
        {
            return (AuditTampering.Inserted, s, line, $"Line {line} is an inserted event: it repeats sequence {s}, which line {_checks[(int)Math.Max(0, s)].Line} already holds.");
        }

        // The sequence number is right but the content does not match the signed head.
        if (FindLater(position, s, requireProven: true) is { } genuine)
        {
            return (AuditTampering.Inserted, s, line, $"Line {line} is an inserted event claiming sequence {s}; the genuine event {s} follows at line {_checks[genuine].Line}.");
        }

        if (ProvenAt(position, s + 1))
        {
            return (AuditTampering.Removed, s, line, $"Event {s} was removed: line {line} holds what was event {s + 1}, and the events after it were renumbered.");
        }

        if (ProvenAt(position + 1, s))
        {
            return (AuditTampering.Inserted, s, line, $"Line {line} is an inserted event at sequence {s}: the event after it is the genuine event {s}, and the later events were renumbered.");
        }

        return (AuditTampering.Modified, s, line, $"Event {s} (line {line}) was modified: its content does not match the signed tree head of size {_anchor?.TreeSize}.");
    }

    /// <summary>When every event line is in place: whether the export ends before what was signed or declared.</summary>
    private (AuditTampering, long?, long?, string)? Truncation(long covered)
    {
        var count = _checks.Count;
        var expected = Math.Max(covered, _declaredSize);
        if (count < expected)
        {
            var last = expected - 1;
            return (AuditTampering.Removed, count, null, count == last
                ? $"Event {count} was removed: the export ends after event {count - 1} but holds {expected} events."
                : $"Events {count} to {last} were removed: the export ends after event {count - 1} but holds {expected} events.");
        }

        if (count > _declaredSize && _declaredSize >= covered)
        {
            var line = _checks[(int)_declaredSize].Line;
            return (AuditTampering.Inserted, _declaredSize, line, $"Line {line} (event {_declaredSize}) and any after it were inserted: the header declares {_declaredSize} events.");
        }

        return null;
    }

    /// <summary>When the roots do not match and nothing else shows where: the first event that came without a proof.</summary>
    private (AuditTampering, long?, long?, string)? Unproven()
    {
        if (_rootProblem is null)
        {
            return null;
        }

        var index = _checks.FindIndex(c => c.Status == EventStatus.Unproven);
        if (index < 0)
        {
            return null;
        }

        var check = _checks[index];
        return (AuditTampering.Modified, check.Sequence, check.Line, $"Event {check.Sequence} (line {check.Line}) has no inclusion proof and the events do not hash to the signed root: it was modified and its proof removed.");
    }

    /// <summary>The first position after <paramref name="after"/> holding <paramref name="sequence"/> (and proven, if asked).</summary>
    private int? FindLater(int after, long sequence, bool requireProven)
    {
        for (var i = after + 1; i < _checks.Count; i++)
        {
            if (_checks[i].Sequence == sequence && (!requireProven || _checks[i].Status == EventStatus.Proven))
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>Whether the event at <paramref name="position"/>, renumbered to <paramref name="sequence"/>, is included in the anchor head by its own proof.</summary>
    private bool ProvenAt(int position, long sequence)
    {
        if (_anchor is null || !_suspects.TryGetValue(position, out var parsed) || parsed.Path is null || sequence < 0 || sequence >= _anchor.TreeSize)
        {
            return false;
        }

        var leaf = AuditCanonical.LeafHash(parsed.Event with { Sequence = sequence });
        return MerkleTree.VerifyInclusion(sequence, _anchor.TreeSize, leaf, parsed.Path, _anchor.RootHash);
    }

    private static string Sentence(string problem) =>
        char.ToUpper(problem[0], CultureInfo.InvariantCulture) + problem[1..] + ".";
}
