using System.Text.Json;
using Cortex.Llm.Client.Tests.Fakes;
using Cortex.Llm.V1;
using Cortex.Llm.Cli.Commands;
using Grpc.Core;
using Grpc.Health.V1;
using NUnit.Framework;

namespace Cortex.Llm.Client.Tests.Cli;

/// <summary>route, stats, providers and health: one request, one printed answer.</summary>
[TestFixture]
public sealed class QueryCommandTests : CliTestBase
{
    private static readonly RoutingDecision Decision = new()
    {
        TaskType = TaskType.CodeGeneration,
        Route = "quality",
        Candidates =
        {
            new Candidate { Provider = "anthropic", Model = "claude-long-model-name", Route = "quality", Eligible = true, Reason = "primary" },
            new Candidate { Provider = "openai", Model = "gpt-x", Route = "balanced", Eligible = false, Reason = "circuit open" },
            new Candidate { Provider = "local-ollama", Model = "m", Route = "local", Eligible = true, Reason = "fallback route" },
        },
    };

    [Test]
    public async Task Route_Human_PrintsHeadingAndAlignedTable()
    {
        Router.OnRoute = (_, _) => Task.FromResult(Decision);

        CliRun run = await RunAsync("route", "write a parser", "--task", "code-generation");

        string[] lines = run.StdoutLines;
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(lines, Has.Length.EqualTo(5));
        Assert.That(lines[0], Is.EqualTo("task: code-generation  route: quality"));
        string[] headers = ["#", "PROVIDER", "MODEL", "ROUTE", "ELIGIBLE", "REASON"];
        int[] offsets = headers.Select(h => lines[1].IndexOf(h, StringComparison.Ordinal)).ToArray();
        Assert.That(offsets, Is.Ordered.Ascending.And.All.GreaterThanOrEqualTo(0));
        for (int row = 0; row < Decision.Candidates.Count; row++)
        {
            Candidate c = Decision.Candidates[row];
            string[] cells = [(row + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), c.Provider, c.Model, c.Route, c.Eligible ? "yes" : "no", c.Reason];
            for (int column = 0; column < cells.Length; column++)
            {
                Assert.That(lines[row + 2][offsets[column]..], Does.StartWith(cells[column]), $"row {row}, column {headers[column]}");
                Assert.That(offsets[column] == 0 || lines[row + 2][offsets[column] - 1] == ' ', Is.True, $"row {row}, column {headers[column]} starts mid-word");
            }
        }
    }

    [Test]
    public async Task Route_Json_PrintsRoutingDecision()
    {
        Router.OnRoute = (_, _) => Task.FromResult(Decision);

        CliRun run = await RunAsync("route", "x", "--json");

        using JsonDocument json = JsonDocument.Parse(run.Stdout);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(json.RootElement.GetProperty("taskType").GetString(), Is.EqualTo("TASK_TYPE_CODE_GENERATION"));
            Assert.That(json.RootElement.GetProperty("candidates").GetArrayLength(), Is.EqualTo(3));
            Assert.That(json.RootElement.GetProperty("candidates")[1].GetProperty("eligible").GetBoolean(), Is.False);
        });
    }

    [Test]
    public async Task Stats_GroupByProviderSince1h_SendsFilterAndPrintsTotalRow()
    {
        GetStatsRequest? seen = null;
        Router.OnGetStats = (request, _) =>
        {
            seen = request;
            return Task.FromResult(new GetStatsResponse
            {
                WindowStartUnixMs = 1_700_000_000_000,
                Groups = { new StatsGroup { Key = "openai", Requests = 3, Attempts = 4, Failures = 1, Fallbacks = 1, Cost = new Cost { NanoUsd = 1_500_000, Priced = true }, LatencyP50Us = 900_000, LatencyP95Us = 2_000_000 } },
                Total = new StatsGroup { Requests = 3, Attempts = 4, Usage = new Usage { InputTokens = 100, OutputTokens = 20, CachedInputTokens = 50 }, Cost = new Cost { NanoUsd = 1_500_000, Priced = true } },
            });
        };
        long before = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();

        CliRun run = await RunAsync("stats", "--group-by", "provider", "--provider", "openai", "--since", "1h");

        long after = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        string[] lines = run.StdoutLines;
        Assert.Multiple(() =>
        {
            Assert.That(seen!.GroupBy, Is.EqualTo(GroupBy.Provider));
            Assert.That(seen.Filter.Provider, Is.EqualTo("openai"));
            Assert.That(seen.SinceUnixMs, Is.InRange(before, after));
            Assert.That(seen.UntilUnixMs, Is.Zero);
            Assert.That(lines[1], Does.Match(@"^PROVIDER\s+REQUESTS\s+ATTEMPTS\s+FAILURES\s+FALLBACKS\s+IN\s+OUT\s+CACHED\s+COST\(USD\)\s+P50\s+P95$"));
            Assert.That(lines[2], Does.Match(@"^openai\s+3\s+4\s+1\s+1\s+0\s+0\s+0\s+0\.001500\s+900ms\s+2s$"));
            Assert.That(lines[3], Does.Match(@"^TOTAL\s+3\s+4\s+0\s+0\s+100\s+20\s+50\s+0\.001500\s+-\s+-$"));
            Assert.That(lines[2].Length, Is.EqualTo(lines[1].Length), "right-aligned numbers end at the header's edge");
        });
    }

    [Test]
    public async Task Stats_IsoUntil_SendsThatMoment()
    {
        GetStatsRequest? seen = null;
        Router.OnGetStats = (request, _) =>
        {
            seen = request;
            return Task.FromResult(new GetStatsResponse());
        };

        CliRun run = await RunAsync("stats", "--until", "2026-01-02T03:04:05Z", "--json");

        using JsonDocument json = JsonDocument.Parse(run.Stdout);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(seen!.UntilUnixMs, Is.EqualTo(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).ToUnixTimeMilliseconds()));
            Assert.That(json.RootElement.TryGetProperty("inFlight", out _), Is.True);
        });
    }

    [Test]
    public async Task Stats_Reset_CallsResetStats()
    {
        Router.OnResetStats = (_, _) => Task.FromResult(new ResetStatsResponse
        {
            PreviousWindowStartUnixMs = 1_700_000_000_000,
            PreviousTotal = new StatsGroup { Requests = 12, Cost = new Cost { NanoUsd = 2_000_000_000, Priced = true } },
        });

        CliRun run = await RunAsync("stats", "--reset");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(Router.ReceivedPaths, Is.EqualTo(new[] { "/cortex.llm.v1.Router/ResetStats" }));
            Assert.That(run.Stdout, Is.EqualTo("statistics reset; the window since 2023-11-14T22:13:20Z had 12 requests costing $2.000000\n"));
        });
    }

    [Test]
    public async Task Providers_Human_PrintsOneRowPerTarget()
    {
        Router.OnListProviders = (_, _) => Task.FromResult(new ListProvidersResponse
        {
            Providers =
            {
                new ProviderInfo
                {
                    Name = "openai", Kind = "openai", KeyPresent = true,
                    Targets =
                    {
                        new ProviderTarget { Model = "gpt-x", State = ProviderState.Healthy, InFlight = 2, LatencyEwmaUs = 450_000 },
                        new ProviderTarget { Model = "gpt-y", State = ProviderState.Unavailable, StateReason = "circuit open", LastError = "HTTP 503", Breaker = "open" },
                    },
                },
                new ProviderInfo { Name = "anthropic", Kind = "anthropic", KeyPresent = false },
            },
        });

        CliRun run = await RunAsync("providers");

        string[] lines = run.StdoutLines;
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(lines[0], Does.Match(@"^NAME\s+KIND\s+MODEL\s+STATE\s+SINCE\s+KEY\s+IN-FLIGHT\s+LATENCY\(EWMA\)\s+CIRCUIT\s+LAST-PROBE\s+LAST-ERROR$"));
            Assert.That(lines[1], Does.Match(@"^openai\s+openai\s+gpt-x\s+healthy\s+-\s+yes\s+2\s+450ms\s+-\s+-$"));
            Assert.That(lines[2], Does.Match(@"^openai\s+openai\s+gpt-y\s+unavailable \(circuit open\)\s+-\s+yes\s+0\s+-\s+open\s+-\s+HTTP 503$"));
            Assert.That(lines[3], Does.Match(@"^anthropic\s+anthropic\s+-\s+-\s+-\s+no\s+-\s+-\s+-\s+-$"));
        });
    }

    [TestCase(HealthCheckResponse.Types.ServingStatus.Serving, 0, "SERVING")]
    [TestCase(HealthCheckResponse.Types.ServingStatus.NotServing, 1, "NOT_SERVING")]
    [TestCase(HealthCheckResponse.Types.ServingStatus.Unknown, 1, "UNKNOWN")]
    public async Task Health_Status_PrintsNameAndExitsZeroOnlyWhenServing(HealthCheckResponse.Types.ServingStatus status, int exitCode, string printed)
    {
        Server.Health.SetStatus(string.Empty, status);

        CliRun run = await RunAsync("health");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(exitCode), run.ToString());
            Assert.That(run.Stdout, Is.EqualTo(printed + "\n"));
        });
    }

    [Test]
    public async Task Health_SocketFromEnvironment_UsedWithoutSocketOption()
    {
        Server.Health.SetStatus(string.Empty, HealthCheckResponse.Types.ServingStatus.Serving);
        string? previous = Environment.GetEnvironmentVariable("CORTEX_LLMD_SOCKET");
        Environment.SetEnvironmentVariable("CORTEX_LLMD_SOCKET", Server.SocketPath);
        try
        {
            CliRun run = await RunRawAsync(string.Empty, "health");

            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("CORTEX_LLMD_SOCKET", previous);
        }
    }

    [TestCase(StatusCode.InvalidArgument, 5, "INVALID_ARGUMENT")]
    [TestCase(StatusCode.FailedPrecondition, 5, "FAILED_PRECONDITION")]
    [TestCase(StatusCode.NotFound, 5, "NOT_FOUND")]
    [TestCase(StatusCode.DeadlineExceeded, 4, "DEADLINE_EXCEEDED")]
    [TestCase(StatusCode.Unavailable, 6, "UNAVAILABLE")]
    [TestCase(StatusCode.ResourceExhausted, 7, "RESOURCE_EXHAUSTED")]
    [TestCase(StatusCode.PermissionDenied, 8, "PERMISSION_DENIED")]
    [TestCase(StatusCode.Internal, 1, "INTERNAL")]
    [TestCase(StatusCode.Unimplemented, 1, "UNIMPLEMENTED")]
    public async Task Providers_DaemonStatus_MapsToExitCode(StatusCode status, int exitCode, string name)
    {
        Router.OnListProviders = (_, _) => throw new RpcException(new Status(status, "détail"));

        CliRun run = await RunAsync("providers");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(exitCode), run.ToString());
            Assert.That(run.Stderr, Is.EqualTo($"cortex-llm: {name}: détail\n"));
        });
    }

    [Test]
    public async Task Providers_NeverUsedAndNeverProbed_ShowDashesNotZeroAges()
    {
        DateTimeOffset now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_100_000);
        var response = new ListProvidersResponse
        {
            Providers =
            {
                new ProviderInfo
                {
                    Name = "mock", Kind = "mock", KeyPresent = true,
                    Targets =
                    {
                        new ProviderTarget { Model = "idle", State = ProviderState.Healthy, StateSinceUnixMs = 0, LastProbe = "ok", LastProbeUnixMs = 0 },
                        new ProviderTarget { Model = "used", State = ProviderState.Healthy, StateSinceUnixMs = 1_700_000_000_000, LastProbe = "ok", LastProbeUnixMs = 1_700_000_095_000 },
                    },
                },
            },
        };
        using var output = new StringWriter();

        ProvidersCommand.Render(output, response, now);

        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(lines[1], Does.Match(@"^mock\s+mock\s+idle\s+healthy\s+-\s+yes\s+0\s+-\s+-\s+-$"));
            Assert.That(lines[2], Does.Match(@"^mock\s+mock\s+used\s+healthy\s+1m40s\s+yes\s+0\s+-\s+-\s+ok \(5s ago\)$"));
        });
    }
}
