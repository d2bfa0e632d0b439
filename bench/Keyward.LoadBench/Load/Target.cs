namespace Keyward.LoadBench.Load;

/// <summary>
/// One path to the counter's <c>POST /resource/counter</c>. <see cref="Credential"/> is asked once per run, so a
/// minted assertion is always fresh for the run that uses it.
/// </summary>
internal sealed record Target(string Name, string Description, Uri Address, Func<RequestCredential> Credential);
