using Cortex.Llm.V1;
using Cortex.Llmd.Model;
using Cortex.Llmd.Pricing;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Routing;

namespace Cortex.Llmd.Budgets;

/// <summary>
/// Keeps one request's reservation at least as high as what its attempts are known to cost. An early
/// report (input tokens at a stream's start) is priced with max_tokens of output still to come; an
/// attempt's final usage is priced as it is. The reservation only grows until the request settles, so
/// new requests see the real cost of those in flight as soon as a provider reports it.
/// </summary>
public sealed class ReservationMeter : IUsageMeter
{
    private readonly Lock _gate = new();
    private readonly SpendBook _book;
    private readonly ulong _maxOutputTokens;
    private readonly IBudgetSettings _options;
    private Reservation _current;

    public ReservationMeter(SpendBook book, Reservation reservation, long maxOutputTokens, IBudgetSettings options)
    {
        _book = book;
        _current = reservation;
        _maxOutputTokens = (ulong)Math.Max(0, maxOutputTokens);
        _options = options;
    }

    /// <summary>What the request holds now: settle this one.</summary>
    public Reservation Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    public IAttemptMeter For(TargetRef target) =>
        Current.Keys.Count > 0 && _options.Providers.TryGetValue(target.Provider, out ProviderOptions? provider) && provider.PriceOf(target.Model) is { } price
            ? new AttemptMeter(this, price)
            : NoMeter.Instance;

    private void Raise(long nanoUsd)
    {
        lock (_gate)
        {
            _current = _book.Raise(_current, nanoUsd);
        }
    }

    private sealed class AttemptMeter(ReservationMeter owner, ModelPrice price) : IAttemptMeter
    {
        public void Report(Usage usage, bool final)
        {
            Usage billed = usage.Clone();
            if (!final)
            {
                billed.OutputTokens = Math.Max(usage.OutputTokens, owner._maxOutputTokens);
            }

            owner.Raise(price.CostNanoUsd(billed));
        }
    }

    private sealed class NoMeter : IAttemptMeter
    {
        public static readonly NoMeter Instance = new();

        public void Report(Usage usage, bool final)
        {
        }
    }
}
