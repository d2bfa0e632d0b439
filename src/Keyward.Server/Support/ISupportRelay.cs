namespace Keyward.Server.Support;

/// <summary>
/// What a viewer socket does once it is authenticated and registered: it is relayed to the support session's agent
/// (consent first for an attended session): <see cref="AgentRelay"/>. An implementation
/// reads the viewer until the viewer leaves or <see cref="ViewerConnection.CloseAsync"/> closes it, within the bounds of
/// <see cref="SupportOptions"/>, and returns how it ended.
/// </summary>
internal interface ISupportRelay
{
    /// <summary>Serves one viewer; returns when its socket is closed.</summary>
    Task<string> RunAsync(ViewerConnection viewer, CancellationToken cancellationToken);
}
