using Cortex.Llmd.Services;
using Microsoft.Extensions.Hosting;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Cortex.Llmd.Ledger;

/// <summary>
/// Starts the ledger with the host: opens the store (integrity check, migrations) before the socket
/// serves, mirrors the writer's health into the <c>cortex.llm.v1.Ledger</c> health service, and runs
/// retention. The writer itself is disposed with the container, after the server drained its calls.
/// </summary>
public sealed class LedgerService(LedgerWriter writer, LedgerRetention retention, HealthService health) : IHostedService, IDisposable
{
    public const string HealthName = "cortex.llm.v1.Ledger";

    private readonly CancellationTokenSource _stopping = new();
    private Task _retention = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        writer.HealthChanged += Publish;
        writer.Start();
        Publish(writer.Health);
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

    private void Publish(LedgerHealth state) =>
        health.SetStatus(HealthName, state.IsHealthy ? ServingStatus.Serving : ServingStatus.NotServing);
}
