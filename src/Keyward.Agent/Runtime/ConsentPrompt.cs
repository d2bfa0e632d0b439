namespace Keyward.Agent.Runtime;

/// <summary>One open consent question: its session (so <c>end</c> can dismiss it) and the token that dismisses it.</summary>
internal sealed class ConsentPrompt(string session, CancellationToken connection) : IDisposable
{
    private readonly CancellationTokenSource _cancel = CancellationTokenSource.CreateLinkedTokenSource(connection);

    public string Session { get; } = session;

    /// <summary>Cancelled when the prompt is dismissed or answered.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>True when the session ended or the connection closed before an answer: nothing is sent.</summary>
    public bool Dismissed { get; private set; }

    public void Dismiss()
    {
        Dismissed = true;
        Cancel();
    }

    public void Cancel()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already answered and disposed.
        }
    }

    public void Dispose() => _cancel.Dispose();
}
