using System.Globalization;
using System.Text.RegularExpressions;

namespace Keyward.LoadBench.Load;

/// <summary>
/// Reads what <c>wrk --latency</c> prints: the completed count and time, the latency distribution, non-2xx/3xx
/// answers and socket errors. wrk counts an answer with status 400 or above as an error and still as completed.
/// </summary>
internal static partial class WrkOutput
{
    public static RunResult Parse(string output)
    {
        var total = Total().Match(output);
        if (!total.Success)
        {
            throw new InvalidOperationException("wrk printed no \"N requests in T\" line:\n" + output);
        }

        var completed = long.Parse(total.Groups["n"].Value, CultureInfo.InvariantCulture);
        var elapsed = Duration(total.Groups["t"].Value, total.Groups["u"].Value);
        var non2xx = NonSuccess().Match(output) is { Success: true } m ? long.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture) : 0;
        var socket = SocketErrors().Match(output) is { Success: true } s
            ? new[] { "connect", "read", "write", "timeout" }.Sum(g => long.Parse(s.Groups[g].Value, CultureInfo.InvariantCulture))
            : 0;

        double? p50 = null, p99 = null;
        foreach (Match line in Distribution().Matches(output))
        {
            var value = Duration(line.Groups["t"].Value, line.Groups["u"].Value).TotalMilliseconds;
            switch (line.Groups["q"].Value)
            {
                case "50":
                    p50 = value;
                    break;
                case "99":
                    p99 = value;
                    break;
            }
        }

        if (completed > 0 && (p50 is null || p99 is null))
        {
            throw new InvalidOperationException("wrk printed no latency distribution (was --latency passed?):\n" + output);
        }

        string? error = non2xx + socket > 0 ? $"wrk: {non2xx} non-2xx/3xx answers, {socket} socket errors" : null;
        return new RunResult(completed - non2xx, non2xx + socket, elapsed, p50 ?? 0, p99 ?? 0, error);
    }

    private static TimeSpan Duration(string number, string unit)
    {
        var value = double.Parse(number, CultureInfo.InvariantCulture);
        return unit switch
        {
            "us" => TimeSpan.FromMicroseconds(value),
            "ms" => TimeSpan.FromMilliseconds(value),
            "s" => TimeSpan.FromSeconds(value),
            "m" => TimeSpan.FromMinutes(value),
            "h" => TimeSpan.FromHours(value),
            _ => throw new InvalidOperationException($"wrk printed an unknown time unit '{unit}'."),
        };
    }

    [GeneratedRegex(@"^\s*(?<n>\d+) requests in (?<t>[\d.]+)(?<u>us|ms|s|m|h)", RegexOptions.Multiline)]
    private static partial Regex Total();

    [GeneratedRegex(@"^\s*(?<q>\d+)%\s+(?<t>[\d.]+)(?<u>us|ms|s|m|h)\s*$", RegexOptions.Multiline)]
    private static partial Regex Distribution();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (?<n>\d+)")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"Socket errors: connect (?<connect>\d+), read (?<read>\d+), write (?<write>\d+), timeout (?<timeout>\d+)")]
    private static partial Regex SocketErrors();
}
