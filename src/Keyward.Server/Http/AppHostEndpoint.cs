namespace Keyward.Server.Http;

/// <summary>
/// Endpoint metadata: this endpoint of Keyward's answers on app hosts only (the handoff's callback). Every other endpoint
/// of Keyward's answers on Keyward's own host only; the host gate enforces both.
/// </summary>
internal sealed class AppHostEndpoint
{
    public static readonly AppHostEndpoint Instance = new();

    private AppHostEndpoint()
    {
    }
}
