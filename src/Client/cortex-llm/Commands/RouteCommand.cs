using System.CommandLine;
using System.Globalization;
using Cortex.Llm.Cli.Output;
using Cortex.Llm.Cli.Parsing;
using Cortex.Llm.V1;

namespace Cortex.Llm.Cli.Commands;

/// <summary>cortex-llm route PROMPT: the candidates a completion would try, without calling any provider.</summary>
internal static class RouteCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var routing = new RoutingOptions();
        var command = new Command("route", "Show which providers a completion would try, and why (dry run)");
        routing.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            CommandContext context = CommandContext.From(result, global, host);
            return context.RunAsync(
                async client =>
                {
                    CompleteRequest request = await routing.BuildAsync(result, host.Stdin, cancellationToken);
                    RoutingDecision decision = await client.RouteAsync(request, context.CallOptions(CliApp.DefaultTimeout, cancellationToken));
                    if (context.Json)
                    {
                        Json.WriteLine(context.Out, decision);
                    }
                    else
                    {
                        Render(context.Out, decision);
                    }

                    return ExitCodes.Ok;
                },
                cancellationToken);
        });
        return command;
    }

    private static void Render(TextWriter output, RoutingDecision decision)
    {
        string task = decision.TaskType == TaskType.Unspecified ? "-" : KebabNames.Of(decision.TaskType);
        output.WriteLine($"task: {task}  route: {Format.OrDash(decision.Route)}");
        var table = new Table("#", "PROVIDER", "MODEL", "ROUTE", "ELIGIBLE", "REASON");
        int number = 0;
        foreach (Candidate candidate in decision.Candidates)
        {
            table.AddRow(
                (++number).ToString(CultureInfo.InvariantCulture),
                candidate.Provider,
                candidate.Model,
                candidate.Route,
                Format.YesNo(candidate.Eligible),
                candidate.Reason);
        }

        table.Write(output);
    }
}
