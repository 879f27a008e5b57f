using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Cortex.Llmd.Ledger;

/// <summary>
/// The ledger's schema as forward-only migrations. Migration N (1-based) runs when
/// <c>PRAGMA user_version</c> is below N, in its own transaction, and sets the version to N.
/// Never edit a shipped step: append a new one.
/// </summary>
public static class LedgerSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: requests and their attempts.
        """
        CREATE TABLE requests (
            request_id TEXT PRIMARY KEY NOT NULL,
            time_ms INTEGER NOT NULL,
            caller_uid INTEGER NULL,
            caller_gid INTEGER NULL,
            caller_pid INTEGER NULL,
            caller_process TEXT NOT NULL DEFAULT '',
            caller_unit TEXT NOT NULL DEFAULT '',
            tenant TEXT NOT NULL DEFAULT '',
            labels_json TEXT NOT NULL DEFAULT '{}',
            task TEXT NOT NULL,
            route TEXT NOT NULL,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            fallbacks INTEGER NOT NULL,
            input_tokens INTEGER NOT NULL,
            cached_input_tokens INTEGER NOT NULL,
            cache_write_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            reasoning_tokens INTEGER NOT NULL,
            cost_nano_usd INTEGER NOT NULL,
            priced INTEGER NOT NULL,
            latency_us INTEGER NOT NULL,
            ttft_us INTEGER NULL,
            prompt_text TEXT NULL,
            answer_text TEXT NULL
        );
        CREATE TABLE attempts (
            request_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            outcome TEXT NOT NULL,
            reason TEXT NOT NULL,
            http_status INTEGER NOT NULL,
            latency_us INTEGER NOT NULL,
            PRIMARY KEY (request_id, seq)
        );
        CREATE INDEX requests_time ON requests (time_ms);
        """,

        // 2: statistics windows (ResetStats), so a reset survives restarts.
        """
        CREATE TABLE stats_windows (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_ms INTEGER NOT NULL
        );
        """,

        // 3: indexes for the stats filters.
        """
        CREATE INDEX requests_provider_model ON requests (provider, model, time_ms);
        CREATE INDEX requests_task ON requests (task, time_ms);
        CREATE INDEX requests_route ON requests (route, time_ms);
        CREATE INDEX requests_tenant ON requests (tenant, time_ms);
        CREATE INDEX requests_caller_uid ON requests (caller_uid, time_ms);
        CREATE INDEX requests_caller_unit ON requests (caller_unit, time_ms);
        """,

        // 4: circuit-breaker snapshots, one row per target, rewritten on every transition.
        """
        CREATE TABLE breakers (
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            state TEXT NOT NULL,
            since_ms INTEGER NOT NULL,
            opened_ms INTEGER NULL,
            blocked_until_ms INTEGER NULL,
            samples TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (provider, model)
        );
        """,

        // 5: rate-limit cooldowns (a 429's Retry-After or reset header), one row per target, kept until overwritten.
        """
        CREATE TABLE cooldowns (
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            since_ms INTEGER NOT NULL,
            until_ms INTEGER NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (provider, model)
        );
        """,

        // 6: half the bytes per request. requests gets an explicit integer key (a rowid alias, so VACUUM
        // keeps it) and attempts are stored by it in attempt_rows, clustered on (request, seq), instead of
        // repeating the text id in every row and in a separate index; the view attempts shows them as before.
        // The six stats-filter indexes of step 3 go: they cost more than half of a row's bytes and a commit's
        // pages, and a filtered query never reads more rows than the unfiltered one over the same time range,
        // which requests_time serves.
        """
        CREATE TABLE requests_v6 (
            id INTEGER PRIMARY KEY,
            request_id TEXT NOT NULL UNIQUE,
            time_ms INTEGER NOT NULL,
            caller_uid INTEGER NULL,
            caller_gid INTEGER NULL,
            caller_pid INTEGER NULL,
            caller_process TEXT NOT NULL DEFAULT '',
            caller_unit TEXT NOT NULL DEFAULT '',
            tenant TEXT NOT NULL DEFAULT '',
            labels_json TEXT NOT NULL DEFAULT '{}',
            task TEXT NOT NULL,
            route TEXT NOT NULL,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            fallbacks INTEGER NOT NULL,
            input_tokens INTEGER NOT NULL,
            cached_input_tokens INTEGER NOT NULL,
            cache_write_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            reasoning_tokens INTEGER NOT NULL,
            cost_nano_usd INTEGER NOT NULL,
            priced INTEGER NOT NULL,
            latency_us INTEGER NOT NULL,
            ttft_us INTEGER NULL,
            prompt_text TEXT NULL,
            answer_text TEXT NULL
        );
        INSERT INTO requests_v6 (id, request_id, time_ms, caller_uid, caller_gid, caller_pid, caller_process, caller_unit, tenant, labels_json, task, route,
            provider, model, status, attempts, fallbacks, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens,
            reasoning_tokens, cost_nano_usd, priced, latency_us, ttft_us, prompt_text, answer_text)
        SELECT rowid, request_id, time_ms, caller_uid, caller_gid, caller_pid, caller_process, caller_unit, tenant, labels_json, task, route,
            provider, model, status, attempts, fallbacks, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens,
            reasoning_tokens, cost_nano_usd, priced, latency_us, ttft_us, prompt_text, answer_text
        FROM requests ORDER BY rowid;
        CREATE TABLE attempt_rows (
            request INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            outcome TEXT NOT NULL,
            reason TEXT NOT NULL,
            http_status INTEGER NOT NULL,
            latency_us INTEGER NOT NULL,
            PRIMARY KEY (request, seq)
        ) WITHOUT ROWID;
        INSERT INTO attempt_rows (request, seq, provider, model, outcome, reason, http_status, latency_us)
        SELECT r.id, a.seq, a.provider, a.model, a.outcome, a.reason, a.http_status, a.latency_us
        FROM attempts a JOIN requests_v6 r ON r.request_id = a.request_id;
        DROP TABLE attempts;
        DROP TABLE requests;
        ALTER TABLE requests_v6 RENAME TO requests;
        CREATE INDEX requests_time ON requests (time_ms);
        CREATE VIEW attempts AS
        SELECT r.request_id AS request_id, a.seq AS seq, a.provider AS provider, a.model AS model, a.outcome AS outcome, a.reason AS reason,
               a.http_status AS http_status, a.latency_us AS latency_us
        FROM attempt_rows a JOIN requests r ON r.id = a.request;
        """,

        // 7: the front door each request came through (issue #12). The stored column is NULL for gRPC, the
        // first door and the one of every older row, so the common row pays one record-header byte and no body;
        // another door stores its name (OpenAI's row: 7 bytes). door is a VIRTUAL generated column: nothing on
        // disk, and every reader (queries, sqlite3) sees the name, 'grpc' included. A new door needs no step.
        """
        ALTER TABLE requests ADD COLUMN door_if_not_grpc TEXT NULL;
        ALTER TABLE requests ADD COLUMN door TEXT GENERATED ALWAYS AS (COALESCE(door_if_not_grpc, 'grpc')) VIRTUAL;
        """,
    ];

    public static int LatestVersion => Migrations.Count;

    public static long UserVersion(SqliteConnection connection) => connection.ScalarInt64("PRAGMA user_version");

    /// <summary>Runs every migration above the database's version, up to <paramref name="target"/>.</summary>
    public static void Migrate(SqliteConnection connection, int? target = null)
    {
        int last = target ?? LatestVersion;
        long version = UserVersion(connection);
        if (version > LatestVersion)
        {
            throw new LedgerVersionException($"ledger schema version {version} is newer than this daemon's ({LatestVersion})");
        }

        for (int n = (int)version + 1; n <= last; n++)
        {
            using SqliteTransaction transaction = connection.BeginTransaction();
            // PRAGMA takes no parameters; n is an integer we produced.
            connection.Execute(Migrations[n - 1] + $"\nPRAGMA user_version = {n.ToString(CultureInfo.InvariantCulture)};", transaction);
            transaction.Commit();
        }
    }
}

/// <summary>The database was written by a newer daemon: it is neither migrated nor moved aside.</summary>
public sealed class LedgerVersionException(string message) : Exception(message);
