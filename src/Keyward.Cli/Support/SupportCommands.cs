using System.CommandLine;
using System.Text.Json.Nodes;
using Keyward.Cli.Operators;
using Spectre.Console;

namespace Keyward.Cli.Support;

/// <summary>
/// <c>keyward support open|list|end|join</c>: the technician's side of remote support (docs/remote-support.md) with the
/// saved session. <c>open</c> without <c>--machine</c> opens an ad-hoc session and prints its support code (shown
/// once); <c>join</c> prints a single-use join token for the session's viewer socket, stepping up with the key file when
/// the session is unattended.
/// </summary>
internal static class SupportCommands
{
    private const string Sessions = "/api/support/sessions";

    /// <summary><c>keyward support …</c>.</summary>
    public static Command Create()
    {
        var support = new Command("support", "Remote support, technician side: open, list, end and join support sessions.");
        support.Subcommands.Add(Open());
        support.Subcommands.Add(List());
        support.Subcommands.Add(End());
        support.Subcommands.Add(Join());
        return support;
    }

    private static Command Open()
    {
        var open = new Command("open", "Open a support session for an enrolled machine, or an ad-hoc one that prints a support code (shown once).");
        var reason = new Option<string>("--reason") { Description = "Why (shown to the person at the machine), 1 to 500 characters.", Required = true };
        var machineId = new Argument<Guid?>("machine-id") { Description = "The enrolled machine's id (keyward agent machines list); leave it out with --ad-hoc.", Arity = ArgumentArity.ZeroOrOne };
        var machine = new Option<Guid?>("--machine") { Description = "The enrolled machine's id (same as the argument)." };
        var adHoc = new Option<bool>("--ad-hoc") { Description = "An ad-hoc session for a machine that is not enrolled: prints a support code (shown once) for the person there to type." };
        var unattended = new Option<bool>("--unattended") { Description = "Skip the consent of the person at the machine (only where its policy allows)." };
        open.Arguments.Add(machineId);
        open.Options.Add(reason);
        open.Options.Add(machine);
        open.Options.Add(adHoc);
        open.Options.Add(unattended);
        open.Validators.Add(result =>
        {
            var hasMachine = result.GetValue(machineId) is not null || result.GetValue(machine) is not null;
            if (hasMachine && result.GetValue(adHoc))
            {
                result.AddError("Give a machine id or --ad-hoc, not both.");
            }
            else if (result.GetValue(machineId) is not null && result.GetValue(machine) is not null)
            {
                result.AddError("Give the machine id once (as the argument or with --machine).");
            }
            else if (!hasMachine && result.GetValue(unattended))
            {
                result.AddError("An ad-hoc session is always attended: --unattended needs an enrolled machine's id.");
            }
        });
        var o = OperatorOptions.AddTo(open);
        open.SetAction((parse, ct) => OperatorCall.RunAsync(parse, o, mayStepUp: false, (client, token, c) =>
        {
            var body = new JsonObject { ["reason"] = parse.GetValue(reason), ["attended"] = !parse.GetValue(unattended) };
            if ((parse.GetValue(machineId) ?? parse.GetValue(machine)) is { } id)
            {
                body["machine_id"] = id.ToString();
            }

            return client.SendAsync(HttpMethod.Post, Sessions, body, token, cancellationToken: c);
        }, (answer, console) =>
        {
            console.WriteLine($"Opened support session {Tables.Value(answer, "id")} ({Tables.Value(answer, "state")}, expires {Tables.When(answer, "expires_at")}).");
            if (Tables.Value(answer, "support_code") is { Length: > 0 } code)
            {
                console.WriteLine($"Support code (single use, until {Tables.When(answer, "support_code_expires_at")}): {code}");
                console.WriteLine("The person at the machine runs: keyward agent run --server URL --cacert CA --support-code CODE");
            }
        }, null, ct));
        return open;
    }

    private static Command List()
    {
        var list = new Command("list", "List open support sessions (yours; an admin's: all).");
        var o = OperatorOptions.AddTo(list);
        list.SetAction((parse, ct) => OperatorCall.RunAsync(parse, o, mayStepUp: false, (client, token, c) =>
            client.SendAsync(HttpMethod.Get, Sessions, token: token, cancellationToken: c), (answer, console) =>
        {
            var table = Tables.Create("Id", "Machine", "Attended", "State", "Reason", "Created", "Expires");
            foreach (var s in answer.GetProperty("sessions").EnumerateArray())
            {
                Tables.Row(table, Tables.Value(s, "id"), Tables.Value(s, "machine_id") ?? "ad hoc", Tables.Value(s, "attended"), Tables.Value(s, "state"), Tables.Value(s, "reason"), Tables.When(s, "created_at"), Tables.When(s, "expires_at"));
            }

            console.Write(table);
        }, null, ct));
        return list;
    }

    private static Command End()
    {
        var end = new Command("end", "End a support session (yours; an admin: any); its viewers are closed.");
        var id = new Argument<Guid>("id") { Description = "The support session's id (keyward support list)." };
        end.Arguments.Add(id);
        var o = OperatorOptions.AddTo(end);
        end.SetAction((parse, ct) => OperatorCall.RunAsync(parse, o, mayStepUp: false, (client, token, c) =>
            client.SendAsync(HttpMethod.Post, $"{Sessions}/{parse.GetValue(id)}/end", new JsonObject(), token, cancellationToken: c),
            (answer, console) => console.WriteLine($"Ended support session {Tables.Value(answer, "id")}."), null, ct));
        return end;
    }

    private static Command Join()
    {
        var join = new Command("join", "Mint a single-use join token for a support session's viewer socket (support.join step-up with the key file when unattended).");
        var id = new Argument<Guid>("id") { Description = "The support session's id (keyward support list)." };
        join.Arguments.Add(id);
        var o = OperatorOptions.AddTo(join);
        join.SetAction((parse, ct) => OperatorCall.RunAsync(parse, o, mayStepUp: true, (client, token, c) =>
            client.SendAsync(HttpMethod.Post, $"{Sessions}/{parse.GetValue(id)}/join", new JsonObject(), token, cancellationToken: c),
            (answer, console) => console.WriteLine($"Join token (single use, until {Tables.When(answer, "expires_at")}) for {Tables.Value(answer, "viewer_path")}: {Tables.Value(answer, "join_token")}"),
            null, ct));
        return join;
    }
}
