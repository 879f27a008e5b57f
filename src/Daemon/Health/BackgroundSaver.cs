using System.Threading.Channels;
using Cortex.Llmd.Model;

namespace Cortex.Llmd.Health;

/// <summary>
/// One background loop that writes per-target state to its store in order, so no request waits on the
/// disk. A save that fails is reported and the loop goes on: the state still protects this process.
/// </summary>
internal sealed class BackgroundSaver<TSnapshot> : IAsyncDisposable
{
    private readonly Channel<(TargetRef Target, TSnapshot Snapshot)> _saves =
        Channel.CreateUnbounded<(TargetRef, TSnapshot)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Action<TargetRef, TSnapshot> _save;
    private readonly Action<TargetRef, Exception> _failed;
    private readonly Task _writer;

    public BackgroundSaver(Action<TargetRef, TSnapshot> save, Action<TargetRef, Exception> failed)
    {
        _save = save;
        _failed = failed;
        _writer = Task.Run(WriteAsync);
    }

    public void Enqueue(TargetRef target, TSnapshot snapshot) => _saves.Writer.TryWrite((target, snapshot));

    private async Task WriteAsync()
    {
        await foreach ((TargetRef target, TSnapshot snapshot) in _saves.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                _save(target, snapshot);
            }
            catch (Exception ex)
            {
                _failed(target, ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _saves.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
