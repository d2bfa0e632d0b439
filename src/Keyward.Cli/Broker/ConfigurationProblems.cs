using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Keyward.Cli.Broker;

/// <summary>
/// Turns a misconfiguration found while Keyward is built or started into one line per problem, each naming the
/// setting and how to fix it, and never the value (it may be a secret).
/// </summary>
internal static partial class ConfigurationProblems
{
    /// <summary>The lines for <paramref name="exception"/>, or false when it is not (only) a configuration problem.</summary>
    public static bool TryDescribe(Exception exception, out IReadOnlyList<string> lines)
    {
        var found = new List<string>();
        lines = found;
        return Collect(exception, found);
    }

    private static bool Collect(Exception exception, List<string> lines)
    {
        switch (exception)
        {
            case AggregateException several:
                return several.InnerExceptions.Count > 0 && several.InnerExceptions.All(inner => Collect(inner, lines));
            case Keyward.Server.Http.KeywardStartupException startup:
                lines.Add(startup.Message);
                return true;
            case InvalidDataException unreadable when unreadable.GetBaseException() is System.Text.Json.JsonException json:
                // "Failed to load configuration from file '…'": the JSON reader's position, never the file's content.
                lines.Add($"{unreadable.Message.TrimEnd('.')}: it is not valid JSON ({json.Message.Split('\n')[0].Trim()}).");
                return true;
            case OptionsValidationException invalid:
                lines.AddRange(invalid.Failures);
                return true;
            case InvalidOperationException binder when BinderFailure().Match(binder.Message) is { Success: true } match:
                lines.Add(Describe(match.Groups["setting"].Value, match.Groups["type"].Value));
                return true;
            default:
                return false;
        }
    }

    /// <summary><c>Keyward:Sessions:IdleTimeout must be a duration written hh:mm:ss or d.hh:mm:ss (e.g. 00:15:00).</c></summary>
    private static string Describe(string setting, string typeName)
    {
        if (NullableOf().Match(typeName) is { Success: true } nullable)
        {
            typeName = nullable.Groups["inner"].Value;
        }

        var expected = typeName switch
        {
            "System.TimeSpan" => "a duration written hh:mm:ss or d.hh:mm:ss (e.g. 00:15:00 for 15 minutes, 1.00:00:00 for a day)",
            "System.Int32" or "System.Int64" or "System.Int16" or "System.UInt32" or "System.UInt64" or "System.UInt16" or "System.Byte" => "a whole number",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.Boolean" => "true or false",
            "System.Uri" => "an absolute URL",
            _ when FindEnum(typeName) is { } names => $"one of: {string.Join(", ", names)}",
            _ => $"a value of type {typeName[(typeName.LastIndexOf('.') + 1)..]}",
        };
        return $"{setting} must be {expected}.";
    }

    private static string[]? FindEnum(string typeName) => AppDomain.CurrentDomain.GetAssemblies()
        .Select(assembly => assembly.GetType(typeName, throwOnError: false))
        .FirstOrDefault(type => type is { IsEnum: true }) is { } found ? Enum.GetNames(found) : null;

    // The binder's words (Microsoft.Extensions.Configuration.Binder, Error_FailedBinding); the value it quotes is dropped.
    [GeneratedRegex(@"^Failed to convert configuration value .*at '(?<setting>[^']+)' to type '(?<type>[^']+)'\.?$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex BinderFailure();

    [GeneratedRegex(@"^System\.Nullable`1\[\[(?<inner>[^,\]]+)", RegexOptions.CultureInvariant)]
    private static partial Regex NullableOf();
}
