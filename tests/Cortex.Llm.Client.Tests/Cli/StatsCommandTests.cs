using Cortex.Llm.V1;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Cli;

/// <summary>stats and the daemon's front doors: grouping, filtering, and the default table's door rows.</summary>
[TestFixture]
public sealed class StatsCommandTests : CliTestBase
{
    private static StatsGroup Group(string key, ulong requests, long nanoUsd) =>
        new() { Key = key, Requests = requests, Attempts = requests, Cost = new Cost { NanoUsd = nanoUsd, Priced = true } };

    [Test]
    public async Task Stats_GroupByDoorWithDoorFilter_SendsBothAndPrintsDoorColumn()
    {
        GetStatsRequest? seen = null;
        Router.OnGetStats = (request, _) =>
        {
            seen = request;
            return Task.FromResult(new GetStatsResponse { Groups = { Group("openai", 2, 3_000_000) }, Total = Group(string.Empty, 2, 3_000_000) });
        };

        CliRun run = await RunAsync("stats", "--group-by", "door", "--door", "openai");

        string[] lines = run.StdoutLines;
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(seen!.GroupBy, Is.EqualTo(GroupBy.Door));
            Assert.That(seen.Filter.Door, Is.EqualTo("openai"));
            Assert.That(lines[1], Does.Match(@"^DOOR\s+REQUESTS\s+ATTEMPTS\s"));
            Assert.That(lines[2], Does.Match(@"^openai\s+2\s+2\s+0\s+0\s+0\s+0\s+0\s+0\.003000\s"));
            Assert.That(lines[3], Does.Match(@"^TOTAL\s+2\s+2\s"));
            Assert.That(lines, Has.Length.EqualTo(4));
        });
    }

    [Test]
    public async Task Stats_NoGroupingCallsThroughBothDoors_PrintsARowPerDoor()
    {
        GetStatsRequest? seen = null;
        Router.OnGetStats = (request, _) =>
        {
            seen = request;
            return Task.FromResult(new GetStatsResponse
            {
                Groups = { Group("grpc", 5, 1_000_000), Group("openai", 2, 3_000_000) },
                Total = Group(string.Empty, 7, 4_000_000),
            });
        };

        CliRun run = await RunAsync("stats");

        string[] lines = run.StdoutLines;
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(seen!.GroupBy, Is.EqualTo(GroupBy.Door), "the table asks for doors unless told otherwise");
            Assert.That(seen.Filter.Door, Is.Empty);
            Assert.That(lines[1], Does.Match(@"^DOOR\s+REQUESTS\s"));
            Assert.That(lines[2], Does.Match(@"^grpc\s+5\s+5\s.*\s0\.001000\s"));
            Assert.That(lines[3], Does.Match(@"^openai\s+2\s+2\s.*\s0\.003000\s"));
            Assert.That(lines[4], Does.Match(@"^TOTAL\s+7\s+7\s.*\s0\.004000\s"));
            Assert.That(lines, Has.Length.EqualTo(5));
        });
    }

    [Test]
    public async Task Stats_NoGroupingOnlyGrpcCalls_PrintsTotalAlone()
    {
        Router.OnGetStats = (_, _) => Task.FromResult(new GetStatsResponse
        {
            Groups = { Group("grpc", 5, 1_000_000) },
            Total = Group(string.Empty, 5, 1_000_000),
        });

        CliRun run = await RunAsync("stats");

        string[] lines = run.StdoutLines;
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(lines[1], Does.Match(@"^GROUP\s+REQUESTS\s"));
            Assert.That(lines[2], Does.Match(@"^TOTAL\s+5\s+5\s"));
            Assert.That(lines, Has.Length.EqualTo(3));
        });
    }

    [Test]
    public async Task Stats_NoGroupingJson_AsksForNoGroups()
    {
        GetStatsRequest? seen = null;
        Router.OnGetStats = (request, _) =>
        {
            seen = request;
            return Task.FromResult(new GetStatsResponse());
        };

        CliRun run = await RunAsync("stats", "--json", "--door", "grpc");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(seen!.GroupBy, Is.EqualTo(GroupBy.None), "JSON keeps the shape that was asked for");
            Assert.That(seen.Filter.Door, Is.EqualTo("grpc"));
        });
    }

    [Test]
    public async Task Stats_UnknownDoor_ExitsUsageNamingTheDoors()
    {
        CliRun run = await RunAsync("stats", "--door", "http");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
            Assert.That(run.Stderr, Does.StartWith("cortex-llm: --door must be one of grpc, openai"));
            Assert.That(Router.ReceivedPaths, Is.Empty);
        });
    }
}
