using Cortex.Llm.V1;
using Cortex.Llmd.Model;

namespace Cortex.Llmd.Routing;

/// <summary>
/// Hears a request's usage as soon as a provider reports it, before the request ends, so that what it
/// holds against its limits (budget reservations) follows what is really being billed.
/// </summary>
public interface IUsageMeter
{
    /// <summary>The meter for one attempt on <paramref name="target"/>, whose prices apply.</summary>
    IAttemptMeter For(TargetRef target);
}

/// <summary>One attempt's side of an <see cref="IUsageMeter"/>.</summary>
public interface IAttemptMeter
{
    /// <param name="usage">The counts reported so far.</param>
    /// <param name="final">True at the attempt's end (the counts are complete); false for an early report,
    /// such as the input tokens at the start of a stream, when the output is still to come.</param>
    void Report(Usage usage, bool final);
}
