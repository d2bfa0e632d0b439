using System.Text.Json;
using System.Text.RegularExpressions;
using Keyward.Core.Accounts;
using Microsoft.Extensions.FileProviders;

namespace Keyward.Server.Hosting;

/// <summary>
/// The console's panes, found on disk: every folder <c>wwwroot/console/panes/{id}</c> that holds a <c>pane.json</c>
/// and a <c>pane.js</c> is a pane, so adding a pane is adding one folder (docs/architecture.md, "The web console").
/// Read once, at the first request: the folder ships with Keyward and does not change while it runs.
/// </summary>
internal static partial class ConsolePanes
{
    /// <summary>Where the panes live under the web root.</summary>
    public const string Folder = "console/panes";

    /// <summary>The panes under <paramref name="webRoot"/>, by order then id; a folder whose manifest is unusable is left out.</summary>
    public static IReadOnlyList<ConsolePane> Read(IFileProvider webRoot)
    {
        ArgumentNullException.ThrowIfNull(webRoot);
        var panes = new List<ConsolePane>();
        foreach (var folder in webRoot.GetDirectoryContents(Folder).Where(f => f.IsDirectory && PaneId().IsMatch(f.Name)))
        {
            var manifest = webRoot.GetFileInfo($"{Folder}/{folder.Name}/pane.json");
            if (!manifest.Exists || !webRoot.GetFileInfo($"{Folder}/{folder.Name}/pane.js").Exists || ReadManifest(manifest) is not { } read)
            {
                continue;
            }

            var roles = read.Roles is { Count: > 0 } named ? [.. named.Where(Roles.IsKnown)] : new List<string> { Roles.User, Roles.Admin };
            var stylesheet = webRoot.GetFileInfo($"{Folder}/{folder.Name}/pane.css").Exists ? $"/{Folder}/{folder.Name}/pane.css" : null;
            panes.Add(new ConsolePane(folder.Name, read.Title!, read.Order ?? 100, roles, $"/{Folder}/{folder.Name}/pane.js", stylesheet));
        }

        return [.. panes.OrderBy(p => p.Order).ThenBy(p => p.Id, StringComparer.Ordinal)];
    }

    private static ConsolePaneManifest? ReadManifest(IFileInfo file)
    {
        try
        {
            using var stream = file.CreateReadStream();
            var manifest = JsonSerializer.Deserialize(stream, ConsoleJsonContext.Relaxed.ConsolePaneManifest);
            return manifest is { Title.Length: > 0 and <= 40 } ? manifest : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // A pane's id is its folder's name, used in URLs (#id) and paths: lower-case letters, digits and dashes.
    [GeneratedRegex("^[a-z][a-z0-9-]{0,31}$")]
    private static partial Regex PaneId();
}
