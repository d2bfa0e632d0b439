using System.Text.Json;

namespace Keyward.Server.Tests.Infrastructure;

/// <summary>What the echo upstream says it received.</summary>
internal sealed class UpstreamView
{
    private readonly Dictionary<string, string[]> _headers;

    private UpstreamView(string path, Dictionary<string, string[]> headers)
    {
        Path = path;
        _headers = headers;
    }

    public string Path { get; }

    public IReadOnlyCollection<string> HeaderNames => _headers.Keys;

    public static UpstreamView Parse(KeywardResponse response)
    {
        Assert.True(response.StatusCode == 200, $"The proxy answered {response.StatusCode}: {response.Body}");
        var root = response.Json;
        Assert.Equal("echo", root.GetProperty("upstream").GetString());
        var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in root.GetProperty("headers").EnumerateObject())
        {
            headers[header.Name] = [.. header.Value.EnumerateArray().Select(v => v.GetString() ?? string.Empty)];
        }

        return new UpstreamView(root.GetProperty("path").GetString()!, headers);
    }

    public bool Has(string name) => _headers.ContainsKey(name);

    /// <summary>The header's values joined with ", ", or null when absent.</summary>
    public string? Header(string name) => _headers.TryGetValue(name, out var values) ? string.Join(", ", values) : null;

    /// <summary>The cookies the upstream received, by name (case-sensitive, as sent).</summary>
    public IReadOnlyList<string> Cookies() =>
        Header("Cookie") is { } cookie
            ? [.. cookie.Split([';', ','], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)]
            : [];

    public override string ToString() => JsonSerializer.Serialize(_headers);
}
