using Microsoft.Extensions.Hosting;

namespace Cortex.Llmd.Ledger;

/// <summary>
/// Starts the ledger with the host: opens the store (integrity check, migrations) before the socket
/// serves, hands every change of the writer's health to <c>publishHealth</c> (the host
/// reports it as the <c>cortex.llm.v1.Ledger</c> health service), and runs retention. The writer itself
/// is disposed with the container, after the server drained its calls.
/// </summary>
public sealed class LedgerService(LedgerWriter writer, LedgerRetention retention, Action<LedgerHealth> publishHealth) : IHostedService, IDisposable
{
    public const string HealthName = "cortex.llm.v1.Ledger";

    private readonly CancellationTokenSource _stopping = new();
    private Task _retention = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        writer.HealthChanged += publishHealth;
        writer.Start();
        publishHealth(writer.Health);
        _retention = Task.Run(() => retention.RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _retention.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose() => _stopping.Dispose();
}
