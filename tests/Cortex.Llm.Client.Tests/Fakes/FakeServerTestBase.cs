using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Fakes;

/// <summary>One fake daemon per fixture; each test maps its own handlers.</summary>
public abstract class FakeServerTestBase
{
    protected FakeGrpcServer Server { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServerAsync() => Server = await FakeGrpcServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServerAsync() => await Server.DisposeAsync();

    [SetUp]
    public void ResetServer() => Server.Reset();

    /// <summary>Fails the test instead of hanging it when something the test waits for never happens.</summary>
    protected static async Task<T> Within<T>(Task<T> task, double seconds = 10) =>
        await task.WaitAsync(TimeSpan.FromSeconds(seconds));

    protected static async Task Within(Task task, double seconds = 10) =>
        await task.WaitAsync(TimeSpan.FromSeconds(seconds));
}
