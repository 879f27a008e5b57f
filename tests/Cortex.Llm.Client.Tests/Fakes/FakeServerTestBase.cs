using Grpc.Core;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Fakes;

/// <summary>One fake daemon per fixture; each test sets its own handlers.</summary>
public abstract class FakeServerTestBase
{
    protected FakeDaemon Server { get; private set; } = null!;

    protected FakeRouter Router => Server.Router;

    [OneTimeSetUp]
    public async Task StartServerAsync() => Server = await FakeDaemon.StartAsync();

    [OneTimeTearDown]
    public async Task StopServerAsync() => await Server.DisposeAsync();

    [SetUp]
    public void ResetServer() => Server.Reset();

    /// <summary>Fails the test instead of hanging it when something the test waits for never happens.</summary>
    protected static async Task<T> Within<T>(Task<T> task, double seconds = 10) =>
        await task.WaitAsync(TimeSpan.FromSeconds(seconds));

    protected static async Task Within(Task task, double seconds = 10) =>
        await task.WaitAsync(TimeSpan.FromSeconds(seconds));

    /// <summary>A handler that never answers and reports, through <paramref name="aborted"/>, when the client ends the call.</summary>
    protected static async Task HangUntilCancelledAsync(ServerCallContext context, TaskCompletionSource aborted, TaskCompletionSource? started = null)
    {
        using CancellationTokenRegistration registration = context.CancellationToken.Register(() => aborted.TrySetResult());
        started?.TrySetResult();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Writes messages until the client resets the stream, then reports that it did.</summary>
    protected static async Task StreamUntilCancelledAsync<T>(IServerStreamWriter<T> writer, ServerCallContext context, TaskCompletionSource aborted, Func<int, T> next)
    {
        using CancellationTokenRegistration registration = context.CancellationToken.Register(() => aborted.TrySetResult());
        try
        {
            for (int i = 0; ; i++)
            {
                await writer.WriteAsync(next(i), context.CancellationToken);
                await Task.Delay(10, context.CancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
        }
    }

    protected static TaskCompletionSource Signal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
