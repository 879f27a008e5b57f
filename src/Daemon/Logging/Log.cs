using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Logging;

/// <summary>
/// Every log line the daemon writes, with its event id kept in one place so ids never collide and
/// journald filters stay stable. Never log prompts, answers or secrets here.
/// </summary>
internal static partial class Log
{
    // 1xx: the gRPC door. Library lines a caller can trigger are demoted and rate-bounded by
    // BoundedLoggerProvider; these are the daemon's own.
    [LoggerMessage(103, LogLevel.Information, "Call {Method} ended with {Status}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, string status, string detail);

    // 11x: access (admin calls, rate limits). Each caller reaches these at most once per throttle window.
    [LoggerMessage(110, LogLevel.Warning, "Refused {Method} to {Caller}: {Reason} ({Suppressed} more refusals of this caller since the last line)")]
    public static partial void AccessDenied(ILogger logger, string method, string caller, string reason, long suppressed);

    [LoggerMessage(111, LogLevel.Warning, "Rate limit: {Caller} exceeded {PerSecond} requests/s (burst {Burst}); its calls get RESOURCE_EXHAUSTED ({Suppressed} more refusals since the last line)")]
    public static partial void RateLimited(ILogger logger, string caller, int perSecond, int burst, long suppressed);

    [LoggerMessage(112, LogLevel.Warning, "access.adminGroups names groups that do not exist here: {Groups}; they make nobody an admin")]
    public static partial void AdminGroupsMissing(ILogger logger, string groups);

    // 2xx: hosting, socket and configuration.
    [LoggerMessage(200, LogLevel.Information, "cortex-llmd {Version} serving on {SocketPath} ({Providers} providers, {Routes} routes)")]
    public static partial void Serving(ILogger logger, string version, string socketPath, int providers, int routes);

    [LoggerMessage(202, LogLevel.Warning, "Socket group '{Group}' was not applied to {SocketPath}: {Reason}")]
    public static partial void SocketGroupNotApplied(ILogger logger, string group, string socketPath, string reason);

    [LoggerMessage(204, LogLevel.Information, "cortex-llmd stopping: no new calls; in-flight calls get up to {ShutdownSeconds} s")]
    public static partial void Stopping(ILogger logger, double shutdownSeconds);

    [LoggerMessage(205, LogLevel.Information, "cortex-llmd stopped")]
    public static partial void Stopped(ILogger logger);

    // 21x: systemd integration (notify, watchdog, socket activation, reload).
    [LoggerMessage(210, LogLevel.Warning, "sd_notify to {NotifySocket} failed: {Reason} (further failures are not logged)")]
    public static partial void NotifyFailed(ILogger logger, string notifySocket, string reason);

    [LoggerMessage(211, LogLevel.Error, "Watchdog: the liveness probe through the request pipeline failed or took over {TimeoutMs} ms; not pinging systemd until it answers again")]
    public static partial void WatchdogProbeFailed(ILogger logger, double timeoutMs);

    [LoggerMessage(212, LogLevel.Information, "Watchdog: the liveness probe answers again; pinging systemd")]
    public static partial void WatchdogRecovered(ILogger logger);

    [LoggerMessage(213, LogLevel.Error, "Reload of {ConfigPath} rejected; keeping the last good config. {Errors}")]
    public static partial void ReloadRejected(ILogger logger, string configPath, string errors);

    [LoggerMessage(214, LogLevel.Information, "Reloaded {ConfigPath}: {Providers} providers, {Routes} routes")]
    public static partial void Reloaded(ILogger logger, string configPath, int providers, int routes);

    [LoggerMessage(215, LogLevel.Warning, "Reload of {ConfigPath}: server settings (socket path, mode, group, limits, shutdown timeout), the openai or telemetry section, or the logging level changed; they take effect only after a restart")]
    public static partial void ReloadServerNeedsRestart(ILogger logger, string configPath);

    [LoggerMessage(216, LogLevel.Information, "Socket activation: serving on {Socket}; the socket file belongs to systemd")]
    public static partial void SocketInherited(ILogger logger, string socket);

    // 23x: connection limits (each line is throttled: once per uid, or once, per minute).
    [LoggerMessage(230, LogLevel.Warning, "Refused a connection from uid {Uid}: {Reason} (logged at most once a minute per uid)")]
    public static partial void ConnectionRefused(ILogger logger, uint uid, string reason);

    [LoggerMessage(231, LogLevel.Warning, "Accept failed ({Error}: {Message}; out of descriptors or memory: {Exhausted}); backing off up to 1 s while {Open} connections are served (logged at most once a minute)")]
    public static partial void AcceptFailing(ILogger logger, string error, string message, bool exhausted, int open);

    [LoggerMessage(232, LogLevel.Warning, "{Warning}")]
    public static partial void ConnectionLimitLowered(ILogger logger, string warning);

    // 3xx: completions, routing and providers.
    [LoggerMessage(300, LogLevel.Information, "Request {RequestId} failed after {Attempts} attempts: {Status}")]
    public static partial void CompletionFailed(ILogger logger, string requestId, int attempts, string status);

    [LoggerMessage(301, LogLevel.Debug, "Request {RequestId}: attempt {Provider}/{Model} ended {Outcome}: {Reason}")]
    public static partial void AttemptFinished(ILogger logger, string requestId, string provider, string model, string outcome, string reason);

    [LoggerMessage(310, LogLevel.Warning, "{Target} has no configured price: its answers are recorded as unpriced (add providers.X.models.Y.price)")]
    public static partial void Unpriced(ILogger logger, string target);

    // 35x: provider health (breakers and probes).
    [LoggerMessage(350, LogLevel.Warning, "Circuit of {Target} is now {State}: {Reason}")]
    public static partial void BreakerTransition(ILogger logger, string target, string state, string reason);

    [LoggerMessage(351, LogLevel.Error, "Circuit state of {Target} could not be saved")]
    public static partial void BreakerNotSaved(ILogger logger, string target, Exception exception);

    [LoggerMessage(355, LogLevel.Warning, "{Target} is cooling down: {Reason}")]
    public static partial void CooldownStarted(ILogger logger, string target, string reason);

    [LoggerMessage(356, LogLevel.Error, "Rate-limit cooldown of {Target} could not be saved")]
    public static partial void CooldownNotSaved(ILogger logger, string target, Exception exception);

    [LoggerMessage(352, LogLevel.Warning, "Probe of {Provider} failed: {Detail}")]
    public static partial void ProbeFailed(ILogger logger, string provider, string detail);

    // 5xx: the SQLite ledger.
    [LoggerMessage(500, LogLevel.Information, "Ledger open at {Path}: rows are committed before answers are sent")]
    public static partial void LedgerOpened(ILogger logger, string path);

    [LoggerMessage(501, LogLevel.Critical, "LEDGER CORRUPT: {Path} failed its integrity check ({Problem}); moved aside to {Aside} and started a fresh ledger")]
    public static partial void LedgerCorruptMovedAside(ILogger logger, string path, string aside, string problem);

    [LoggerMessage(502, LogLevel.Error, "Ledger DEGRADED at {Path}: {Reason}. Answers are no longer held for a commit; rows are kept in a bounded in-memory backlog and the store is retried every {RetryInterval}")]
    public static partial void LedgerDegraded(ILogger logger, string path, string reason, TimeSpan retryInterval);

    [LoggerMessage(503, LogLevel.Warning, "Ledger recovered at {Path}: backlog flushed, rows are committed before answers again")]
    public static partial void LedgerRecovered(ILogger logger, string path);

    [LoggerMessage(504, LogLevel.Error, "Ledger stopping while degraded ({Reason}): {Backlog} rows in the backlog were not written")]
    public static partial void LedgerBacklogLost(ILogger logger, int backlog, string reason);

    [LoggerMessage(505, LogLevel.Information, "Ledger retention: pruned {Rows} requests older than {Days} days")]
    public static partial void LedgerPruned(ILogger logger, long rows, int days);

    [LoggerMessage(506, LogLevel.Warning, "Ledger retention failed: {Reason}")]
    public static partial void LedgerPruneFailed(ILogger logger, string reason);

    // 6xx: budgets.
    [LoggerMessage(600, LogLevel.Information, "Budgets: spend loaded from the ledger ({Scopes} scopes with spend this month)")]
    public static partial void BudgetSpendLoaded(ILogger logger, int scopes);

    [LoggerMessage(601, LogLevel.Warning, "Budgets: no ledger is open ({Reason}); spend starts from $0 and is kept in memory only")]
    public static partial void BudgetNoLedger(ILogger logger, string reason);

    [LoggerMessage(602, LogLevel.Warning, "Budgets: {Target} has no configured price; it reserves $0 against budgets")]
    public static partial void BudgetUnpricedTarget(ILogger logger, string target);

    /// <summary>Once per budget and period window: a burst of rejections must not flood the journal.</summary>
    [LoggerMessage(603, LogLevel.Warning, "Budget {Budget} exhausted: {Detail}; further requests it rejects this {Period} window are not logged (they are in the ledger and stats)")]
    public static partial void BudgetRejected(ILogger logger, string budget, string detail, string period);

    [LoggerMessage(604, LogLevel.Information, "Budget {Budget} exhausted: request downgraded to route {Route}")]
    public static partial void BudgetDowngraded(ILogger logger, string budget, string route);

    [LoggerMessage(605, LogLevel.Warning, "Budget {Budget} reached {Percent}% of its {Period} limit")]
    public static partial void BudgetThreshold(ILogger logger, string budget, string period, uint percent);

    [LoggerMessage(360, LogLevel.Information, "OpenAI-compatible endpoint: request {RequestId} answered {Status} (param {Param}): {Message}")]
    public static partial void OpenAiRequestRejected(ILogger logger, string requestId, int status, string param, string message);

    [LoggerMessage(361, LogLevel.Information, "OpenAI-compatible endpoint serving on {Where}")]
    public static partial void OpenAiServing(ILogger logger, string where);

    [LoggerMessage(362, LogLevel.Error, "OpenAI-compatible endpoint: request {RequestId} failed unexpectedly")]
    public static partial void OpenAiUnexpected(ILogger logger, string requestId, Exception exception);
}
