using Cortex.Llm.Cli;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Cli;

[TestFixture]
public sealed class CommandContextTests
{
    private static readonly DateTime Now = new(2026, 12, 2, 5, 0, 0, DateTimeKind.Utc);

    [Test]
    public void Deadline_NoTimeout_IsNone()
    {
        Assert.That(CommandContext.Deadline(null, Now), Is.Null);
    }

    [Test]
    public void Deadline_Timeout_CountsFromNow()
    {
        Assert.That(CommandContext.Deadline(TimeSpan.FromSeconds(30), Now), Is.EqualTo(Now.AddSeconds(30)));
    }

    [Test]
    public void Deadline_TimeoutPastTheEndOfTime_IsGrpcInfinite()
    {
        Assert.That(CommandContext.Deadline(TimeSpan.MaxValue, Now), Is.EqualTo(DateTime.MaxValue));
    }
}
