using Keyward.Server.Hosting;

var app = KeywardHost.Build(args);
var setupCode = await KeywardHost.InitializeAsync(app);
if (setupCode is not null)
{
    Console.WriteLine($"No admin yet. Register the first key at the sign-in page with setup code: {setupCode} (valid 15 minutes, single use).");
}

await app.RunAsync();

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
