using System.Collections;
using Cortex.Llmd.Telemetry;

namespace Cortex.Llmd.Tests.Telemetry;

public class OtlpExportPlanTests
{
    private static OtlpExportPlan? Resolve(bool? enabled, params (string Name, string Value)[] variables)
    {
        var environment = new Hashtable { ["PATH"] = "/usr/bin" };
        foreach ((string name, string value) in variables)
        {
            environment[name] = value;
        }

        return OtlpExportPlan.Resolve(new OtlpOptions { Enabled = enabled }, environment);
    }

    [Test]
    public void Resolve_NothingConfigured_IsOff() => Assert.That(Resolve(null), Is.Null);

    [TestCase("OTEL_EXPORTER_OTLP_ENDPOINT")]
    [TestCase("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")]
    public void Resolve_EndpointVariableSet_IsOn(string variable) =>
        Assert.That(Resolve(null, (variable, "http://collector:4318")), Is.Not.Null);

    [Test]
    public void Resolve_EnabledInConfig_IsOnWithoutVariables() => Assert.That(Resolve(true), Is.Not.Null);

    [Test]
    public void Resolve_DisabledInConfig_StaysOffDespiteEndpointVariable() =>
        Assert.That(Resolve(false, ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")), Is.Null);

    [TestCase("OTEL_SDK_DISABLED", "true")]
    [TestCase("OTEL_SDK_DISABLED", "TRUE")]
    [TestCase("OTEL_METRICS_EXPORTER", "none")]
    public void Resolve_StandardOffSwitch_WinsOverEnabledConfig(string variable, string value) =>
        Assert.That(Resolve(true, (variable, value)), Is.Null);

    [Test]
    public void Resolve_On_KeepsOnlyOtelVariablesForTheSdk()
    {
        OtlpExportPlan plan = Resolve(true, ("OTEL_EXPORTER_OTLP_HEADERS", "a=b"), ("SECRET_KEY", "x"))!;

        Assert.That(plan.Variables.Keys, Is.EquivalentTo(new[] { "OTEL_EXPORTER_OTLP_HEADERS" }));
    }

    [TestCase("http://collector:4318", true, "http://collector:4318/v1/metrics")]
    [TestCase("http://collector:4318/", true, "http://collector:4318/v1/metrics")]
    [TestCase("http://collector:4318/otlp", true, "http://collector:4318/otlp/v1/metrics")]
    [TestCase("http://collector:4318/v1/metrics", true, "http://collector:4318/v1/metrics")]
    [TestCase("http://collector:4317", false, "http://collector:4317/")]
    public void ExporterEndpoint_ConfiguredBaseAddress_AddsTheMetricsPathForHttpOnly(string configured, bool http, string expected)
    {
        var plan = new OtlpExportPlan(new OtlpOptions { Endpoint = new Uri(configured) }, new Dictionary<string, string?>());

        Assert.That(plan.ExporterEndpoint(http)!.ToString(), Is.EqualTo(expected));
    }

    [Test]
    public void ExporterEndpoint_NoneConfigured_LeavesItToTheVariables()
    {
        var plan = new OtlpExportPlan(new OtlpOptions(), new Dictionary<string, string?>());

        Assert.That(plan.ExporterEndpoint(httpProtobuf: true), Is.Null);
    }
}
