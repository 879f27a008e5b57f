using System.Threading.Channels;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Stats;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Ledger;

/// <summary>
/// The one writer of the ledger, with group commit. Requests enqueue their row and await a task that
/// completes once the transaction holding it has committed; the writer drains up to maxBatch rows per
/// transaction, so concurrent requests share one fsync.
/// While the store cannot be opened or written the writer is degraded: rows go to a bounded in-memory
/// backlog (the oldest are dropped and counted beyond backlogLimit), callers are NOT held back, and the
/// store is retried every <see cref="RetryInterval"/>; on recovery the backlog is flushed first.
/// </summary>
public sealed class LedgerWriter : IAsyncDisposable
{
    private readonly string _path;
    private readonly LedgerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<SqliteConnection>? _onOpen;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Lock _gate = new();
    private readonly List<RequestRecord> _backlog = [];
    private readonly List<RequestRecord> _batchRows = []; // the writer task's, reused by every batch
    private readonly CancellationTokenSource _stopping = new();
    private LedgerStore? _store;
    private bool _degraded = true;
    private string _reason = "not opened yet";
    private long _dropped;
    private DateTimeOffset _nextRetry;
    private Task _loop = Task.CompletedTask;

    public LedgerWriter(string path, LedgerOptions options, TimeProvider timeProvider, ILogger logger, Action<SqliteConnection>? onOpen = null)
    {
        _path = path;
        _options = options;
        _time = timeProvider;
        _logger = logger;
        _onOpen = onOpen;
    }

    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    public string Path => _path;

    /// <summary>
    /// A new connection to the ledger file, for the ledger's readers and maintenance (statistics, spend,
    /// breakers, retention); the caller disposes it. Throws <see cref="LedgerUnavailableException"/> while
    /// the writer has no open store (degraded), so readers fail as writes do.
    /// </summary>
    public SqliteConnection OpenConnection() =>
        (Volatile.Read(ref _store) ?? throw new LedgerUnavailableException(Health.Reason)).OpenConnection();

    /// <summary>Raised (on the writer's thread) whenever the state, reason or backlog size changes between healthy and degraded.</summary>
    public event Action<LedgerHealth>? HealthChanged;

    /// <summary>Test seam: called with each batch right after its transaction committed, before its callers are released (the list is reused afterwards).</summary>
    public Action<IReadOnlyList<RequestRecord>>? Committed { get; init; }

    public LedgerHealth Health
    {
        get
        {
            lock (_gate)
            {
                return new LedgerHealth(_degraded ? LedgerState.Degraded : LedgerState.Healthy, _degraded ? _reason : string.Empty, _backlog.Count, _dropped);
            }
        }
    }

    /// <summary>Opens the store (integrity check, migrations) and starts the writer task. Never throws for a bad store.</summary>
    public void Start()
    {
        TryOpen();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Hands a finished request to the ledger. Healthy: completes when the row is committed. Degraded:
    /// completes at once, the row waiting in the backlog.
    /// </summary>
    public ValueTask RecordAsync(RequestRecord record, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_degraded)
            {
                AddToBacklog([record]);
                return ValueTask.CompletedTask;
            }
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(record, done)))
        {
            return ValueTask.CompletedTask; // stopping: nothing more is written
        }

        return new ValueTask(done.Task.WaitAsync(cancellationToken));
    }

    /// <summary>Writes what is queued, then stops the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        if (Health is { IsHealthy: false, Backlog: > 0 } health)
        {
            Log.LedgerBacklogLost(_logger, health.Backlog, health.Reason);
        }

        _store?.Dispose();
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_options.MaxBatch);
        while (true)
        {
            if (IsDegraded)
            {
                if (!await WaitWhileDegradedAsync().ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            if (!await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                return;
            }

            batch.Clear();
            while (batch.Count < _options.MaxBatch && _queue.Reader.TryRead(out Pending pending))
            {
                batch.Add(pending);
            }

            WriteBatch(batch);
        }
    }

    private bool IsDegraded
    {
        get
        {
            lock (_gate)
            {
                return _degraded;
            }
        }
    }

    private void WriteBatch(List<Pending> batch)
    {
        List<RequestRecord> rows = _batchRows;
        rows.Clear();
        foreach (Pending pending in batch)
        {
            rows.Add(pending.Record);
        }

        try
        {
            _store!.Write(rows, _options.StorePrompts);
            Committed?.Invoke(rows);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            CloseStore();
            lock (_gate)
            {
                AddToBacklog(rows);
            }

            Degrade(ex.Message);
        }

        foreach (Pending pending in batch)
        {
            pending.Done.TrySetResult();
        }
    }

    /// <summary>Moves queued rows to the backlog and retries the store on time. False once stopping.</summary>
    private async Task<bool> WaitWhileDegradedAsync()
    {
        MoveQueuedToBacklog();

        // One reading of the clock for both the decision and the wait: with two, the retry time could
        // pass in between, and a negative delay would throw and end the writer for good.
        TimeSpan wait;
        lock (_gate)
        {
            wait = _nextRetry - _time.GetUtcNow();
        }

        if (wait <= TimeSpan.Zero)
        {
            TryRecover();
            return true;
        }

        Task<bool> readable = _queue.Reader.WaitToReadAsync().AsTask();
        Task delay = Task.Delay(wait, _time, _stopping.Token);
        await Task.WhenAny(readable, delay).ConfigureAwait(false);
        if (readable.IsCompleted && !readable.Result)
        {
            TryRecover(); // one last chance to save the backlog before stopping
            return false;
        }

        return true;
    }

    private void MoveQueuedToBacklog()
    {
        while (_queue.Reader.TryRead(out Pending pending))
        {
            lock (_gate)
            {
                AddToBacklog([pending.Record]);
            }

            pending.Done.TrySetResult();
        }
    }

    private void TryOpen()
    {
        try
        {
            Volatile.Write(ref _store, LedgerStore.Open(_path, _time, _logger, _onOpen, _options.Durability));
            lock (_gate)
            {
                _degraded = _backlog.Count > 0; // a backlog is flushed by the writer task before going healthy
                if (!_degraded)
                {
                    _reason = string.Empty;
                }
            }

            if (!IsDegraded)
            {
                Log.LedgerOpened(_logger, _path);
                HealthChanged?.Invoke(Health);
            }
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            Degrade(ex.Message);
        }
    }

    private void TryRecover()
    {
        if (_store is null)
        {
            TryOpen();
            if (_store is null)
            {
                return;
            }
        }

        try
        {
            while (true)
            {
                RequestRecord[] chunk;
                lock (_gate)
                {
                    if (_backlog.Count == 0)
                    {
                        _degraded = false;
                        _reason = string.Empty;
                        break;
                    }

                    chunk = [.. _backlog.Take(_options.MaxBatch)];
                    _backlog.RemoveRange(0, chunk.Length);
                }

                try
                {
                    _store.Write(chunk, _options.StorePrompts);
                    Committed?.Invoke(chunk);
                }
                catch
                {
                    lock (_gate)
                    {
                        _backlog.InsertRange(0, chunk);
                        TrimBacklog();
                    }

                    throw;
                }
            }

            Log.LedgerRecovered(_logger, _path);
            HealthChanged?.Invoke(Health);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            CloseStore();
            Degrade(ex.Message);
        }
    }

    private void Degrade(string reason)
    {
        bool wasHealthy;
        lock (_gate)
        {
            wasHealthy = !_degraded || _reason == LedgerHealth.Starting.Reason;
            _degraded = true;
            _reason = reason;
            _nextRetry = _time.GetUtcNow() + RetryInterval;
        }

        if (wasHealthy)
        {
            Log.LedgerDegraded(_logger, _path, reason, RetryInterval);
        }

        HealthChanged?.Invoke(Health);
    }

    private void CloseStore()
    {
        LedgerStore? store = Interlocked.Exchange(ref _store, null);
        store?.Dispose();
    }

    /// <summary>Caller holds the gate.</summary>
    private void AddToBacklog(IEnumerable<RequestRecord> rows)
    {
        _backlog.AddRange(rows);
        TrimBacklog();
    }

    /// <summary>Caller holds the gate. Drops the oldest rows beyond the limit and counts them.</summary>
    private void TrimBacklog()
    {
        int excess = _backlog.Count - _options.BacklogLimit;
        if (excess > 0)
        {
            _backlog.RemoveRange(0, excess);
            _dropped += excess;
        }
    }

    private static bool IsStoreFailure(Exception ex) =>
        ex is SqliteException or IOException or UnauthorizedAccessException or LedgerVersionException or InvalidOperationException;

    private readonly record struct Pending(RequestRecord Record, TaskCompletionSource Done);
}
