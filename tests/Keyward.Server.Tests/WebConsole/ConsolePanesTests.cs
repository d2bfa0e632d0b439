using Keyward.Server.Hosting;
using Keyward.Testing;
using Microsoft.Extensions.FileProviders;

namespace Keyward.Server.Tests.WebConsole;

/// <summary>
/// The console's panes are the folders under <c>wwwroot/console/panes</c> with a usable <c>pane.json</c> and a
/// <c>pane.js</c>: adding a pane is adding one folder, and a folder that is not a pane is left out of the navigation.
/// </summary>
public sealed class ConsolePanesTests
{
    [Fact]
    public void Read_Folders_ListsOnlyCompletePanesWithSafeIdsInOrder()
    {
        using var root = new TempDirectory("keyward-panes-");
        Pane(root, "support", """{"title": "Support", "order": 20, "roles": ["user", "admin"]}""", css: true);
        Pane(root, "account", """{"title": "Account", "order": 10}""");
        Pane(root, "admin-only", """{"title": "Admin", "order": 30, "roles": ["admin", "root"]}""");
        Pane(root, "no-module", """{"title": "No module"}""", js: false);
        Pane(root, "Bad_Id", """{"title": "Bad id"}""");
        Pane(root, "broken", "{ not json");
        Pane(root, "untitled", """{"order": 1}""");
        using var files = new PhysicalFileProvider(root.Path);

        var panes = ConsolePanes.Read(files);

        Assert.Equal(["account", "support", "admin-only"], panes.Select(p => p.Id));
        Assert.Equal(["user", "admin"], panes[0].Roles);
        Assert.Equal(["admin"], panes[2].Roles);
        Assert.Equal("/console/panes/support/pane.js", panes[1].Module);
        Assert.Equal("/console/panes/support/pane.css", panes[1].Stylesheet);
        Assert.Null(panes[0].Stylesheet);
    }

    [Fact]
    public void Read_NoPanesFolder_ListsNone()
    {
        using var root = new TempDirectory("keyward-panes-");
        using var files = new PhysicalFileProvider(root.Path);

        Assert.Empty(ConsolePanes.Read(files));
    }

    private static void Pane(TempDirectory root, string id, string manifest, bool js = true, bool css = false)
    {
        var folder = Directory.CreateDirectory(root.Combine("console", "panes", id)).FullName;
        File.WriteAllText(Path.Combine(folder, "pane.json"), manifest);
        if (js)
        {
            File.WriteAllText(Path.Combine(folder, "pane.js"), "export async function mount() {}");
        }

        if (css)
        {
            File.WriteAllText(Path.Combine(folder, "pane.css"), "");
        }
    }
}
