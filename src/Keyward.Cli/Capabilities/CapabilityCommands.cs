using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.Cli.Operators;
using Spectre.Console;

namespace Keyward.Cli.Capabilities;

/// <summary>
/// <c>keyward actors create|list|revoke</c> and <c>keyward scopes grant|list|revoke</c> (docs/capabilities.md): an
/// admin's side of actors and scopes with the saved session; the admin step-up Keyward asks for is made with the key
/// file. A service key is printed once and never again. A grant is only proposed here: it prints the approval request,
/// which needs the approvers' votes before the scope exists.
/// </summary>
internal static class CapabilityCommands
{
    private const string ActorsPath = "/api/admin/actors";
    private const string ScopesPath = "/api/admin/scopes";

    /// <summary><c>keyward actors …</c>.</summary>
    public static Command Actors()
    {
        var create = new Command("create", "Create a service identity; its key kwv_… is printed once (admin; admin step-up with the key file).");
        var label = new Argument<string>("label") { Description = "What to call it, 1 to 200 characters." };
        create.Arguments.Add(label);
        var o = OperatorOptions.AddTo(create);
        create.SetAction((parse, ct) => OperatorCall.RunAsync(parse, o, mayStepUp: true, (client, session, c) =>
            client.SendAsync(HttpMethod.Post, ActorsPath, new JsonObject { ["label"] = parse.GetValue(label) }, session, cancellationToken: c), (answer, console) =>
        {
            console.WriteLine($"Service identity {Tables.Value(answer, "id")} ({Tables.Value(answer, "label")}). Its key, shown once (keep it where the service reads its secrets):");
            console.WriteLine(Tables.Value(answer, "service_key") ?? string.Empty);
            console.WriteLine($"It mints nothing until a scope allows it: keyward scopes grant --actor {Tables.Value(answer, "id")} --kind service …");
        }, null, ct));

        var list = new Command("list", "List service identities (never their keys).");
        var lo = OperatorOptions.AddTo(list);
        list.SetAction((parse, ct) => OperatorCall.RunAsync(parse, lo, mayStepUp: false, (client, session, c) =>
            client.SendAsync(HttpMethod.Get, ActorsPath, token: session, cancellationToken: c), (answer, console) =>
        {
            var table = Tables.Create("Id", "Label", "Created", "Revoked");
            foreach (var a in answer.EnumerateArray())
            {
                Tables.Row(table, Tables.Value(a, "id"), Tables.Value(a, "label"), Tables.When(a, "created_at"), Tables.When(a, "revoked_at") ?? "no");
            }

            console.Write(table);
        }, null, ct));

        var actors = new Command("actors", "Service identities (actors an admin creates): create, list, revoke.");
        actors.Subcommands.Add(create);
        actors.Subcommands.Add(list);
        actors.Subcommands.Add(Revoke("revoke", "Revoke a service identity: its key is refused at once, and so are its capabilities (admin step-up).", ActorsPath, "service identity"));
        return actors;
    }

    /// <summary><c>keyward scopes …</c>.</summary>
    public static Command Scopes()
    {
        var grant = new Command("grant", "Propose a scope for an actor (admin step-up); approvers must approve it before it exists.");
        var actor = new Option<Guid>("--actor") { Description = "The actor's id (keyward actors list, or a machine id).", Required = true };
        var kind = new Option<string>("--kind") { Description = "service (a service identity) or agent (an enrolled machine).", DefaultValueFactory = _ => "service" };
        kind.AcceptOnlyFromAmong("service", "agent");
        var operation = new Option<string[]>("--op") { Description = "An operation it may perform: read, write, list or delete (repeat).", Required = true };
        var dataClass = new Option<string[]>("--class") { Description = "A data class it covers, e.g. credential or memory (repeat).", Required = true };
        var prefix = new Option<string[]>("--prefix") { Description = "A path prefix it covers, with everything below it, e.g. db/prod/ (repeat; 1 to 20).", Required = true };
        foreach (var option in new Option[] { actor, kind, operation, dataClass, prefix })
        {
            grant.Options.Add(option);
        }

        var o = OperatorOptions.AddTo(grant);
        grant.SetAction((parse, ct) => OperatorCall.RunAsync(parse, o, mayStepUp: true, (client, session, c) =>
            client.SendAsync(HttpMethod.Post, ScopesPath, new JsonObject
            {
                ["actor_id"] = parse.GetValue(actor).ToString(),
                ["actor_kind"] = parse.GetValue(kind),
                ["operations"] = Array(parse.GetValue(operation)),
                ["data_classes"] = Array(parse.GetValue(dataClass)),
                ["prefixes"] = Array(parse.GetValue(prefix)),
            }, session, cancellationToken: c), RenderProposal, null, ct));

        var list = new Command("list", "List scopes, live and revoked.");
        var of = new Option<Guid?>("--actor") { Description = "Only this actor's." };
        list.Options.Add(of);
        var lo = OperatorOptions.AddTo(list);
        list.SetAction((parse, ct) => OperatorCall.RunAsync(parse, lo, mayStepUp: false, (client, session, c) =>
            client.SendAsync(HttpMethod.Get, ScopesPath + (parse.GetValue(of) is { } a ? $"?actor={a}" : string.Empty), token: session, cancellationToken: c), (answer, console) =>
        {
            var table = Tables.Create("Id", "Actor", "Kind", "Operations", "Classes", "Prefixes", "Operator", "Granted", "Revoked");
            foreach (var s in answer.EnumerateArray())
            {
                Tables.Row(table, Tables.Value(s, "id"), Tables.Value(s, "actor_id"), Tables.Value(s, "actor_kind"), Joined(s, "operations"), Joined(s, "data_classes"),
                    Joined(s, "prefixes"), Tables.Value(s, "operator_id"), Tables.When(s, "granted_at"), Tables.When(s, "revoked_at") ?? "no");
            }

            console.Write(table);
        }, null, ct));

        var scopes = new Command("scopes", "Scopes: what an actor may do with which data classes under which paths. grant (needs approvals), list, revoke.");
        scopes.Subcommands.Add(grant);
        scopes.Subcommands.Add(list);
        scopes.Subcommands.Add(Revoke("revoke", "Revoke a scope: every capability minted under it is refused at once (admin step-up; no approvals needed to narrow).", ScopesPath, "scope"));
        return scopes;
    }

    private static Command Revoke(string name, string description, string path, string what)
    {
        var revoke = new Command(name, description);
        var id = new Argument<Guid>("id") { Description = $"The {what}'s id." };
        revoke.Arguments.Add(id);
        var o = OperatorOptions.AddTo(revoke);
        revoke.SetAction((parse, ct) => OperatorCall.RunAsync(parse, o, mayStepUp: true, (client, session, c) =>
            client.PostAsync($"{path}/{parse.GetValue(id)}/revoke", session, new JsonObject(), c),
            (answer, console) => console.WriteLine($"Revoked {what} {Tables.Value(answer, "id")}."),
            new JsonObject { ["id"] = parse.GetValue(id).ToString(), ["revoked"] = true }, ct));
        return revoke;
    }

    private static void RenderProposal(JsonElement answer, IAnsiConsole console)
    {
        console.WriteLine($"Proposed {Tables.Value(answer, "operation")} as approval request {Tables.Value(answer, "request_id")} ({Tables.Value(answer, "state")}, until {Tables.When(answer, "expires_at")}).");
        console.WriteLine("The scope does not exist yet: the approvers of its policy must approve the request with their keys (keyward approvals approve ID).");
    }

    private static JsonArray Array(string[]? values) => new([.. (values ?? []).Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static string Joined(JsonElement element, string name) =>
        element.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array ? string.Join(' ', list.EnumerateArray().Select(v => v.GetString())) : string.Empty;
}
