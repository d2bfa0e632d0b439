namespace Keyward.LoadBench.Load;

/// <summary>
/// One path to the counter's <c>POST /resource/counter</c>. <see cref="Credential"/> is asked once per run, so a
/// minted assertion is always fresh for the run that uses it.
/// </summary>
internal sealed record Target(string Name, string Description, Uri Address, Func<RequestCredential> Credential)
{
    /// <summary>The request's method: POST to the counter and the trivial upstream, GET for a vault read.</summary>
    public HttpMethod Method { get; init; } = HttpMethod.Post;

    /// <summary>
    /// When set, a request counts as successful only when it answers exactly 200 with a body of exactly this many
    /// bytes (a vault read of the bench's secret); otherwise any 2xx does, and the upstream's count checks the rest.
    /// </summary>
    public int? ExpectedBodyLength { get; init; }

    /// <summary>False for a path that does not reach the upstream (a vault read): its requests are not in the upstream's count.</summary>
    public bool ReachesUpstream { get; init; } = true;
}
