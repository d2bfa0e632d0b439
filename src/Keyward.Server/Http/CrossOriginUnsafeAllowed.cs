namespace Keyward.Server.Http;

/// <summary>
/// Endpoint metadata: this proxied route accepts cookie-authenticated unsafe requests from other origins
/// (<c>Keyward:Routes:&lt;id&gt;:AllowCrossOriginUnsafe</c>), so <see cref="SameOriginWritesMiddleware"/> lets them through.
/// </summary>
internal sealed class CrossOriginUnsafeAllowed
{
    /// <summary>The one instance.</summary>
    public static CrossOriginUnsafeAllowed Instance { get; } = new();

    private CrossOriginUnsafeAllowed()
    {
    }
}
