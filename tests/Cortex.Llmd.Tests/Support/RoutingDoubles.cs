using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Validation;

namespace Cortex.Llmd.Tests.Support;

/// <summary>A gate with no breakers behind it: every target passes, nothing is recorded.</summary>
public sealed class OpenGate : ITargetGate
{
    public GateVerdict Check(TargetRef target) => GateVerdict.Pass;

    public GateVerdict TryEnter(TargetRef target) => GateVerdict.Pass;

    public void Report(TargetRef target, bool success, string reason)
    {
    }

    public void Abandon(TargetRef target)
    {
    }
}

/// <summary>Planners for routing tests that are not about breakers or chance.</summary>
public static class Planners
{
    public static RoutePlanner Open() =>
        new(new TargetStateRegistry(), new OpenGate(), new SchemaCache(), new Random(1));
}
