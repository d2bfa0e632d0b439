using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Keyward.Cli.Operators;

/// <summary>
/// <c>keyward admin accounts list|show|disable|enable|revoke-sessions</c> and <c>keyward admin invite list|revoke</c>:
/// the admin API from a terminal. Reads need an admin's session; changes also an admin step-up, which the command
/// performs with the key file when Keyward asks for one.
/// </summary>
internal static class AccountCommands
{
    /// <summary><c>keyward admin accounts …</c>.</summary>
    public static Command Accounts()
    {
        var list = new Command("list", "List accounts by name (a page: --limit, --after NAME).");
        var o = OperatorOptions.AddTo(list);
        var limit = new Option<int?>("--limit") { Description = "At most this many (1 to 500; default 100)." };
        var after = new Option<string?>("--after") { Description = "Start after this name (the next_after of the previous page)." };
        list.Options.Add(limit);
        list.Options.Add(after);
        list.SetAction((parse, ct) => OperatorCall.RunAsync(parse, o, mayStepUp: false, (client, token, c) =>
        {
            var query = new List<string>();
            if (parse.GetValue(limit) is { } n)
            {
                query.Add("limit=" + n.ToString(CultureInfo.InvariantCulture));
            }

            if (parse.GetValue(after) is { } a)
            {
                query.Add("after=" + Uri.EscapeDataString(a));
            }

            return client.SendAsync(HttpMethod.Get, "/api/admin/accounts" + (query.Count == 0 ? string.Empty : "?" + string.Join('&', query)), token: token, cancellationToken: c);
        }, RenderList, null, ct));

        var accounts = new Command("accounts", "Accounts: list, show, disable, enable, revoke-sessions.");
        accounts.Subcommands.Add(list);
        accounts.Subcommands.Add(Named("show", "Show an account with its keys and live sessions.", HttpMethod.Get, "", mayStepUp: false, RenderShow));
        accounts.Subcommands.Add(Named("disable", "Disable an account: its sessions end at once and it cannot sign in until enabled (admin step-up).", HttpMethod.Post, "/disable", mayStepUp: true, RenderState));
        accounts.Subcommands.Add(Named("enable", "Enable a disabled account: it may sign in again (admin step-up).", HttpMethod.Post, "/enable", mayStepUp: true, RenderState));
        accounts.Subcommands.Add(Named("revoke-sessions", "End every session of an account (admin step-up).", HttpMethod.Post, "/revoke-sessions", mayStepUp: true, (answer, console) =>
            console.WriteLine($"Ended {Tables.Value(answer, "revoked")} session(s) of {Tables.Value(answer, "account")}.")));
        return accounts;
    }

    /// <summary><c>keyward admin invite list</c>.</summary>
    public static Command InviteList()
    {
        var list = new Command("list", "List pending invites (unused, unexpired); never their tokens.");
        var o = OperatorOptions.AddTo(list);
        list.SetAction((parse, ct) => OperatorCall.RunAsync(parse, o, mayStepUp: false, (client, token, c) =>
            client.SendAsync(HttpMethod.Get, "/api/admin/invites", token: token, cancellationToken: c), (answer, console) =>
        {
            var table = Tables.Create("Id", "Account", "Role", "Re-enroll", "Created by", "Expires");
            foreach (var i in answer.EnumerateArray())
            {
                Tables.Row(table, Tables.Value(i, "id"), Tables.Value(i, "account_name"), Tables.Value(i, "role"), Tables.Value(i, "reenroll"), Tables.Value(i, "created_by"), Tables.When(i, "expires_at"));
            }

            console.Write(table);
        }, null, ct));
        return list;
    }

    /// <summary><c>keyward admin invite revoke ID</c>.</summary>
    public static Command InviteRevoke()
    {
        var revoke = new Command("revoke", "Revoke a pending invite: it can no longer be used (admin step-up).");
        var id = new Argument<Guid>("id") { Description = "The invite's id (keyward admin invite list)." };
        revoke.Arguments.Add(id);
        var o = OperatorOptions.AddTo(revoke);
        revoke.SetAction((parse, ct) => OperatorCall.RunAsync(parse, o, mayStepUp: true, (client, token, c) =>
            client.PostAsync($"/api/admin/invites/{parse.GetValue(id)}/revoke", token, new JsonObject(), c),
            (answer, console) => console.WriteLine($"Revoked invite {Tables.Value(answer, "id")}."),
            new JsonObject { ["id"] = parse.GetValue(id).ToString(), ["revoked"] = true }, ct));
        return revoke;
    }

    private static Command Named(string name, string description, HttpMethod method, string suffix, bool mayStepUp, Action<JsonElement, IAnsiConsole> render)
    {
        var command = new Command(name, description);
        var account = new Argument<string>("account") { Description = "The account's name." };
        command.Arguments.Add(account);
        var o = OperatorOptions.AddTo(command);
        command.SetAction((parse, ct) => OperatorCall.RunAsync(parse, o, mayStepUp, (client, token, c) =>
            client.SendAsync(method, $"/api/admin/accounts/{Uri.EscapeDataString(parse.GetValue(account)!)}{suffix}", method == HttpMethod.Post ? new JsonObject() : null, token, cancellationToken: c),
            render, null, ct));
        return command;
    }

    private static void RenderList(JsonElement answer, IAnsiConsole console)
    {
        var table = Tables.Create("Name", "Role", "Created", "Disabled", "Keys", "Sessions");
        foreach (var a in answer.GetProperty("accounts").EnumerateArray())
        {
            Tables.Row(table, Tables.Value(a, "name"), Tables.Value(a, "role"), Tables.When(a, "created_at"), Tables.When(a, "disabled_at") ?? "no", Tables.Value(a, "key_count"), Tables.Value(a, "session_count"));
        }

        console.Write(table);
        if (Tables.Value(answer, "next_after") is { } next)
        {
            console.WriteLine($"More: --after {next}");
        }
    }

    private static void RenderShow(JsonElement answer, IAnsiConsole console)
    {
        console.WriteLine($"{Tables.Value(answer, "name")} ({Tables.Value(answer, "role")}), created {Tables.When(answer, "created_at")}, "
            + (Tables.When(answer, "disabled_at") is { } disabled ? $"disabled since {disabled}" : "enabled"));
        var keys = Tables.Create("Key id", "Name", "Created", "Last used", "Synced", "Backed up");
        foreach (var k in answer.GetProperty("keys").EnumerateArray())
        {
            Tables.Row(keys, Tables.Value(k, "id"), Tables.Value(k, "name"), Tables.When(k, "created_at"), Tables.When(k, "last_used_at"), Tables.Value(k, "backup_eligible"), Tables.Value(k, "backed_up"));
        }

        console.Write(keys);
        var sessions = Tables.Create("Session id", "Created", "Last seen", "Expires", "Address", "Verified");
        foreach (var s in answer.GetProperty("sessions").EnumerateArray())
        {
            Tables.Row(sessions, Tables.Value(s, "id"), Tables.When(s, "created_at"), Tables.When(s, "last_seen_at"), Tables.When(s, "expires_at"), Tables.Value(s, "client_address"), Tables.Value(s, "user_verified"));
        }

        console.Write(sessions);
    }

    private static void RenderState(JsonElement answer, IAnsiConsole console)
    {
        var state = answer.GetProperty("disabled").GetBoolean() ? "disabled" : "enabled";
        var change = answer.GetProperty("changed").GetBoolean() ? $"is now {state}" : $"was already {state}";
        console.WriteLine($"{Tables.Value(answer, "account")} {change}; {Tables.Value(answer, "sessions_ended")} session(s) ended.");
    }
}
