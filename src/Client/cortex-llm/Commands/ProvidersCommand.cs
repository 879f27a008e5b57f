using System.CommandLine;
using Cortex.Llm.Cli.Output;
using Cortex.Llm.Cli.Parsing;
using Cortex.Llm.V1;

namespace Cortex.Llm.Cli.Commands;

/// <summary>cortex-llm providers: each configured provider and model with its health as the daemon sees it.</summary>
internal static class ProvidersCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var command = new Command("providers", "List providers and models with their state, load and latency");
        command.SetAction((result, cancellationToken) =>
        {
            CommandContext context = CommandContext.From(result, global, host);
            return context.RunAsync(
                async client =>
                {
                    ListProvidersResponse providers = await client.ListProvidersAsync(
                        new ListProvidersRequest(), context.CallOptions(CliApp.DefaultTimeout, cancellationToken));
                    if (context.Json)
                    {
                        Json.WriteLine(context.Out, providers);
                    }
                    else
                    {
                        Render(context.Out, providers, TimeProvider.System.GetUtcNow());
                    }

                    return ExitCodes.Ok;
                },
                cancellationToken);
        });
        return command;
    }

    internal static void Render(TextWriter output, ListProvidersResponse response, DateTimeOffset now)
    {
        var table = new Table("NAME", "KIND", "MODEL", "STATE", "SINCE", "KEY", "IN-FLIGHT", "LATENCY(EWMA)", "CIRCUIT", "LAST-PROBE", "LAST-ERROR").AlignRight(6, 7);
        foreach (ProviderInfo provider in response.Providers)
        {
            if (provider.Targets.Count == 0)
            {
                table.AddRow(provider.Name, provider.Kind, "-", "-", "-", Format.YesNo(provider.KeyPresent), "-", "-", "-", "-", string.Empty);
            }

            foreach (ProviderTarget target in provider.Targets)
            {
                table.AddRow(
                    provider.Name,
                    provider.Kind,
                    target.Model,
                    State(target),
                    Format.Age(target.StateSinceUnixMs, now),
                    Format.YesNo(provider.KeyPresent),
                    target.InFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Format.Micros(target.LatencyEwmaUs),
                    target.Breaker.Length == 0 ? "-" : target.Breaker,
                    LastProbe(target, now),
                    target.LastError);
            }
        }

        table.Write(output);
        if (response.Ledger.Length > 0)
        {
            output.WriteLine("ledger: " + response.Ledger);
        }
    }

    /// <summary>A probe that never ran (no time) shows "-", whatever text came with it.</summary>
    private static string LastProbe(ProviderTarget target, DateTimeOffset now) =>
        target.LastProbe.Length == 0 || target.LastProbeUnixMs <= 0 ? "-" : $"{target.LastProbe} ({Format.Age(target.LastProbeUnixMs, now)} ago)";

    private static string State(ProviderTarget target)
    {
        string state = target.State == ProviderState.Unspecified ? "unknown" : KebabNames.Of(target.State);
        return target.StateReason.Length == 0 ? state : $"{state} ({target.StateReason})";
    }
}
