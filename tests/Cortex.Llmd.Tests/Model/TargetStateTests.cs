using Cortex.Llm.V1;
using Cortex.Llmd.Model;

namespace Cortex.Llmd.Tests.Model;

public class TargetStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Snapshot_NeverUsed_HasNoStateSince()
    {
        var state = new TargetState(new TargetRef("p", "m"));

        ProviderTarget snapshot = state.Snapshot();

        Assert.That(snapshot.StateSinceUnixMs, Is.Zero, "a target never attempted must not claim a state since some moment");
        Assert.That(snapshot.State, Is.EqualTo(ProviderState.Healthy));
    }

    [Test]
    public void Snapshot_FirstAttemptSucceeded_IsHealthySinceThatAttempt()
    {
        var state = new TargetState(new TargetRef("p", "m"));
        state.Begin();

        state.End(success: true, TimeSpan.FromMilliseconds(5), null, T0);

        Assert.That(state.Snapshot().StateSinceUnixMs, Is.EqualTo(T0.ToUnixTimeMilliseconds()));
    }

    [Test]
    public void Snapshot_FailureAfterSuccess_DatesTheChange()
    {
        var state = new TargetState(new TargetRef("p", "m"));
        state.Begin();
        state.End(success: true, TimeSpan.FromMilliseconds(5), null, T0);
        state.Begin();

        ProviderState? previous = state.End(success: false, TimeSpan.FromMilliseconds(5), "boom", T0.AddMinutes(3));

        Assert.That(previous, Is.EqualTo(ProviderState.Healthy));
        Assert.That(state.Snapshot().StateSinceUnixMs, Is.EqualTo(T0.AddMinutes(3).ToUnixTimeMilliseconds()));
        Assert.That(state.Snapshot().LastError, Is.EqualTo("boom"));
    }
}
