using System.Threading.Channels;
using Keyward.Agent.Runtime;

namespace Keyward.Cli.Agent;

/// <summary>
/// <c>--consent prompt</c>: asks the person at the machine on the terminal, "&lt;technician&gt; asks to connect:
/// &lt;reason&gt;. Allow? [y/N]". Only y or yes allows; anything else, no answer before the timeout, or the session
/// ending denies. One reader owns the input. On a terminal (<paramref name="interactive"/>) a line typed while no
/// question is open is dropped, so a late answer to a question that timed out is not taken as the answer to the next;
/// piped input (scripts) is read in order, one line per question.
/// </summary>
internal sealed class TerminalConsent(TextReader input, TextWriter output, bool interactive) : IDisposable
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(8) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _one = new(1, 1);
    private bool _reading;
    private volatile bool _asking;

    public async Task<bool> AskAsync(ConsentRequest request, CancellationToken cancellationToken)
    {
        // One question at a time: a second one waits for the first to be answered (or to time out).
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            StartReader();
            _asking = true;

            var reason = string.IsNullOrWhiteSpace(request.Reason) ? "(no reason given)" : Printable(request.Reason);
            await output.WriteLineAsync($"{Printable(request.Technician)} asks to connect: {reason}. Allow? [y/N] ({(int)request.Timeout.TotalSeconds} s to answer)").ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var answer = (await _lines.Reader.ReadAsync(cancellationToken).ConfigureAwait(false)).Trim();
                var accepted = answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase);
                await output.WriteLineAsync(accepted ? "Allowed." : "Denied.").ConfigureAwait(false);
                return accepted;
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                await output.WriteLineAsync("No answer in time, or the session ended: denied.").ConfigureAwait(false);
                return false;
            }
        }
        finally
        {
            _asking = false;
            _one.Release();
        }
    }

    private void StartReader()
    {
        lock (_gate)
        {
            if (_reading)
            {
                return;
            }

            _reading = true;
        }

        var thread = new Thread(() =>
        {
            while (input.ReadLine() is { } line)
            {
                if (_asking || !interactive)
                {
                    _lines.Writer.TryWrite(line);
                }
            }

            _lines.Writer.TryComplete();
        })
        { IsBackground = true, Name = "keyward agent consent input" };
        thread.Start();
    }

    public void Dispose() => _one.Dispose();

    // The technician's name and reason come from the network: no terminal control sequences reach the screen.
    internal static string Printable(string text) => new([.. text.Where(c => !char.IsControl(c)).Take(200)]);
}
