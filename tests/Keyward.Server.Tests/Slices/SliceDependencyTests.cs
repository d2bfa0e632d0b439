using System.Text.RegularExpressions;

namespace Keyward.Server.Tests.Slices;

/// <summary>
/// Keyward.Server is folded by feature (docs/architecture.md): a folder is a namespace, and no folder imports a sibling
/// that imports it back. Read from the source: <c>using Keyward.Server.X;</c> and qualified <c>Keyward.Server.X.</c> names.
/// </summary>
public sealed partial class SliceDependencyTests
{
    [Fact]
    public void ServerFolders_ImportNoSiblingThatImportsThemBack()
    {
        var edges = new HashSet<(string From, string To)>();
        foreach (var file in Directory.EnumerateFiles(SourceTree.Server, "*.cs", SearchOption.AllDirectories).Where(f => !SourceTree.IsGenerated(f)))
        {
            var relative = Path.GetRelativePath(SourceTree.Server, file);
            var folder = relative.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) ? relative[..relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal)] : "(root)";
            foreach (Match reference in Reference().Matches(File.ReadAllText(file)))
            {
                var to = reference.Groups[1].Value;
                if (to != folder && to != "Tests")
                {
                    edges.Add((folder, to));
                }
            }
        }

        var loops = edges.Where(e => string.CompareOrdinal(e.From, e.To) < 0 && edges.Contains((e.To, e.From))).Select(e => $"{e.From} <-> {e.To}").ToList();
        Assert.Empty(loops);
        Assert.DoesNotContain(edges, e => e.From == "Http");
    }

    [Fact]
    public void ServerFolders_AreTheFeatureSlices()
    {
        var folders = Directory.EnumerateDirectories(SourceTree.Server).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj" or "wwwroot" or "Properties")).Order(StringComparer.Ordinal);
        Assert.Equal(["Accounts", "Agents", "Approvals", "Assertions", "Audit", "Capabilities", "Cluster", "Handoff", "Hosting", "Http", "Keys", "Limits", "Proxy", "Registration", "Sessions", "StepUp", "Support", "Tls", "Vault", "WebSockets"], folders);
    }

    [GeneratedRegex(@"\bKeyward\.Server\.([A-Z][A-Za-z]+)\b")]
    private static partial Regex Reference();
}
