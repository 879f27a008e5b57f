namespace Cortex.Llmd.Budgets;

/// <summary>A request's worst-case cost held against its spend keys until it settles.</summary>
public sealed record Reservation(IReadOnlyList<string> Keys, long NanoUsd)
{
    public static readonly Reservation None = new([], 0);
}

/// <summary>A budget period found exhausted: spent + reserved &gt;= limit.</summary>
public sealed record Exhaustion(BudgetOptions Budget, BudgetPeriod Period, long Spent, long Reserved, long Limit);

/// <summary>A budget period whose spend crossed 80% or 100% of its limit for the first time this period.</summary>
public sealed record ThresholdCrossing(BudgetOptions Budget, BudgetPeriod Period, uint Percent, long Spent, long Limit);

/// <summary>
/// Spend per key in the current UTC day and month, plus what requests in flight have reserved. Loaded
/// once from an <see cref="ISpendSource"/> (the ledger), then kept in memory. Every check and reservation happens under one lock, so a
/// concurrent burst sees each other's reservations and cannot overshoot by more than they reserved.
/// Reservations are not tied to a period: in-flight money counts against the current day and month.
/// </summary>
public sealed class SpendBook(TimeProvider timeProvider)
{
    public static readonly uint[] Thresholds = [80, 100];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _daily = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _monthly = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _reserved = new(StringComparer.Ordinal);
    private readonly HashSet<(string Budget, BudgetPeriod Period, uint Percent)> _crossed = [];
    private DateOnly _day = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);

    public static DateTimeOffset DayStart(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public static DateTimeOffset MonthStart(DateOnly day) => new(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Spend already recorded for a key in the current period.</summary>
    public long Spent(string key, BudgetPeriod period)
    {
        lock (_gate)
        {
            Roll();
            return (period == BudgetPeriod.Daily ? _daily : _monthly).GetValueOrDefault(key);
        }
    }

    /// <summary>The first day of the current UTC window of <paramref name="period"/>: today, or the month's first day.</summary>
    public DateOnly WindowStart(BudgetPeriod period)
    {
        lock (_gate)
        {
            Roll();
            return period == BudgetPeriod.Daily ? _day : new DateOnly(_day.Year, _day.Month, 1);
        }
    }

    public long Reserved(string key)
    {
        lock (_gate)
        {
            return _reserved.GetValueOrDefault(key);
        }
    }

    /// <summary>
    /// Adds the current month's and day's recorded spend from <paramref name="source"/> to every key it
    /// counts against. Returns how many distinct (tenant, uid, unit) callers had spend this month.
    /// Throws <see cref="SpendUnavailableException"/> when the source cannot be read; nothing is added then.
    /// </summary>
    public int Load(ISpendSource source)
    {
        lock (_gate)
        {
            Roll();
            IReadOnlyList<RecordedSpend> recorded = source.Read(MonthStart(_day), DayStart(_day));
            foreach (RecordedSpend spend in recorded)
            {
                foreach (string key in SpendKeys.For(spend.Tenant, spend.Uid, spend.Unit))
                {
                    Add(_monthly, key, spend.PeriodNanoUsd);
                    Add(_daily, key, spend.RecentNanoUsd);
                }
            }

            return recorded.Count;
        }
    }

    /// <summary>
    /// Checks every period of every budget in order; the first exhausted one (spent + reserved &gt;= limit)
    /// is returned and nothing is reserved. Budgets in <paramref name="tolerated"/> are skipped while they
    /// are exhausted (a request downgraded by them that cannot add to their spend).
    /// Otherwise <paramref name="worstCase"/> is reserved on every key.
    /// </summary>
    public (Reservation? Reservation, Exhaustion? Exhausted) TryReserve(
        IReadOnlyList<BudgetOptions> budgets, IReadOnlyList<string> keys, long worstCase, Func<BudgetOptions, bool> tolerated)
    {
        lock (_gate)
        {
            Roll();
            foreach (BudgetOptions budget in budgets)
            {
                foreach (BudgetPeriod period in (BudgetPeriod[])[BudgetPeriod.Daily, BudgetPeriod.Monthly])
                {
                    if (budget.LimitOf(period) is not { } limit)
                    {
                        continue;
                    }

                    long spent = (period == BudgetPeriod.Daily ? _daily : _monthly).GetValueOrDefault(budget.Key);
                    long reserved = _reserved.GetValueOrDefault(budget.Key);
                    if (spent + reserved >= limit && !tolerated(budget))
                    {
                        return (null, new Exhaustion(budget, period, spent, reserved, limit));
                    }
                }
            }

            foreach (string key in keys)
            {
                Add(_reserved, key, worstCase);
            }

            return (new Reservation(keys, worstCase), null);
        }
    }

    /// <summary>
    /// Raises a reservation to <paramref name="nanoUsd"/> when a request turns out dearer than it
    /// reserved (the provider reported its usage). Never lowers it: a fallback may still run. Returns the
    /// reservation to settle from now on.
    /// </summary>
    public Reservation Raise(Reservation reservation, long nanoUsd)
    {
        if (nanoUsd <= reservation.NanoUsd || reservation.Keys.Count == 0)
        {
            return reservation;
        }

        lock (_gate)
        {
            foreach (string key in reservation.Keys)
            {
                Add(_reserved, key, nanoUsd - reservation.NanoUsd);
            }
        }

        return reservation with { NanoUsd = nanoUsd };
    }

    /// <summary>Releases a reservation and adds the actual cost; returns thresholds crossed for the first time this period.</summary>
    public IReadOnlyList<ThresholdCrossing> Settle(Reservation reservation, IReadOnlyList<string> keys, long cost, IReadOnlyList<BudgetOptions> budgets)
    {
        lock (_gate)
        {
            Roll();
            foreach (string key in reservation.Keys)
            {
                Add(_reserved, key, -reservation.NanoUsd);
            }

            foreach (string key in keys)
            {
                Add(_daily, key, cost);
                Add(_monthly, key, cost);
            }

            var crossings = new List<ThresholdCrossing>();
            foreach (BudgetOptions budget in budgets)
            {
                if (keys.Contains(budget.Key, StringComparer.Ordinal))
                {
                    Cross(budget, BudgetPeriod.Daily, _daily, crossings);
                    Cross(budget, BudgetPeriod.Monthly, _monthly, crossings);
                }
            }

            return crossings;
        }
    }

    private void Cross(BudgetOptions budget, BudgetPeriod period, Dictionary<string, long> spend, List<ThresholdCrossing> crossings)
    {
        if (budget.LimitOf(period) is not { } limit)
        {
            return;
        }

        long spent = spend.GetValueOrDefault(budget.Key);
        foreach (uint percent in Thresholds)
        {
            if ((Int128)spent * 100 >= (Int128)limit * percent && _crossed.Add((budget.Name, period, percent)))
            {
                crossings.Add(new ThresholdCrossing(budget, period, percent, spent, limit));
            }
        }
    }

    /// <summary>A new UTC day clears the daily spend; a new UTC month clears the monthly spend too.</summary>
    private void Roll()
    {
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        if (today == _day)
        {
            return;
        }

        bool newMonth = today.Year != _day.Year || today.Month != _day.Month;
        _day = today;
        _daily.Clear();
        _crossed.RemoveWhere(c => c.Period == BudgetPeriod.Daily);
        if (newMonth)
        {
            _monthly.Clear();
            _crossed.RemoveWhere(c => c.Period == BudgetPeriod.Monthly);
        }
    }

    private static void Add(Dictionary<string, long> map, string key, long amount)
    {
        long value = map.GetValueOrDefault(key) + amount;
        if (value == 0)
        {
            map.Remove(key);
        }
        else
        {
            map[key] = value;
        }
    }
}
