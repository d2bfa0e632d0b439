using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Keyward.Client;
using Spectre.Console;

namespace Keyward.Cli.Operators;

/// <summary>
/// <c>keyward audit tail [--limit N] [--no-follow] [--interval SECONDS] [--json]</c>: the last events of the audit log,
/// then (by default) every new one as it is recorded until Ctrl-C, by polling <c>GET /api/audit/events</c> with an
/// <c>after</c> cursor (an admin's session). <c>--json</c> prints one JSON object per event, one per line.
/// </summary>
internal static class AuditTailCommand
{
    // The API's largest page (AuditQuery.MaxLimit).
    private const int Page = 500;

    public static Command Create()
    {
        var tail = new Command("tail", "Show the last audit events, then follow new ones as they are recorded until Ctrl-C (an admin's session).");
        var o = OperatorOptions.AddTo(tail);
        var limit = new Option<int>("--limit", "-n") { Description = "How many of the latest events to show first (0 to 500).", DefaultValueFactory = _ => 20 };
        var noFollow = new Option<bool>("--no-follow") { Description = "Print the latest events and stop." };
        var interval = new Option<double>("--interval") { Description = "Seconds between polls while following (0.2 to 60).", DefaultValueFactory = _ => 2 };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > Page)
            {
                r.AddError("--limit is 0 to 500.");
            }
        });
        interval.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0.2 or > 60)
            {
                r.AddError("--interval is 0.2 to 60 seconds.");
            }
        });
        tail.Options.Add(limit);
        tail.Options.Add(noFollow);
        tail.Options.Add(interval);
        tail.SetAction((parse, ct) => Broker.SessionCommands.RunAsync(parse, o.Server, o.CaCert, async () =>
        {
            var (client, http, token) = OperatorCall.Connect(parse, o);
            using (http)
            {
                await TailAsync(client, token, parse.GetValue(limit), !parse.GetValue(noFollow), TimeSpan.FromSeconds(parse.GetValue(interval)), parse.GetValue(o.Json), parse.InvocationConfiguration.Output, ct).ConfigureAwait(false);
            }
        }));
        return tail;
    }

    /// <summary>Prints the last <paramref name="last"/> events, then follows until <paramref name="cancellationToken"/> fires.</summary>
    internal static async Task TailAsync(KeywardClient client, string token, int last, bool follow, TimeSpan interval, bool json, TextWriter output, CancellationToken cancellationToken)
    {
        // The newest events in one request (latest=true), however long the log is; then follow from the last one.
        var (recent, _) = await PageAsync(client, token, $"latest=true&limit={Math.Max(last, 1).ToString(CultureInfo.InvariantCulture)}", cancellationToken).ConfigureAwait(false);
        // Sequences start at 0, so an empty log is followed from its start (no after), not from after=0.
        long? after = recent.Count == 0 ? null : recent.Max(e => e.GetProperty("sequence").GetInt64());
        if (last == 0)
        {
            recent.Clear();
        }

        var console = OperatorCall.Console(output);
        foreach (var e in recent)
        {
            Print(e, json, output, console);
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        while (follow && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                var from = after is { } cursor ? $"after={cursor.ToString(CultureInfo.InvariantCulture)}&" : string.Empty;
                var (events, _) = await PageAsync(client, token, $"{from}limit={Page.ToString(CultureInfo.InvariantCulture)}", cancellationToken).ConfigureAwait(false);
                foreach (var e in events)
                {
                    Print(e, json, output, console);
                    after = Math.Max(after ?? -1, e.GetProperty("sequence").GetInt64());
                }

                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: a normal end.
            }
        }
    }

    private static async Task<(List<JsonElement> Events, string? Next)> PageAsync(KeywardClient client, string token, string query, CancellationToken cancellationToken)
    {
        var path = "/api/audit/events?" + query;
        var response = (await client.SendAsync(HttpMethod.Get, path, token: token, cancellationToken: cancellationToken).ConfigureAwait(false)).EnsureSuccess();
        var answer = response.Json;
        var next = answer.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        return ([.. answer.GetProperty("events").EnumerateArray().Select(e => e.Clone())], next);
    }

    internal static void Print(JsonElement e, bool json, TextWriter output, IAnsiConsole console)
    {
        if (json)
        {
            output.WriteLine(e.GetRawText());
            return;
        }

        var details = e.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object
            ? string.Join(' ', d.EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}"))
            : string.Empty;
        console.WriteLine(Tables.Safe(string.Join("  ", new[]
        {
            Tables.Value(e, "sequence"), Tables.When(e, "recorded_at"), Tables.Value(e, "outcome"), Tables.Value(e, "action"),
            Tables.Value(e, "actor"), Tables.Value(e, "target") ?? "-", details,
        }.Where(s => !string.IsNullOrEmpty(s)))));
    }
}
