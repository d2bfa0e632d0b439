namespace Keyward.Server.Hosting;

/// <summary>
/// The console's one endpoint: the list of panes the frame (<c>wwwroot/console/console.js</c>) builds its navigation
/// from. Anonymous, as the console's static files are: it says which panes ship, nothing about the caller.
/// </summary>
internal static class ConsoleEndpoints
{
    /// <summary>The path of the pane list.</summary>
    public const string PanesPath = "/console/panes.json";

    public static void Map(IEndpointRouteBuilder app)
    {
        var panes = new Lazy<ConsolePanesResponse>(() => new ConsolePanesResponse(ConsolePanes.Read(app.ServiceProvider.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider)));
        app.MapGet(PanesPath, () => Results.Json(panes.Value, ConsoleJsonContext.Relaxed.ConsolePanesResponse))
            .AllowAnonymous().Produces<ConsolePanesResponse>();
    }
}
