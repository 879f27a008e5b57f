using Cortex.Llmd.Stats;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Tests.Support.Stats;

/// <summary>
/// A reference implementation of the stats queries over records kept in memory: the oracle the SQL
/// ledger's statistics are compared with. Bounded ring; older requests are not counted.
/// </summary>
public sealed class InMemoryStatsStore(TimeProvider timeProvider, int capacity = InMemoryStatsStore.DefaultCapacity) : IStatsStore
{
    public const int DefaultCapacity = 20_000;

    private readonly Lock _gate = new();
    private readonly Queue<RequestRecord> _records = new();
    private DateTimeOffset _windowStart = timeProvider.GetUtcNow();

    public ValueTask RecordAsync(RequestRecord record, CancellationToken cancellationToken)
    {
        Record(record);
        return ValueTask.CompletedTask;
    }

    public void Record(RequestRecord record)
    {
        lock (_gate)
        {
            if (_records.Count == capacity)
            {
                _records.Dequeue();
            }

            _records.Enqueue(record);
        }
    }

    public GetStatsResponse Query(GetStatsRequest request, uint inFlight)
    {
        RequestRecord[] records;
        DateTimeOffset windowStart;
        lock (_gate)
        {
            records = [.. _records];
            windowStart = _windowStart;
        }

        DateTimeOffset since = request.SinceUnixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(request.SinceUnixMs) : windowStart;
        DateTimeOffset until = request.UntilUnixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(request.UntilUnixMs) : timeProvider.GetUtcNow();
        var total = new StatsAggregator(string.Empty);
        var groups = new SortedDictionary<string, StatsAggregator>(StringComparer.Ordinal);
        foreach (RequestRecord record in records)
        {
            if (record.Time < since || record.Time > until || !StatsFilters.Matches(request.Filter, record))
            {
                continue;
            }

            total.Add(record);
            if (request.GroupBy != GroupBy.None)
            {
                string key = StatsFilters.GroupKey(request.GroupBy, record);
                if (!groups.TryGetValue(key, out StatsAggregator? group))
                {
                    groups[key] = group = new StatsAggregator(key);
                }

                group.Add(record);
            }
        }

        var response = new GetStatsResponse
        {
            WindowStartUnixMs = windowStart.ToUnixTimeMilliseconds(),
            SinceUnixMs = since.ToUnixTimeMilliseconds(),
            UntilUnixMs = until.ToUnixTimeMilliseconds(),
            Total = total.Build(),
            InFlight = inFlight,
        };
        response.Groups.AddRange(groups.Values.Select(g => g.Build()));
        return response;
    }

    public ResetStatsResponse Reset()
    {
        DateTimeOffset previous;
        DateTimeOffset now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            previous = _windowStart;
            _windowStart = now;
        }

        StatsGroup closed = Query(new GetStatsRequest { SinceUnixMs = previous.ToUnixTimeMilliseconds(), UntilUnixMs = now.ToUnixTimeMilliseconds() }, 0).Total;
        return new ResetStatsResponse
        {
            PreviousWindowStartUnixMs = previous.ToUnixTimeMilliseconds(),
            WindowStartUnixMs = now.ToUnixTimeMilliseconds(),
            PreviousTotal = closed,
        };
    }
}
