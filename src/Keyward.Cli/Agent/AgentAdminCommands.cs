using System.CommandLine;
using System.Text.Json.Nodes;
using Keyward.Cli.Operators;
using Spectre.Console;

namespace Keyward.Cli.Agent;

/// <summary>
/// <c>keyward agent token create</c> and <c>keyward agent machines list|revoke|delete</c>: an admin's side of the agent
/// plane (docs/remote-support.md, "Enrollment") with the saved session; the admin step-up Keyward asks for is made with
/// the key file. The enroll token is printed once and never again.
/// </summary>
internal static class AgentAdminCommands
{
    private const string Machines = "/api/admin/machines";

    /// <summary><c>keyward agent token …</c>.</summary>
    public static Command Token()
    {
        var token = new Command("token", "Enroll tokens (admin): create one for a machine to enroll with.");
        var create = new Command("create", "Create a single-use enroll token (printed once) for keyward agent enroll (admin; admin step-up with the key file).");
        var label = new Option<string>("--label") { Description = "The machine's label, 1 to 200 characters.", Required = true };
        var policy = new Option<string>("--policy") { Description = "attended (someone at the machine must agree each time) or unattended (technicians may skip consent when they ask).", DefaultValueFactory = _ => "attended" };
        policy.AcceptOnlyFromAmong("attended", "unattended");
        var role = new Option<string[]>("--joiner-role") { Description = "A role whose accounts may join this machine's sessions (repeat; default: admin)." };
        var account = new Option<string[]>("--joiner-account") { Description = "An account that may join this machine's sessions (repeat)." };
        var lifetime = new Option<int?>("--lifetime-seconds") { Description = "How long the token lives (default: Keyward's Agents:EnrollTokenLifetime, 1 h)." };
        foreach (var option in new Option[] { label, policy, role, account, lifetime })
        {
            create.Options.Add(option);
        }

        var o = OperatorOptions.AddTo(create);
        create.SetAction((parse, ct) => OperatorCall.RunAsync(parse, o, mayStepUp: true, (client, session, c) =>
        {
            var body = new JsonObject { ["label"] = parse.GetValue(label), ["policy"] = parse.GetValue(policy) };
            var roles = parse.GetValue(role) ?? [];
            var accounts = parse.GetValue(account) ?? [];
            if (roles.Length > 0 || accounts.Length > 0)
            {
                body["joiners"] = new JsonObject
                {
                    ["roles"] = new JsonArray([.. roles.Select(r => (JsonNode?)JsonValue.Create(r))]),
                    ["accounts"] = new JsonArray([.. accounts.Select(a => (JsonNode?)JsonValue.Create(a))]),
                };
            }

            if (parse.GetValue(lifetime) is { } seconds)
            {
                body["lifetime_seconds"] = seconds;
            }

            return client.SendAsync(HttpMethod.Post, "/api/admin/enroll-tokens", body, session, cancellationToken: c);
        }, (answer, console) =>
        {
            console.WriteLine($"Enroll token {Tables.Value(answer, "id")} for {Tables.Value(answer, "label")} ({Tables.Value(answer, "policy")}, single use, until {Tables.When(answer, "expires_at")}):");
            console.WriteLine(Tables.Value(answer, "enroll_token") ?? string.Empty);
            console.WriteLine("On the machine: keyward agent enroll --server URL --cacert CA (or set KEYWARD_ENROLL_TOKEN instead of --token).");
        }, null, ct));
        token.Subcommands.Add(create);
        return token;
    }

    /// <summary><c>keyward agent machines …</c>.</summary>
    public static Command MachinesCommand()
    {
        var machines = new Command("machines", "Enrolled machines (admin): list, revoke a key, delete.");

        var list = new Command("list", "List enrolled machines (admin): online, last seen, version, policy.");
        var lo = OperatorOptions.AddTo(list);
        list.SetAction((parse, ct) => OperatorCall.RunAsync(parse, lo, mayStepUp: false, (client, session, c) =>
            client.SendAsync(HttpMethod.Get, Machines, token: session, cancellationToken: c), (answer, console) =>
        {
            var table = Tables.Create("Id", "Label", "Policy", "Online", "Last seen", "Version", "Hostname", "Key revoked");
            var machines = answer.ValueKind == System.Text.Json.JsonValueKind.Array ? answer : answer.GetProperty("machines");
            foreach (var m in machines.EnumerateArray())
            {
                Tables.Row(table, Tables.Value(m, "id"), Tables.Value(m, "label"), Tables.Value(m, "policy"), Tables.Value(m, "online"), Tables.When(m, "last_seen_at"), Tables.Value(m, "version"), Tables.Value(m, "hostname"), Tables.When(m, "key_revoked_at"));
            }

            console.Write(table);
        }, null, ct));
        machines.Subcommands.Add(list);

        var revoke = new Command("revoke", "Revoke a machine's agent key (admin; admin step-up): its agent is disconnected and refused from now on.");
        var revokeId = new Argument<Guid>("id") { Description = "The machine's id (keyward agent machines list)." };
        revoke.Arguments.Add(revokeId);
        var ro = OperatorOptions.AddTo(revoke);
        revoke.SetAction((parse, ct) => OperatorCall.RunAsync(parse, ro, mayStepUp: true, (client, session, c) =>
            client.SendAsync(HttpMethod.Post, $"{Machines}/{parse.GetValue(revokeId)}/revoke", new JsonObject(), session, cancellationToken: c),
            (_, console) => console.WriteLine($"Revoked the agent key of machine {parse.GetValue(revokeId)}."), new JsonObject { ["revoked"] = parse.GetValue(revokeId).ToString() }, ct));
        machines.Subcommands.Add(revoke);

        var delete = new Command("delete", "Delete machines (admin; admin step-up; soft delete, audited): their agents are disconnected and refused.");
        var deleteIds = new Argument<Guid[]>("ids") { Description = "1 to 100 machine ids.", Arity = new ArgumentArity(1, 100) };
        delete.Arguments.Add(deleteIds);
        var dO = OperatorOptions.AddTo(delete);
        delete.SetAction((parse, ct) => OperatorCall.RunAsync(parse, dO, mayStepUp: true, (client, session, c) =>
            client.SendAsync(HttpMethod.Post, $"{Machines}/delete", new JsonObject { ["ids"] = new JsonArray([.. parse.GetValue(deleteIds)!.Select(i => (JsonNode?)JsonValue.Create(i.ToString()))]) }, session, cancellationToken: c),
            (answer, console) => console.WriteLine($"Deleted {Tables.Value(answer, "deleted")} machine(s); not found: {Tables.Value(answer, "missing")}."), null, ct));
        machines.Subcommands.Add(delete);
        return machines;
    }
}
