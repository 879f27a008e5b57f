using Cortex.Llmd.Logging;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Tests.Logging;

public class BoundedLoggerProviderTests
{
    private const string GrpcHandler = "Grpc.AspNetCore.Server.ServerCallHandler";

    [Test]
    public void Log_ClientResetWithStack_DemotedToDebugWithoutException()
    {
        (ILoggerFactory factory, Collector lines) = Build(LogLevel.Debug);
        var reset = new IOException("The client reset the request stream.");

        factory.CreateLogger(GrpcHandler).Log(LogLevel.Information, new EventId(28, "ServiceMethodCanceled"), "Service method 'Complete' canceled.", reset, (s, _) => s);

        Assert.That(lines.Entries, Has.Count.EqualTo(1));
        Assert.That(lines.Entries[0].Level, Is.EqualTo(LogLevel.Debug));
        Assert.That(lines.Entries[0].Exception, Is.Null);
        Assert.That(lines.Entries[0].Message, Is.EqualTo("Service method 'Complete' canceled. (IOException: The client reset the request stream.)"));
    }

    [Test]
    public void Log_LibraryEchoOfAChosenStatus_NotWrittenAtInformation()
    {
        (ILoggerFactory factory, Collector lines) = Build(LogLevel.Information);

        factory.CreateLogger(GrpcHandler).Log(LogLevel.Information, new EventId(7, "RpcConnectionError"), "Error status code 'ResourceExhausted' raised.", null, (s, _) => s);

        Assert.That(lines.Entries, Is.Empty);
    }

    [Test]
    public void Log_CallerNoiseAtInformationLevel_NotWritten()
    {
        (ILoggerFactory factory, Collector lines) = Build(LogLevel.Information);
        var reset = new IOException("reset");

        factory.CreateLogger(GrpcHandler).Log(LogLevel.Information, new EventId(14), "Error reading message.", reset, (s, _) => s);

        Assert.That(lines.Entries, Is.Empty);
    }

    [Test]
    public void Log_HandlerErrorAfterReadFailure_DemotedButOtherHandlerErrorsKept()
    {
        (ILoggerFactory factory, Collector lines) = Build(LogLevel.Information);
        ILogger logger = factory.CreateLogger(GrpcHandler);
        var parse = new InvalidOperationException("SkipLastField cannot be called at the end of a stream");
        var bug = new InvalidOperationException("a real bug");

        logger.Log(LogLevel.Information, new EventId(14), "Error reading message.", parse, (s, _) => s);
        logger.Log(LogLevel.Error, new EventId(6), "Error when executing service method 'Complete'.", parse, (s, _) => s);
        logger.Log(LogLevel.Error, new EventId(6), "Error when executing service method 'Route'.", bug, (s, _) => s);

        Assert.That(lines.Entries, Has.Count.EqualTo(1));
        Assert.That(lines.Entries[0].Level, Is.EqualTo(LogLevel.Error));
        Assert.That(lines.Entries[0].Exception, Is.SameAs(bug));
    }

    [Test]
    public void Log_KestrelQueueExceeded_OneWarningPerConnection()
    {
        (ILoggerFactory factory, Collector lines) = Build(LogLevel.Information);
        ILogger logger = factory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Http2");

        foreach (string connection in new[] { "A", "A", "A", "B", "A" })
        {
            var state = new List<KeyValuePair<string, object?>> { new("connectionId", connection) };
            logger.Log(LogLevel.Critical, new EventId(60), state, null, (_, _) => $"Connection id \"{connection}\" exceeded the output operations maximum queue size.");
        }

        Assert.That(lines.Entries.Select(e => (e.Level, e.Message)), Is.EqualTo(new[]
        {
            (LogLevel.Warning, "Connection id \"A\" exceeded the output operations maximum queue size."),
            (LogLevel.Warning, "Connection id \"B\" exceeded the output operations maximum queue size."),
        }));
    }

    [Test]
    public void Log_OwnErrorWithException_KeepsLevelAndException()
    {
        (ILoggerFactory factory, Collector lines) = Build(LogLevel.Information);
        var failure = new IOException("disk full");

        factory.CreateLogger("Cortex.Llmd.Ledger").Log(LogLevel.Error, new EventId(502), "Ledger DEGRADED", failure, (s, _) => s);

        Assert.That(lines.Entries.Single().Level, Is.EqualTo(LogLevel.Error));
        Assert.That(lines.Entries.Single().Exception, Is.SameAs(failure));
    }

    [Test]
    public void Log_SameEventFlood_CutAtBurst()
    {
        (ILoggerFactory factory, Collector lines) = Build(LogLevel.Information);
        ILogger logger = factory.CreateLogger("Cortex.Llmd.Services");

        for (int i = 0; i < 1000; i++)
        {
            logger.Log(LogLevel.Information, new EventId(103), "Call failed", null, (s, _) => s);
        }

        Assert.That(lines.Entries, Has.Count.EqualTo(LineBudget.Burst));
    }

    [Test]
    public void Log_HugeMessage_ClippedToMaxLine()
    {
        (ILoggerFactory factory, Collector lines) = Build(LogLevel.Information);
        string huge = new('x', 3_000_000);

        factory.CreateLogger("Cortex.Llmd").Log(LogLevel.Warning, new EventId(1), huge, null, (s, _) => s);

        Assert.That(lines.Entries.Single().Message, Has.Length.EqualTo(BoundedLoggerProvider.MaxLineChars));
        Assert.That(lines.Entries.Single().Message, Does.EndWith("…"));
    }

    [Test]
    public void Log_InvalidProtobufOutsideLibraries_NotTreatedAsNoise()
    {
        (ILoggerFactory factory, Collector lines) = Build(LogLevel.Information);

        InvalidProtocolBufferException unparsable = Assert.Throws<InvalidProtocolBufferException>(() => Cortex.Llm.V1.CompleteRequest.Parser.ParseFrom([0x0a]))!;

        factory.CreateLogger("Cortex.Llmd.Ledger").Log(LogLevel.Error, new EventId(9), "bad row", unparsable, (s, _) => s);

        Assert.That(lines.Entries.Single().Level, Is.EqualTo(LogLevel.Error));
    }

    private static (ILoggerFactory Factory, Collector Lines) Build(LogLevel minimum)
    {
        var collector = new Collector();
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(minimum);
            logging.AddProvider(collector);
            BoundedLoggerProvider.WrapAll(logging, minimum, TimeProvider.System);
        });
        return (services.BuildServiceProvider().GetRequiredService<ILoggerFactory>(), collector);
    }

    private sealed record Entry(LogLevel Level, string Message, Exception? Exception);

    private sealed class Collector : ILoggerProvider, ILogger
    {
        public List<Entry> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add(new Entry(logLevel, formatter(state, exception), exception));

        public void Dispose()
        {
        }
    }
}
