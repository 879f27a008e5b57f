using System.CommandLine;
using Cortex.Llm.Cli.Output;
using Cortex.Llm.Cli.Parsing;
using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Grpc.Core;

namespace Cortex.Llm.Cli.Commands;

/// <summary>cortex-llm stats: usage and cost of the current window, optionally grouped; --reset starts a new window.</summary>
internal static class StatsCommand
{
    private static readonly string[] GroupNames = KebabNames.All<GroupBy>();

    private const string GrpcDoor = "grpc";

    /// <summary>The daemon's front doors, as the ledger and GetStats name them.</summary>
    private static readonly string[] DoorNames = [GrpcDoor, "openai"];

    public static Command Create(GlobalOptions global, CliHost host)
    {
        var options = new StatsOptions(TimeProvider.System);
        var command = new Command("stats", "Requests, tokens, cost and latency of the current statistics window");
        options.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            CommandContext context = CommandContext.From(result, global, host);
            return context.RunAsync(
                async client =>
                {
                    CallOptions call = context.CallOptions(CliApp.DefaultTimeout, cancellationToken);
                    if (result.GetValue(options.Reset))
                    {
                        await ResetAsync(client, call, context);
                    }
                    else
                    {
                        GetStatsResponse stats = await client.GetStatsAsync(options.BuildRequest(result, context.Json), call);
                        Render(context, stats, result.GetValue(options.GroupBy));
                    }

                    return ExitCodes.Ok;
                },
                cancellationToken);
        });
        return command;
    }

    private static async Task ResetAsync(CortexLlmClient client, CallOptions call, CommandContext context)
    {
        ResetStatsResponse reset = await client.ResetStatsAsync(new ResetStatsRequest(), call);
        if (context.Json)
        {
            Json.WriteLine(context.Out, reset);
            return;
        }

        StatsGroup total = reset.PreviousTotal ?? new StatsGroup();
        context.Out.WriteLine(
            $"statistics reset; the window since {Format.Time(reset.PreviousWindowStartUnixMs)} had {total.Requests} requests "
            + $"costing {Format.Dollars(total.Cost ?? new Cost { Priced = true })}");
    }

    private static void Render(CommandContext context, GetStatsResponse stats, string? groupBy)
    {
        if (context.Json)
        {
            Json.WriteLine(context.Out, stats);
            return;
        }

        // Without --group-by the table asked for doors (BuildRequest) and shows them when another door than gRPC
        // served a call, so those calls are told apart; a gRPC-only window keeps the plain TOTAL table.
        bool doorsByDefault = groupBy is null;
        bool showGroups = !doorsByDefault || stats.Groups.Any(g => g.Key != GrpcDoor);
        string header = groupBy ?? (showGroups ? "door" : "group");
        string until = stats.UntilUnixMs == 0 ? "now" : Format.Time(stats.UntilUnixMs);
        context.Out.WriteLine(
            $"window from {Format.Time(stats.SinceUnixMs == 0 ? stats.WindowStartUnixMs : stats.SinceUnixMs)} to {until}, {stats.InFlight} in flight");
        var table = new Table(
            header.ToUpperInvariant(), "REQUESTS", "ATTEMPTS", "FAILURES", "FALLBACKS", "IN", "OUT", "CACHED", "COST(USD)", "P50", "P95")
            .AlignRight(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        foreach (StatsGroup group in showGroups ? stats.Groups : [])
        {
            AddRow(table, group.Key.Length == 0 ? "-" : group.Key, group);
        }

        AddRow(table, "TOTAL", stats.Total ?? new StatsGroup());
        table.Write(context.Out);
    }

    private static void AddRow(Table table, string key, StatsGroup group)
    {
        Usage usage = group.Usage ?? new Usage();
        table.AddRow(
            key,
            Format.Count(group.Requests),
            Format.Count(group.Attempts),
            Format.Count(group.Failures),
            Format.Count(group.Fallbacks),
            Format.Count(usage.InputTokens),
            Format.Count(usage.OutputTokens),
            Format.Count(usage.CachedInputTokens),
            Format.Usd(group.Cost ?? new Cost { Priced = true }),
            Format.Micros(group.LatencyP50Us),
            Format.Micros(group.LatencyP95Us));
    }

    /// <summary>The filter and window options of stats.</summary>
    private sealed class StatsOptions(TimeProvider clock)
    {
        public Option<string> GroupBy { get; } = new("--group-by")
        {
            Description = "Break the totals down by " + string.Join(", ", GroupNames),
            HelpName = "KEY",
            CustomParser = OptionRules.OneOf(GroupNames),
        };

        public Option<string> Provider { get; } = new("--provider") { Description = "Only this provider" };

        public Option<string> Model { get; } = new("--model") { Description = "Only this model" };

        public Option<string> Route { get; } = new("--route") { Description = "Only this route" };

        public Option<string> Tenant { get; } = new("--tenant") { Description = "Only this tenant" };

        public Option<string> Door { get; } = new("--door")
        {
            Description = "Only calls that came through this front door: " + string.Join(", ", DoorNames),
            HelpName = "DOOR",
            CustomParser = OptionRules.OneOf(DoorNames),
        };

        public Option<string> TaskName { get; } = new("--task")
        {
            Description = "Only this task type",
            HelpName = "TASK",
            CustomParser = OptionRules.OneOf(KebabNames.All<TaskType>()),
        };

        public Option<DateTimeOffset?> Since { get; } = new("--since")
        {
            Description = "Start: a duration ago (1h, 30m) or an ISO-8601 time (default: start of the window)",
            HelpName = "WHEN",
            CustomParser = OptionRules.Moment(clock),
        };

        public Option<DateTimeOffset?> Until { get; } = new("--until")
        {
            Description = "End: a duration ago or an ISO-8601 time (default: now)",
            HelpName = "WHEN",
            CustomParser = OptionRules.Moment(clock),
        };

        public Option<bool> Reset { get; } = new("--reset") { Description = "Close the current window and start a new one (ResetStats)" };

        public void AddTo(Command command)
        {
            foreach (Option option in new Option[] { GroupBy, Provider, Model, Route, Tenant, Door, TaskName, Since, Until, Reset })
            {
                command.Add(option);
            }
        }

        /// <summary>
        /// The request; without --group-by, the table (not --json, whose shape stays what was asked) is grouped
        /// by door, see Render.
        /// </summary>
        public GetStatsRequest BuildRequest(ParseResult result, bool json)
        {
            var filter = new StatsFilter
            {
                Provider = result.GetValue(Provider) ?? string.Empty,
                Model = result.GetValue(Model) ?? string.Empty,
                Route = result.GetValue(Route) ?? string.Empty,
                TenantId = result.GetValue(Tenant) ?? string.Empty,
                Door = result.GetValue(Door) ?? string.Empty,
            };
            if (result.GetValue(TaskName) is { } task)
            {
                filter.TaskType = KebabNames.Parse<TaskType>(task);
            }

            return new GetStatsRequest
            {
                Filter = filter,
                GroupBy = result.GetValue(GroupBy) is { } group ? KebabNames.Parse<V1.GroupBy>(group)
                    : json ? V1.GroupBy.None : V1.GroupBy.Door,
                SinceUnixMs = result.GetValue(Since)?.ToUnixTimeMilliseconds() ?? 0,
                UntilUnixMs = result.GetValue(Until)?.ToUnixTimeMilliseconds() ?? 0,
            };
        }
    }
}
