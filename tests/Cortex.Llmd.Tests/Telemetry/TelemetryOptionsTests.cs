using System.Collections;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Telemetry;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Telemetry;

public class TelemetryOptionsTests
{
    private const string Base = """ "providers": { "m": { "kind": "mock" } }, "routes": { "r": { "targets": ["m/x"] } } """;

    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = TempDirectory.Create();

    [TearDown]
    public void DeleteDirectory() => TempDirectory.Delete(_dir);

    private DaemonOptions Load(string telemetry, IDictionary? environment = null)
    {
        string path = Path.Combine(_dir, "c.json");
        File.WriteAllText(path, "{" + Base + (telemetry.Length > 0 ? ", \"telemetry\": " + telemetry : string.Empty) + "}");
        return DaemonConfig.Load(path, environment ?? new Hashtable(), null, ProviderFactoryRegistry.CreateDefault());
    }

    [Test]
    public void Load_NoTelemetrySection_LeavesEveryChoiceUnset()
    {
        OtlpOptions otlp = Load(string.Empty).Telemetry.Otlp;

        Assert.That(otlp, Is.EqualTo(new OtlpOptions()));
    }

    [Test]
    public void Load_FullOtlpSection_ParsesEveryKey()
    {
        OtlpOptions otlp = Load("""{ "otlp": { "enabled": true, "endpoint": "http://127.0.0.1:4318", "protocol": "http/protobuf", "exportInterval": "15s" } }""").Telemetry.Otlp;

        Assert.That(otlp.Enabled, Is.True);
        Assert.That(otlp.Endpoint, Is.EqualTo(new Uri("http://127.0.0.1:4318")));
        Assert.That(otlp.Protocol, Is.EqualTo(OtlpProtocol.HttpProtobuf));
        Assert.That(otlp.ExportInterval, Is.EqualTo(TimeSpan.FromSeconds(15)));
    }

    [Test]
    public void Load_EnvironmentOverride_EnablesExport()
    {
        OtlpOptions otlp = Load(string.Empty, new Hashtable { ["CORTEX_LLMD_TELEMETRY__OTLP__ENABLED"] = "true" }).Telemetry.Otlp;

        Assert.That(otlp.Enabled, Is.True);
    }

    [Test]
    public void Load_SeveralBadKeys_ReportsEveryErrorAtOnce()
    {
        var ex = Assert.Throws<ConfigException>(() => Load(
            """{ "otlp": { "enabled": "yes", "endpoint": "collector:4317", "protocol": "udp", "exportInterval": "10ms", "headers": "x" }, "traces": {} }"""));

        Assert.That(ex!.Message, Does.Contain("telemetry.otlp.enabled: 'yes' is not true or false"));
        Assert.That(ex.Message, Does.Contain("telemetry.otlp.endpoint: 'collector:4317' is not an absolute http:// or https:// address"));
        Assert.That(ex.Message, Does.Contain("telemetry.otlp.protocol: 'udp' is not one of: grpc, http/protobuf"));
        Assert.That(ex.Message, Does.Contain("telemetry.otlp.exportInterval: 10ms is out of range"));
        Assert.That(ex.Message, Does.Contain("telemetry.otlp.headers: unknown key"));
        Assert.That(ex.Message, Does.Contain("telemetry.traces: unknown key"));
    }
}
