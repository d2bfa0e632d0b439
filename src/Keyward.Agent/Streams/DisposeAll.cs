namespace Keyward.Agent.Streams;

/// <summary>Disposes several resources as one owner, in order.</summary>
internal sealed class DisposeAll(params IDisposable[] resources) : IAsyncDisposable
{
    public ValueTask DisposeAsync()
    {
        foreach (var resource in resources)
        {
            resource.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
