namespace Cortex.Llmd.Budgets;

/// <summary>
/// Where the spend recorded before this process started comes from (the ledger, in the daemon). Read
/// once; from then on <see cref="SpendBook"/> counts in memory.
/// </summary>
public interface ISpendSource
{
    /// <summary>
    /// Cost recorded at or after <paramref name="periodStart"/>, per caller identity, with the part at or after
    /// <paramref name="recentStart"/> (a later time): the month and the day, read together so they agree.
    /// Throws <see cref="SpendUnavailableException"/> when nothing can be read.
    /// </summary>
    IReadOnlyList<RecordedSpend> Read(DateTimeOffset periodStart, DateTimeOffset recentStart);
}

/// <summary>What one (tenant, uid, unit) spent, in nano-USD: since the period's start, and the recent part of it.</summary>
public sealed record RecordedSpend(string Tenant, uint? Uid, string Unit, long PeriodNanoUsd, long RecentNanoUsd);

/// <summary>The spend source cannot be read: budgets start from $0 and count in memory.</summary>
public sealed class SpendUnavailableException(string reason) : Exception(reason);
