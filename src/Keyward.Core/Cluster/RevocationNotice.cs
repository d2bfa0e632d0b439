using System.Globalization;
using System.Text;

namespace Keyward.Core.Cluster;

/// <summary>
/// One message on the revocation channel: which node sent it, what kind of thing ended, why, and the row ids. Nothing in
/// it is a credential: ids are database keys (the same ids the audit log names), never a token or a token's hash.
/// Wire form: <c>1|node|kind|reason|id,id,…</c>, at most <see cref="MaxIds"/> ids, well under PostgreSQL's 8000-byte
/// payload limit.
/// </summary>
/// <param name="Node">The sending node (<see cref="RevocationBus.NodeId"/>); a node skips its own notices.</param>
/// <param name="Kind">What ended.</param>
/// <param name="Reason">Why, as stored (<c>logout</c>, <c>revoked</c>, …); empty when the kind has none.</param>
/// <param name="Ids">The ended rows.</param>
public sealed record RevocationNotice(string Node, RevocationKind Kind, string Reason, IReadOnlyList<Guid> Ids)
{
    /// <summary>The most ids one notice carries (37 bytes each).</summary>
    public const int MaxIds = 100;

    private const string Version = "1";

    /// <summary>The payload for <c>pg_notify</c>.</summary>
    public string Format()
    {
        var text = new StringBuilder(Version).Append('|').Append(Node).Append('|').Append(Letter(Kind)).Append('|').Append(Reason).Append('|');
        for (var i = 0; i < Ids.Count; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(Ids[i].ToString("D", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>Reads a payload; null when it is not one this version writes (a newer node's, or garbage).</summary>
    public static RevocationNotice? Parse(string? payload)
    {
        var parts = payload?.Split('|');
        if (parts is not { Length: 5 } || parts[0] != Version || parts[1].Length is 0 or > 64 || parts[3].Length > 64 || FromLetter(parts[2]) is not { } kind)
        {
            return null;
        }

        var ids = new List<Guid>();
        foreach (var id in parts[4].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Guid.TryParseExact(id, "D", out var parsed) || ids.Count == MaxIds)
            {
                return null;
            }

            ids.Add(parsed);
        }

        return ids.Count == 0 ? null : new RevocationNotice(parts[1], kind, parts[3], ids);
    }

    private static string Letter(RevocationKind kind) => kind switch
    {
        RevocationKind.Session => "s",
        RevocationKind.Machine => "m",
        RevocationKind.SupportSession => "p",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static RevocationKind? FromLetter(string letter) => letter switch
    {
        "s" => RevocationKind.Session,
        "m" => RevocationKind.Machine,
        "p" => RevocationKind.SupportSession,
        _ => null,
    };
}
