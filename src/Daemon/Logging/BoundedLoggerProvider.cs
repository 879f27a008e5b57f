using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Logging;

/// <summary>
/// Wraps every log provider the daemon writes to (the console, the journal, a test's collector), so that
/// what a local caller can trigger is bounded before it reaches the journal: caller noise is demoted
/// (<see cref="CallerNoise"/>), each event repeats at most at <see cref="LineBudget"/>'s rate, and a line
/// is at most <see cref="MaxLineChars"/> characters whatever it quotes.
/// </summary>
public sealed class BoundedLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    public const int MaxLineChars = 4096;

    private readonly ILoggerProvider _inner;
    private readonly bool _ownsInner;
    private readonly Policy _policy;

    internal BoundedLoggerProvider(ILoggerProvider inner, bool ownsInner, Policy policy)
    {
        _inner = inner;
        _ownsInner = ownsInner;
        _policy = policy;
    }

    /// <summary>Replaces each provider registration already made on <paramref name="logging"/> by a bounded one.</summary>
    public static void WrapAll(ILoggingBuilder logging, LogLevel minimum, TimeProvider time)
    {
        var policy = new Policy(minimum, new CallerNoise(), new LineBudget(time));
        IServiceCollection services = logging.Services;
        for (int i = 0; i < services.Count; i++)
        {
            ServiceDescriptor descriptor = services[i];
            if (descriptor.ServiceType == typeof(ILoggerProvider) && !descriptor.IsKeyedService)
            {
                services[i] = ServiceDescriptor.Singleton<ILoggerProvider>(sp => Wrap(sp, descriptor, policy));
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new BoundedLogger(_inner.CreateLogger(categoryName), categoryName, _policy);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => (_inner as ISupportExternalScope)?.SetScopeProvider(scopeProvider);

    public void Dispose()
    {
        // An instance registered by the caller is the caller's to dispose, as the container would leave it.
        if (_ownsInner)
        {
            _inner.Dispose();
        }
    }

    private static BoundedLoggerProvider Wrap(IServiceProvider services, ServiceDescriptor descriptor, Policy policy)
    {
        if (descriptor.ImplementationInstance is ILoggerProvider instance)
        {
            return new BoundedLoggerProvider(instance, ownsInner: false, policy);
        }

        ILoggerProvider created = descriptor.ImplementationFactory is { } factory
            ? (ILoggerProvider)factory(services)
            : (ILoggerProvider)ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);
        return new BoundedLoggerProvider(created, ownsInner: true, policy);
    }

    internal sealed record Policy(LogLevel Minimum, CallerNoise Noise, LineBudget Budget);

    private sealed class BoundedLogger(ILogger inner, string category, Policy policy) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        // The factory has already applied the configured levels; a demoted line is checked again in Log.
        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            CallerNoise.Verdict verdict = policy.Noise.Classify(category, eventId, logLevel, state, exception);
            if (verdict.Level < policy.Minimum || !inner.IsEnabled(verdict.Level)
                || !policy.Budget.TryTake(category, eventId.Id, out long suppressed))
            {
                return;
            }

            Exception? kept = verdict.KeepException ? exception : null;
            string Format(TState s, Exception? e) => Render(formatter(s, e), verdict.KeepException ? null : exception, suppressed);
            inner.Log(verdict.Level, eventId, state, kept, Format);
        }

        private static string Render(string message, Exception? dropped, long suppressed)
        {
            if (dropped is not null)
            {
                message = $"{message} ({dropped.GetType().Name}: {dropped.Message})";
            }

            if (message.Length > MaxLineChars)
            {
                message = string.Concat(message.AsSpan(0, MaxLineChars - 1), "…");
            }

            return suppressed > 0 ? $"{message} [{suppressed} more lines of this event were suppressed]" : message;
        }
    }
}
