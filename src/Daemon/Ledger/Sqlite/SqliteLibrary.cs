using SQLitePCL;

namespace Cortex.Llmd.Ledger.Sqlite;

/// <summary>Makes SQLitePCLRaw's raw API usable: every entry point of the wrapper goes through here first.</summary>
internal static class SqliteLibrary
{
    // Batteries_V2.Init installs the bundled e_sqlite3 as the provider; Lazy makes it once per process, thread-safely.
    private static readonly Lazy<bool> Loaded = new(() =>
    {
        Batteries_V2.Init();
        return true;
    });

    public static void EnsureLoaded() => _ = Loaded.Value;
}
