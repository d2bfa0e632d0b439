using System.CommandLine;
using Keyward.Cli.Audit;
using Keyward.Cli.Broker;
using Keyward.Cli.WebAuthn;

var root = new RootCommand("Keyward: a self-hosted access broker that puts a hardware key in front of everything.");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
foreach (var command in SessionCommands.Create())
{
    root.Subcommands.Add(command);
}

root.Subcommands.Add(WebAuthnCommands.Create());
root.Subcommands.Add(AuditCommands.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }

    Console.Error.WriteLine("Run 'keyward --help' for usage.");
    return 2;
}

return await parse.InvokeAsync();
