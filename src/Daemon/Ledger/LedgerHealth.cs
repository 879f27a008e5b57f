namespace Cortex.Llmd.Ledger;

public enum LedgerState
{
    /// <summary>Rows are committed before answers are sent.</summary>
    Healthy,

    /// <summary>The store cannot be opened or written: rows wait in a bounded in-memory backlog.</summary>
    Degraded,
}

/// <summary>What the ledger writer reports about itself.</summary>
public sealed record LedgerHealth(LedgerState State, string Reason, int Backlog, long Dropped)
{
    public static readonly LedgerHealth Starting = new(LedgerState.Degraded, "not opened yet", 0, 0);

    public bool IsHealthy => State == LedgerState.Healthy;
}
