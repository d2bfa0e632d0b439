using System.Text.RegularExpressions;

namespace Keyward.Server.Tests.Slices;

/// <summary>
/// Keyward.Server is folded by feature (docs/architecture.md): a folder is a namespace, and no folder imports a sibling
/// that imports it back. Read from the source: <c>using Keyward.Server.X;</c>, qualified <c>Keyward.Server.X.</c> names, and
/// the relative <c>X.Type</c> names code inside Keyward.Server may use (<c>Keys.ClusterSigningKeys</c>), counted when X is a
/// sibling folder that declares that type (so a property such as <c>options.Keys</c> or <c>Keys.Count</c> is not one).
/// </summary>
public sealed partial class SliceDependencyTests
{
    [Fact]
    public void ServerFolders_ImportNoSiblingThatImportsThemBack()
    {
        var edges = Edges();

        var loops = edges.Where(e => string.CompareOrdinal(e.From, e.To) < 0 && edges.Contains((e.To, e.From))).Select(e => $"{e.From} <-> {e.To}").ToList();
        Assert.Empty(loops);
        Assert.DoesNotContain(edges, e => e.From == "Http");
    }

    [Fact]
    public void RelativeNames_AreSeen()
    {
        // A reference written only relatively (no using, no Keyward.Server. prefix) is still an edge.
        Assert.Contains(("Assertions", "Keys"), Edges());
        Assert.Contains(("Http", "Hosting"), RelativeEdges("Http", "/// <see cref=\"Hosting.KeywardHost\"/>"));
        Assert.Empty(RelativeEdges("Http", "var n = options.Keys.Count; var m = Keys.Count;"));
    }

    [Fact]
    public void ServerFolders_AreTheFeatureSlices()
    {
        var folders = Directory.EnumerateDirectories(SourceTree.Server).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj" or "wwwroot" or "Properties")).Order(StringComparer.Ordinal);
        Assert.Equal(["Accounts", "Agents", "Approvals", "Assertions", "Audit", "Capabilities", "Cluster", "Handoff", "Hosting", "Http", "Keys", "Limits", "Proxy", "Registration", "Sessions", "StepUp", "Support", "Tls", "Vault", "WebSockets"], folders);
    }

    private static HashSet<(string From, string To)> Edges()
    {
        var edges = new HashSet<(string From, string To)>();
        foreach (var (folder, text) in Sources())
        {
            foreach (Match reference in Reference().Matches(text))
            {
                var to = reference.Groups[1].Value;
                if (to != folder && to != "Tests")
                {
                    edges.Add((folder, to));
                }
            }

            edges.UnionWith(RelativeEdges(folder, text));
        }

        return edges;
    }

    // Inside namespace Keyward.Server.F, "X.Type" (not preceded by a dot or a letter) resolves to Keyward.Server.X.Type
    // when the sibling folder X declares Type.
    private static IEnumerable<(string From, string To)> RelativeEdges(string folder, string text)
    {
        var declared = DeclaredTypes.Value;
        foreach (Match reference in RelativeReference().Matches(text))
        {
            var to = reference.Groups[1].Value;
            if (to != folder && declared.TryGetValue(to, out var types) && types.Contains(reference.Groups[2].Value))
            {
                yield return (folder, to);
            }
        }
    }

    private static readonly Lazy<Dictionary<string, HashSet<string>>> DeclaredTypes = new(() =>
        Sources().GroupBy(s => s.Folder).ToDictionary(g => g.Key, g => g.SelectMany(s => Declaration().Matches(s.Text).Select(m => m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal));

    private static IEnumerable<(string Folder, string Text)> Sources()
    {
        foreach (var file in Directory.EnumerateFiles(SourceTree.Server, "*.cs", SearchOption.AllDirectories).Where(f => !SourceTree.IsGenerated(f)))
        {
            var relative = Path.GetRelativePath(SourceTree.Server, file);
            var folder = relative.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) ? relative[..relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal)] : "(root)";
            yield return (folder, File.ReadAllText(file));
        }
    }

    [GeneratedRegex(@"\bKeyward\.Server\.([A-Z][A-Za-z]+)\b")]
    private static partial Regex Reference();

    [GeneratedRegex(@"(?<![\w.])([A-Z][A-Za-z]+)\.([A-Z]\w*)")]
    private static partial Regex RelativeReference();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+([A-Z]\w*)")]
    private static partial Regex Declaration();
}
