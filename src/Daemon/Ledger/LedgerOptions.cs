using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.Ledger;

/// <summary>What a committed row must survive; see docs/ledger.md, Durability.</summary>
public enum LedgerDurability
{
    /// <summary>WAL with synchronous=NORMAL: a commit survives the process dying (SIGKILL), not power loss or a kernel crash.</summary>
    Crash,

    /// <summary>WAL with synchronous=FULL: every commit is fsynced, so it survives power loss too.</summary>
    Power,
}

/// <summary>The <c>ledger</c> config section: where the SQLite ledger lives and how it is kept.</summary>
public sealed record LedgerOptions
{
    public static readonly string[] ConfigKeys = ["path", "storePrompts", "retentionDays", "maxBatch", "backlogLimit", "durability"];

    private static readonly Dictionary<string, LedgerDurability> Durabilities = new(StringComparer.Ordinal)
    {
        ["crash"] = LedgerDurability.Crash,
        ["power"] = LedgerDurability.Power,
    };

    /// <summary>Null means the default for the user running the daemon (see <see cref="LedgerPaths"/>).</summary>
    public string? Path { get; init; }

    /// <summary>Prompt and answer text are stored only when this is true.</summary>
    public bool StorePrompts { get; init; }

    /// <summary>Rows older than this are pruned; 0 keeps them forever.</summary>
    public int RetentionDays { get; init; } = 90;

    /// <summary>Most rows committed in one transaction.</summary>
    public int MaxBatch { get; init; } = 256;

    /// <summary>Most rows held in memory while the store cannot be written; older ones are dropped and counted.</summary>
    public int BacklogLimit { get; init; } = 10_000;

    /// <summary>What a committed row survives: the process dying (the default), or also power loss.</summary>
    public LedgerDurability Durability { get; init; } = LedgerDurability.Crash;

    public static LedgerOptions Parse(ConfigNode node)
    {
        node.AllowOnly(ConfigKeys);
        var defaults = new LedgerOptions();
        string? path = node.Text("path");
        if (path is { Length: > 0 } && !System.IO.Path.IsPathFullyQualified(path))
        {
            node.Error("path", $"'{path}' must be an absolute path");
        }

        return new LedgerOptions
        {
            Path = string.IsNullOrEmpty(path) ? null : path,
            StorePrompts = node.Flag("storePrompts", defaults.StorePrompts),
            RetentionDays = (int)node.Number("retentionDays", defaults.RetentionDays, 0, 36_500),
            MaxBatch = (int)node.Number("maxBatch", defaults.MaxBatch, 1, 10_000),
            BacklogLimit = (int)node.Number("backlogLimit", defaults.BacklogLimit, 0, 10_000_000),
            Durability = node.Choice("durability", defaults.Durability, Durabilities),
        };
    }
}
