using Keyward.Server.Hosting;

await KeywardHost.Build(args).RunAsync();

/// <summary>The entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
