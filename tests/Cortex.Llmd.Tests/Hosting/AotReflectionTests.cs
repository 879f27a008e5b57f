using Cortex.Llm.V1;
using Cortex.Llm.Client;
using Cortex.Llmd.Tests.Support;
using Google.Protobuf.Reflection;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;

namespace Cortex.Llmd.Tests.Hosting;

/// <summary>
/// Server reflection from the Native AOT binary: its package's one trim warning (IL2104) is suppressed in
/// the daemon's project, so this proves what grpcurl needs still works once trimmed.
/// </summary>
[Category("Aot")]
public class AotReflectionTests
{
    private string _dir = null!;
    private DaemonProcess _daemon = null!;
    private GrpcChannel _channel = null!;

    [OneTimeSetUp]
    public async Task StartAotDaemon()
    {
        string binary = await AotBinary.GetAsync();
        _dir = TempDirectory.Create();
        string socket = Path.Combine(_dir, "aot.sock");
        _daemon = DaemonProcess.StartExecutable(binary, null, "--config", TestDaemon.OfflineConfigPath, "--socket", socket);
        await _daemon.WaitUntilServingAsync(socket, TimeSpan.FromSeconds(30));
        _channel = CortexChannel.ForSocket(socket);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _channel?.Dispose();
        _daemon?.Dispose();
        TempDirectory.Delete(_dir);
    }

    [Test]
    public async Task ListServices_AotBinary_NamesEveryServedService()
    {
        IReadOnlyList<string> services = await ReflectionProbe.ListServicesAsync(new ServerReflection.ServerReflectionClient(_channel));

        Assert.That(services, Is.SupersetOf(new[] { "cortex.llm.v1.Router", "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection" }));
    }

    [Test]
    public async Task FileContainingSymbol_AotBinary_ReturnsTheRouterProtoWithItsMethods()
    {
        IReadOnlyList<FileDescriptorProto> files = await ReflectionProbe.FileContainingSymbolAsync(
            new ServerReflection.ServerReflectionClient(_channel), "cortex.llm.v1.Router");

        FileDescriptorProto router = files.Single(f => f.Name == "cortex/llm/v1/router.proto");
        ServiceDescriptorProto service = router.Service.Single(s => s.Name == "Router");
        Assert.That(service.Method.Select(m => m.Name), Is.SupersetOf(new[] { "Complete", "StreamComplete", "Route", "GetStats", "ListProviders", "WatchEvents" }));
        Assert.That(router.MessageType.Select(m => m.Name), Does.Contain("CompleteRequest"));
    }

    [Test]
    public async Task Complete_AotBinary_Answers()
    {
        var request = new CompleteRequest { Messages = { new Message { Role = Role.User, Content = "aot" } } };

        CompleteResponse response = await new Router.RouterClient(_channel).CompleteAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.That(response.Content, Is.Not.Empty);
        Assert.That(response.RequestId, Does.StartWith("req_"));
    }
}
