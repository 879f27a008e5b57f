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

/// <summary>The ledger has no open store (it is degraded): nothing can be read from it or written to it now.</summary>
public sealed class LedgerUnavailableException(string reason) : Exception("ledger unavailable: " + reason);
