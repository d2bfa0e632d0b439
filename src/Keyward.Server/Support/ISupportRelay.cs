namespace Keyward.Server.Support;

/// <summary>
/// What a viewer socket does once it is authenticated and registered: round 2 relays it to the machine's agent
/// (consent first for an attended session). <see cref="WaitingRelay"/> is the stand-in until then. An implementation
/// reads the viewer until the viewer leaves or <see cref="ViewerConnection.CloseAsync"/> closes it, within the bounds of
/// <see cref="SupportOptions"/>, and returns how it ended.
/// </summary>
internal interface ISupportRelay
{
    /// <summary>Serves one viewer; returns when its socket is closed.</summary>
    Task<string> RunAsync(ViewerConnection viewer, CancellationToken cancellationToken);
}
