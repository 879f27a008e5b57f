using Cortex.Llmd.Providers.OpenAi;
using Cortex.Llmd.Tests.Support.Fakes;
using static Cortex.Llmd.Tests.Providers.OpenAi.OpenAiTestKit;

namespace Cortex.Llmd.Tests.Providers.OpenAi;

/// <summary>A fresh fake server and adapter per test, shared by the response and fault tests.</summary>
public abstract class OpenAiServerTestBase
{
    protected FakeOpenAiServer Fake { get; private set; } = null!;

    protected OpenAiProvider Adapter { get; private set; } = null!;

    [SetUp]
    public async Task StartServer()
    {
        Fake = await FakeOpenAiServer.StartNewAsync();
        Adapter = Provider(Settings(Fake));
    }

    [TearDown]
    public async Task StopServer()
    {
        Adapter.Dispose();
        await Fake.DisposeAsync();
    }
}
