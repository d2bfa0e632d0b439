using System.CommandLine;
using System.Text.Json.Nodes;
using Keyward.Cli.Audit;
using Keyward.Core.Storage;
using Keyward.Server.Audit;
using Keyward.Server.Keys;

namespace Keyward.Cli.Tests.Audit;

/// <summary><c>keyward audit export</c> and <c>keyward audit verify</c>: exit codes 0 intact, 1 tampered, 2 unusable, with plain messages.</summary>
public sealed class AuditCommandTests : IDisposable
{
    private readonly AuditDataDirectory _data = new();

    [Fact]
    public async Task ExportThenVerify_UntouchedLog_ExitsZero()
    {
        await _data.FillAsync(30, 10, 25);
        var file = new FileInfo(_data.Combine("audit.jsonl"));

        Assert.Equal(0, await AuditCommands.ExportAsync(_data.Path, new StorageOptions(), file, TextWriter.Null, default));
        var (code, output, _) = await VerifyAsync(file);

        Assert.Equal(0, code);
        Assert.StartsWith("Intact: 30 events and 2 signed tree heads", output, StringComparison.Ordinal);
        Assert.Contains("5 events recorded after that head", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_WithThePublishedKeyPinned_ExitsZero()
    {
        await _data.FillAsync(12, 12);
        var file = new FileInfo(_data.Combine("audit.jsonl"));
        await AuditCommands.ExportAsync(_data.Path, new StorageOptions(), file, TextWriter.Null, default);

        var (code, _, _) = await VerifyAsync(file, new FileInfo(AuditKeyFile.PublicKeyPath(_data.Path)));

        Assert.Equal(0, code);
    }

    [Theory]
    [InlineData("modify")]
    [InlineData("delete")]
    [InlineData("reorder")]
    [InlineData("insert")]
    public async Task Verify_OneEventTampered_ExitsOneAndNamesIt(string how)
    {
        await _data.FillAsync(20, 20);
        var file = new FileInfo(_data.Combine("audit.jsonl"));
        await AuditCommands.ExportAsync(_data.Path, new StorageOptions(), file, TextWriter.Null, default);
        var lines = (await File.ReadAllLinesAsync(file.FullName)).ToList();
        const int eventLine = 2 + 7;
        switch (how)
        {
            case "modify":
                var modified = JsonNode.Parse(lines[eventLine])!;
                modified["event"]!["outcome"] = "denied";
                lines[eventLine] = modified.ToJsonString();
                break;
            case "delete":
                lines.RemoveAt(eventLine);
                break;
            case "reorder":
                (lines[eventLine], lines[eventLine + 1]) = (lines[eventLine + 1], lines[eventLine]);
                break;
            default:
                var forged = JsonNode.Parse(lines[eventLine])!;
                forged["event"]!["actor"] = "mallory";
                lines.Insert(eventLine, forged.ToJsonString());
                break;
        }

        await File.WriteAllLinesAsync(file.FullName, lines);

        var (code, output, _) = await VerifyAsync(file);

        Assert.Equal(1, code);
        Assert.StartsWith("Tampered: ", output, StringComparison.Ordinal);
        Assert.Contains(how == "insert" ? "sequence 7" : "Event 7", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_MissingFile_ExitsTwo()
    {
        var (code, output, error) = await VerifyAsync(new FileInfo(_data.Combine("nope.jsonl")));

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hello world\n", "not JSON")]
    [InlineData("{\"type\":\"header\",\"format\":\"keyward-audit-export\",\"version\":9,\"tree_size\":0}\n", "format version is 9")]
    [InlineData("[1,2,3]\n", "header")]
    public async Task Verify_UnusableFile_ExitsTwoWithAPlainMessage(string content, string expected)
    {
        var file = new FileInfo(_data.Combine("bad.jsonl"));
        await File.WriteAllTextAsync(file.FullName, content);

        var (code, _, error) = await VerifyAsync(file);

        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_NoDatabase_ExitsTwo()
    {
        using var error = new StringWriter();

        Assert.Equal(2, await AuditCommands.ExportAsync(_data.Path, new StorageOptions(), new FileInfo(_data.Combine("x.jsonl")), error, default));
        Assert.Contains("No Keyward database", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_ThroughTheCommandLine_HonoursStorageArguments()
    {
        await _data.FillAsync(3, 3);
        var root = new RootCommand { AuditCommands.Create() };
        var file = _data.Combine("cli.jsonl");

        var code = await root.Parse(["audit", "export", "--data-dir", _data.Path, "--out", file, "--Keyward:Storage:Provider=Sqlite"]).InvokeAsync();

        Assert.Equal(0, code);
        Assert.Equal(1 + 1 + 3, (await File.ReadAllLinesAsync(file)).Length);
    }

    [Fact]
    public void LoadOrCreate_FirstStart_WritesAnOwnerOnlyKeyAndReusesIt()
    {
        using var first = AuditKeyFile.LoadOrCreate(_data.Path);
        using var second = AuditKeyFile.LoadOrCreate(_data.Path);

        Assert.Equal(first.KeyId, second.KeyId);
        Assert.Equal(first.SubjectPublicKeyInfo, AuditKeyFile.ReadPublicKey(_data.Path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(AuditKeyFile.PrivateKeyPath(_data.Path)));
        }
    }

    public void Dispose() => _data.Dispose();

    private static async Task<(int Code, string Output, string Error)> VerifyAsync(FileInfo file, FileInfo? key = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await AuditCommands.VerifyAsync(file, key, output, error, interactive: false, default);
        return (code, output.ToString(), error.ToString());
    }
}
