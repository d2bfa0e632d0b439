using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.Cli.Broker;
using Keyward.Cli.Operators;
using Keyward.Client;
using Spectre.Console;

namespace Keyward.Cli.Approvals;

/// <summary>
/// <c>keyward approvals list|show|approve|deny</c> (docs/approvals.md): what awaits the signed-in approver's vote, one
/// request in plain words with its digest, an approval signed with the virtual key file over the operation's
/// challenge (<c>vote/begin</c>, then <c>vote/finish</c>), and a denial.
/// </summary>
internal static class ApprovalCommands
{
    /// <summary><c>keyward approvals …</c>.</summary>
    public static Command Create()
    {
        var list = new Command("list", "List the approval requests awaiting your vote and those you proposed.");
        var lo = OperatorOptions.AddTo(list);
        list.SetAction((parse, ct) => OperatorCall.RunAsync(parse, lo, mayStepUp: false, (client, token, c) =>
            client.SendAsync(HttpMethod.Get, "/api/approvals", token: token, cancellationToken: c), (answer, console) =>
        {
            foreach (var (title, field) in new[] { ("Awaiting your vote", "awaiting_my_vote"), ("Proposed by you", "proposed_by_me") })
            {
                console.WriteLine(title + ":");
                var table = Tables.Create("Id", "Kind", "Summary", "Votes", "Expires");
                foreach (var r in answer.GetProperty(field).EnumerateArray())
                {
                    Tables.Row(table, Tables.Value(r, "id"), Tables.Value(r, "kind"), Tables.Value(r, "summary"), r.GetProperty("votes").GetArrayLength().ToString(System.Globalization.CultureInfo.InvariantCulture), Tables.When(r, "expires_at"));
                }

                console.Write(table);
            }
        }, null, ct));

        var show = new Command("show", "Show one approval request: the operation in plain words, its parameters and digest.");
        var showId = Id();
        show.Arguments.Add(showId);
        var so = OperatorOptions.AddTo(show);
        show.SetAction((parse, ct) => OperatorCall.RunAsync(parse, so, mayStepUp: false, (client, token, c) =>
            client.SendAsync(HttpMethod.Get, $"/api/approvals/{parse.GetValue(showId)}", token: token, cancellationToken: c), Render, null, ct));

        var approve = new Command("approve", "Approve a request with the key file: the key signs the operation's challenge.");
        var approveId = Id();
        approve.Arguments.Add(approveId);
        var ao = OperatorOptions.AddTo(approve);
        approve.SetAction((parse, ct) => SessionCommands.RunAsync(parse, ao.Server, ao.CaCert, async () =>
        {
            var id = parse.GetValue(approveId);
            var token = File.ReadAllText(parse.GetValue(ao.TokenFile)!.FullName).Trim();
            var (http, key, path, passphrase) = SessionCommands.Open(parse, ao.Server, ao.CaCert, ao.Resolve, ao.KeyFile, parse.GetValue(ao.TokenFile)!.FullName);
            using (http)
            {
                var client = new KeywardClient(http);
                var begun = (await client.SendAsync(HttpMethod.Post, $"/api/approvals/{id}/vote/begin", new JsonObject(), token, cancellationToken: ct).ConfigureAwait(false)).EnsureSuccess();
                using var options = JsonDocument.Parse(begun.Body);
                var assertion = key.GetAssertion(options.RootElement.GetProperty("public_key").GetRawText(), client.Origin);

                // The assertion moved the key's signature counter: keep it, whatever Keyward answers.
                key.Save(path, passphrase);
                var finished = (await client.SendAsync(HttpMethod.Post, $"/api/approvals/{id}/vote/finish", new JsonObject { ["credential"] = JsonNode.Parse(assertion) }, token, cancellationToken: ct).ConfigureAwait(false)).EnsureSuccess();
                using var answer = JsonDocument.Parse(finished.Body);
                OperatorCall.Write(parse, ao, answer.RootElement, (a, console) => console.WriteLine(
                    a.GetProperty("applied").GetBoolean()
                        ? $"Approved {id}: the quorum is complete and the operation was applied."
                        : $"Approved {id} (group {Tables.Value(a, "group")}); still missing: {string.Join(", ", a.GetProperty("missing").EnumerateObject().Select(m => $"{m.Value} in {m.Name}"))}."));
            }
        }));

        var deny = new Command("deny", "Deny a request (an approver's veto): it takes no more votes.");
        var denyId = Id();
        deny.Arguments.Add(denyId);
        var dO = OperatorOptions.AddTo(deny);
        deny.SetAction((parse, ct) => OperatorCall.RunAsync(parse, dO, mayStepUp: false, (client, token, c) =>
            client.SendAsync(HttpMethod.Post, $"/api/approvals/{parse.GetValue(denyId)}/deny", new JsonObject(), token, cancellationToken: c), Render, null, ct));

        var approvals = new Command("approvals", "M-of-N approvals: list, show, approve (with the key file), deny.");
        approvals.Subcommands.Add(list);
        approvals.Subcommands.Add(show);
        approvals.Subcommands.Add(approve);
        approvals.Subcommands.Add(deny);
        return approvals;
    }

    private static Argument<Guid> Id() => new("id") { Description = "The approval request's id (keyward approvals list)." };

    private static void Render(JsonElement r, IAnsiConsole console)
    {
        console.WriteLine($"{Tables.Value(r, "summary")}");
        var table = Tables.Create("Field", "Value");
        foreach (var field in new[] { "id", "kind", "target", "state", "operation_digest", "parameters_digest", "operator_account_id", "proposed_by" })
        {
            Tables.Row(table, field, Tables.Value(r, field));
        }

        foreach (var p in r.GetProperty("parameters").EnumerateObject())
        {
            Tables.Row(table, "parameter " + p.Name, p.Value.GetString());
        }

        Tables.Row(table, "expires_at", Tables.When(r, "expires_at"));
        Tables.Row(table, "votes", r.GetProperty("votes").GetArrayLength().ToString(System.Globalization.CultureInfo.InvariantCulture));
        console.Write(table);
    }
}
