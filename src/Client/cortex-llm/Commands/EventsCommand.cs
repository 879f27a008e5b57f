using System.CommandLine;
using System.Globalization;
using Cortex.Llm.Cli.Output;
using Cortex.Llm.Cli.Parsing;
using Cortex.Llm.V1;

namespace Cortex.Llm.Cli.Commands;

/// <summary>cortex-llm events: follows the daemon's event stream until Ctrl-C, one line per event.</summary>
internal static class EventsCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var kinds = new Option<string[]>("--kind")
        {
            Description = "Only events of this kind (repeatable; default: all): " + string.Join(", ", KebabNames.All<EventKind>()),
            HelpName = "KIND",
            Arity = ArgumentArity.ZeroOrMore,
            CustomParser = OptionRules.EachOneOf(KebabNames.All<EventKind>()),
        };
        var command = new Command("events", "Follow the daemon's events until Ctrl-C (JSON Lines with --json)") { kinds };
        command.SetAction((result, cancellationToken) =>
        {
            CommandContext context = CommandContext.From(result, global, host);
            var request = new WatchEventsRequest();
            request.Kinds.AddRange((result.GetValue(kinds) ?? []).Select(KebabNames.Parse<EventKind>));
            return context.RunAsync(
                async client =>
                {
                    // Following is open-ended: only an explicit --timeout bounds it.
                    await foreach (Event item in client.WatchEventsAsync(request, context.CallOptions(null, cancellationToken)))
                    {
                        Write(context, item);
                    }

                    return ExitCodes.Ok;
                },
                cancellationToken,
                interruptIsSuccess: true);
        });
        return command;
    }

    private static void Write(CommandContext context, Event item)
    {
        if (context.Json)
        {
            Json.WriteLine(context.Out, item);
            return;
        }

        string time = Format.Time(item.TimeUnixMs);
        if (item.DroppedBefore > 0)
        {
            context.Out.WriteLine($"{time} dropped {item.DroppedBefore} events (reading too slowly)");
        }

        context.Out.WriteLine($"{time} {Describe(item)}");
        context.Out.Flush();
    }

    private static string Describe(Event item) => item.KindCase switch
    {
        Event.KindOneofCase.RequestFinished => Describe(item.RequestFinished),
        Event.KindOneofCase.ProviderStateChanged => Describe(item.ProviderStateChanged),
        Event.KindOneofCase.StatsReset => $"stats-reset window-start={Format.Time(item.StatsReset.WindowStartUnixMs)}",
        Event.KindOneofCase.ConfigReloaded =>
            $"config-reloaded applied={Format.YesNo(item.ConfigReloaded.Applied)} {item.ConfigReloaded.Detail}".TrimEnd(),
        Event.KindOneofCase.ProbeFailed =>
            $"probe-failed provider={item.ProbeFailed.Provider} http={item.ProbeFailed.HttpStatus} {item.ProbeFailed.Detail}".TrimEnd(),
        Event.KindOneofCase.BudgetThreshold => Describe(item.BudgetThreshold),
        _ => "unknown-event",
    };

    private static string Describe(BudgetThreshold threshold) =>
        $"budget-threshold budget={threshold.Budget} period={threshold.Period} {threshold.Percent}% "
        + $"spent={Format.Dollars(new Cost { NanoUsd = threshold.SpentNanoUsd, Priced = true })} limit={Format.Dollars(new Cost { NanoUsd = threshold.LimitNanoUsd, Priced = true })}";

    private static string Describe(RequestFinished finished)
    {
        Usage usage = finished.Usage ?? new Usage();
        string caller = finished.Caller is { } c
            ? $" caller={(c.Uid is { } uid ? uid.ToString(CultureInfo.InvariantCulture) : "?")}/{(c.ProcessName.Length == 0 ? "?" : c.ProcessName)}"
            : string.Empty;
        return $"request-finished {Format.OrDash(finished.RequestId)} status={Format.OrDash(finished.Status)} {Format.OrDash(finished.Provider)}/{Format.OrDash(finished.Model)}"
            + $" task={(finished.TaskType == TaskType.Unspecified ? "-" : KebabNames.Of(finished.TaskType))} route={Format.OrDash(finished.Route)} door={Format.OrDash(finished.Door)}"
            + $" attempts={finished.Attempts.Count(a => a.Outcome != AttemptOutcome.Skipped)}{Skipped(finished)} latency={Format.Micros(finished.LatencyUs)}"
            + $" tokens={usage.InputTokens}/{usage.OutputTokens} cost={Format.Dollars(finished.Cost)}{caller}";
    }

    /// <summary>Targets passed over without a call are not attempts; they are counted apart.</summary>
    private static string Skipped(RequestFinished finished)
    {
        int skipped = finished.Attempts.Count(a => a.Outcome == AttemptOutcome.Skipped);
        return skipped == 0 ? string.Empty : $" skipped={skipped}";
    }

    private static string Describe(ProviderStateChanged changed)
    {
        string reason = changed.Reason.Length == 0 ? string.Empty : $" ({changed.Reason})";
        return $"provider-state-changed {changed.Provider}/{changed.Model} {KebabNames.Of(changed.Previous)} -> {KebabNames.Of(changed.Current)}{reason}";
    }
}
