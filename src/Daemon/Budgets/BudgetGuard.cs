using System.Collections.Concurrent;
using System.Globalization;
using Cortex.Llm.V1;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Events;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Logging;
using Cortex.Llmd.Model;
using Cortex.Llmd.Pricing;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Routing;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Budgets;

/// <summary>What a request may do under its budgets: the plan to run (possibly downgraded) and what it reserved.</summary>
public sealed record BudgetAdmission(RoutePlan Plan, Reservation Reservation)
{
    /// <summary>The budget whose exhaustion moved the request to its downgrade route, if one did.</summary>
    public string? DowngradedBy { get; init; }
}

/// <summary>
/// Admits requests against the configured budgets before any provider is called, and settles their
/// actual cost afterwards. Recorded spend is read from the <see cref="ISpendSource"/> once (lazily, at the
/// first request, once the ledger has opened) and is then kept in memory by <see cref="SpendBook"/>.
/// </summary>
public sealed class BudgetGuard
{
    private readonly SpendBook _book;
    private readonly ISpendSource _source;
    private readonly EventHub _events;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<TargetRef, byte> _unpricedLogged = new();
    private readonly Lock _loadGate = new();
    private readonly Lock _warnGate = new();
    private readonly Dictionary<(string Budget, BudgetPeriod Period), DateOnly> _warnedWindow = [];
    private bool _loaded;

    public BudgetGuard(SpendBook book, ISpendSource source, EventHub events, ILogger<BudgetGuard> logger)
    {
        _book = book;
        _source = source;
        _events = events;
        _logger = logger;
    }

    public SpendBook Book => _book;

    /// <summary>
    /// Reserves the plan's worst-case cost, or downgrades, or throws RESOURCE_EXHAUSTED, as the first
    /// exhausted budget says. <paramref name="replan"/> plans the same request on another route.
    /// </summary>
    public BudgetAdmission Admit(CompleteRequest request, RoutePlan plan, IBudgetSettings options, CallerInfo caller, Func<string, RoutePlan> replan)
    {
        EnsureLoaded();
        IReadOnlyList<string> keys = SpendKeys.For(request.TenantId, caller);
        List<BudgetOptions> budgets = Applicable(options, keys);
        if (budgets.Count == 0)
        {
            return new BudgetAdmission(plan, Reservation.None);
        }

        long worst = WorstCase(plan, request, options);
        (Reservation? reservation, Exhaustion? exhausted) = _book.TryReserve(budgets, keys, worst, _ => false);
        if (reservation is not null)
        {
            return new BudgetAdmission(plan, reservation);
        }

        BudgetOptions budget = exhausted!.Budget;
        if (budget.OnExhausted == ExhaustedPolicy.Reject)
        {
            throw Reject(exhausted, string.Empty);
        }

        RoutePlan downgraded = replan(budget.DowngradeRoute);
        long downgradedWorst = WorstCase(downgraded, request, options);

        // An exhausted budget tolerates a downgraded request only if it cannot add to its spend.
        (reservation, Exhaustion? still) = _book.TryReserve(
            budgets, keys, downgradedWorst, b => b.OnExhausted == ExhaustedPolicy.Downgrade && downgradedWorst == 0);
        if (reservation is null)
        {
            string why = still!.Budget.OnExhausted == ExhaustedPolicy.Downgrade
                ? $"; its downgrade route '{still.Budget.DowngradeRoute}' could still cost up to {Usd(downgradedWorst)}"
                : string.Empty;
            throw Reject(still, why);
        }

        Log.BudgetDowngraded(_logger, budget.Name, budget.DowngradeRoute);
        return new BudgetAdmission(downgraded, reservation) { DowngradedBy = budget.Name };
    }

    /// <summary>
    /// What keeps <paramref name="reservation"/> in step with the usage providers report while the
    /// request runs; settle its <see cref="ReservationMeter.Current"/> reservation.
    /// </summary>
    public ReservationMeter Meter(Reservation reservation, CompleteRequest request, IBudgetSettings options) =>
        new(_book, reservation, request.MaxTokens ?? options.BudgetDefaultMaxTokens, options);

    /// <summary>Releases the reservation and counts the request's actual cost, publishing thresholds crossed.</summary>
    public void Settle(Reservation reservation, string tenant, CallerInfo caller, long costNanoUsd, IBudgetSettings options)
    {
        EnsureLoaded();
        IReadOnlyList<string> keys = SpendKeys.For(tenant, caller);
        foreach (ThresholdCrossing crossing in _book.Settle(reservation, keys, costNanoUsd, options.Budgets))
        {
            string period = PeriodName(crossing.Period);
            Log.BudgetThreshold(_logger, crossing.Budget.Name, period, crossing.Percent);
            _events.Publish(new Event
            {
                BudgetThreshold = new BudgetThreshold
                {
                    Budget = crossing.Budget.Name,
                    Period = period,
                    Percent = crossing.Percent,
                    SpentNanoUsd = crossing.Spent,
                    LimitNanoUsd = crossing.Limit,
                },
            });
        }
    }

    /// <summary>
    /// The most one attempt of the plan can cost: the dearest eligible target, billed for the input
    /// token bound (<see cref="InputTokenBound"/>, never an under-estimate) and max_tokens (or
    /// budgetDefaultMaxTokens) of output. Unpriced targets count as $0.
    /// </summary>
    public long WorstCase(RoutePlan plan, CompleteRequest request, IBudgetSettings options)
    {
        var usage = new Usage
        {
            InputTokens = (ulong)InputTokenBound.Of(request),
            OutputTokens = (ulong)(request.MaxTokens ?? options.BudgetDefaultMaxTokens),
        };
        long worst = 0;
        foreach (PlannedCandidate candidate in plan.Eligible)
        {
            ModelPrice? price = options.Providers.TryGetValue(candidate.Target.Provider, out ProviderOptions? provider)
                ? provider.PriceOf(candidate.Target.Model)
                : null;
            if (price is null)
            {
                if (_unpricedLogged.TryAdd(candidate.Target, 0))
                {
                    Log.BudgetUnpricedTarget(_logger, candidate.Target.ToString());
                }

                continue;
            }

            worst = Math.Max(worst, price.CostNanoUsd(usage));
        }

        return worst;
    }

    public static string PeriodName(BudgetPeriod period) => period == BudgetPeriod.Daily ? "daily" : "monthly";

    public static string Usd(long nanoUsd) => "$" + (nanoUsd / 1_000_000_000m).ToString("0.000000", CultureInfo.InvariantCulture);

    private static List<BudgetOptions> Applicable(IBudgetSettings options, IReadOnlyList<string> keys) =>
        [.. options.Budgets.Where(b => keys.Contains(b.Key, StringComparer.Ordinal))];

    private RouterException Reject(Exhaustion exhausted, string detail)
    {
        BudgetOptions budget = exhausted.Budget;
        string scope = budget.Scope == BudgetScope.Global ? "global" : $"{budget.ScopeName} {budget.Match}";
        string reserved = exhausted.Reserved > 0 ? $" (+{Usd(exhausted.Reserved)} reserved by requests in flight)" : string.Empty;
        string message = $"budget '{budget.Name}' ({PeriodName(exhausted.Period)}, {scope}) exhausted: spent {Usd(exhausted.Spent)} of {Usd(exhausted.Limit)}{reserved}{detail}";
        if (FirstRejectionInWindow(exhausted))
        {
            Log.BudgetRejected(_logger, budget.Name, message, PeriodName(exhausted.Period));
        }

        return new RouterException(RouterErrorCode.BudgetExhausted, message);
    }

    /// <summary>True once per budget, period and UTC window (day or month): the rest of a burst stays out of the log.</summary>
    private bool FirstRejectionInWindow(Exhaustion exhausted)
    {
        DateOnly window = _book.WindowStart(exhausted.Period);
        lock (_warnGate)
        {
            (string, BudgetPeriod) key = (exhausted.Budget.Name, exhausted.Period);
            if (_warnedWindow.TryGetValue(key, out DateOnly warned) && warned == window)
            {
                return false;
            }

            _warnedWindow[key] = window;
            return true;
        }
    }

    private void EnsureLoaded()
    {
        if (Volatile.Read(ref _loaded))
        {
            return;
        }

        lock (_loadGate)
        {
            if (_loaded)
            {
                return;
            }

            try
            {
                Log.BudgetSpendLoaded(_logger, _book.Load(_source));
            }
            catch (SpendUnavailableException ex)
            {
                Log.BudgetNoLedger(_logger, ex.Message);
            }

            Volatile.Write(ref _loaded, true);
        }
    }
}
