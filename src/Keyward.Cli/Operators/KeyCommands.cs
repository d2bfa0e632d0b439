using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Keyward.Cli.Operators;

/// <summary>
/// <c>keyward keys list|rename|remove</c> and <c>keyward sessions list|revoke</c>: the signed-in person's own keys and
/// sessions. Removing a key needs a <c>key.remove</c> step-up for it, which the command performs with the key file.
/// </summary>
internal static class KeyCommands
{
    /// <summary><c>keyward keys …</c>.</summary>
    public static Command Keys()
    {
        var list = new Command("list", "List your security keys.");
        var lo = OperatorOptions.AddTo(list);
        list.SetAction((parse, ct) => OperatorCall.RunAsync(parse, lo, mayStepUp: false, (client, token, c) =>
            client.SendAsync(HttpMethod.Get, "/api/keys", token: token, cancellationToken: c), (answer, console) =>
        {
            var table = Tables.Create("Id", "Name", "Created", "Last used", "Synced", "This session");
            foreach (var k in answer.EnumerateArray())
            {
                Tables.Row(table, Tables.Value(k, "id"), Tables.Value(k, "name"), Tables.When(k, "created_at"), Tables.When(k, "last_used_at"), Tables.Value(k, "backup_eligible"), Tables.Value(k, "current"));
            }

            console.Write(table);
        }, null, ct));

        var rename = new Command("rename", "Rename one of your keys.");
        var renameId = new Argument<Guid>("id") { Description = "The key's id (keyward keys list)." };
        var name = new Argument<string>("name") { Description = "Its new name (1 to 200 characters)." };
        rename.Arguments.Add(renameId);
        rename.Arguments.Add(name);
        var ro = OperatorOptions.AddTo(rename);
        rename.SetAction((parse, ct) => OperatorCall.RunAsync(parse, ro, mayStepUp: false, (client, token, c) =>
            client.SendAsync(HttpMethod.Patch, $"/api/keys/{parse.GetValue(renameId)}", new JsonObject { ["name"] = parse.GetValue(name) }, token, cancellationToken: c),
            (answer, console) => console.WriteLine($"Renamed key {Tables.Value(answer, "id")} to \"{Tables.Value(answer, "name")}\"."),
            new JsonObject { ["id"] = parse.GetValue(renameId).ToString(), ["name"] = parse.GetValue(name)?.Trim() }, ct));

        var remove = new Command("remove", "Remove one of your keys (not the last); the sessions it opened end (key.remove step-up with the key file).");
        var removeId = new Argument<Guid>("id") { Description = "The key's id (keyward keys list)." };
        remove.Arguments.Add(removeId);
        var mo = OperatorOptions.AddTo(remove);
        remove.SetAction((parse, ct) => OperatorCall.RunAsync(parse, mo, mayStepUp: true, (client, token, c) =>
            client.SendAsync(HttpMethod.Delete, $"/api/keys/{parse.GetValue(removeId)}", token: token, cancellationToken: c),
            (answer, console) => console.WriteLine($"Removed key {parse.GetValue(removeId)}; {Tables.Value(answer, "sessions_ended") ?? "its"} session(s) ended."), null, ct));

        var keys = new Command("keys", "Your security keys: list, rename, remove.");
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(rename);
        keys.Subcommands.Add(remove);
        return keys;
    }

    /// <summary><c>keyward sessions …</c>.</summary>
    public static Command Sessions()
    {
        var list = new Command("list", "List your live sessions.");
        var lo = OperatorOptions.AddTo(list);
        list.SetAction((parse, ct) => OperatorCall.RunAsync(parse, lo, mayStepUp: false, (client, token, c) =>
            client.SendAsync(HttpMethod.Get, "/session/list", token: token, cancellationToken: c), (answer, console) =>
        {
            var table = Tables.Create("Id", "This one", "Created", "Expires", "Verified", "Address");
            foreach (var s in answer.EnumerateArray())
            {
                Tables.Row(table, Tables.Value(s, "id"), Tables.Value(s, "current"), Tables.When(s, "created_at"), Tables.When(s, "expires_at"), Tables.Value(s, "user_verified"), Tables.Value(s, "client_address"));
            }

            console.Write(table);
        }, null, ct));

        var revoke = new Command("revoke", "End one of your sessions.");
        var id = new Argument<Guid>("id") { Description = "The session's id (keyward sessions list)." };
        revoke.Arguments.Add(id);
        var vo = OperatorOptions.AddTo(revoke);
        revoke.SetAction((parse, ct) => OperatorCall.RunAsync(parse, vo, mayStepUp: false, (client, token, c) =>
            client.SendAsync(HttpMethod.Delete, $"/session/{parse.GetValue(id)}", token: token, cancellationToken: c),
            (answer, console) => console.WriteLine($"Revoked session {Tables.Value(answer, "id")}."),
            new JsonObject { ["id"] = parse.GetValue(id).ToString(), ["revoked"] = true }, ct));

        var sessions = new Command("sessions", "Your sessions: list, revoke.");
        sessions.Subcommands.Add(list);
        sessions.Subcommands.Add(revoke);
        return sessions;
    }
}
