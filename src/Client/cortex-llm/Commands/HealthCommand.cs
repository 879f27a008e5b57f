using System.CommandLine;
using Cortex.Llm.Cli.Output;
using Grpc.Health.V1;

namespace Cortex.Llm.Cli.Commands;

/// <summary>cortex-llm health [SERVICE]: the standard gRPC health check, usable from scripts and probes.</summary>
internal static class HealthCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var service = new Argument<string>("SERVICE")
        {
            Description = "Service to ask about (default: the daemon as a whole)",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => string.Empty,
        };
        var command = new Command("health", "Print SERVING or NOT_SERVING; exit 0 only when SERVING") { service };
        command.SetAction((result, cancellationToken) =>
        {
            CommandContext context = CommandContext.From(result, global, host);
            return context.RunAsync(
                async client =>
                {
                    HealthCheckResponse response = await client.CheckHealthAsync(
                        result.GetValue(service) ?? string.Empty, context.CallOptions(CliApp.DefaultTimeout, cancellationToken));
                    if (context.Json)
                    {
                        Json.WriteLine(context.Out, response);
                    }
                    else
                    {
                        context.Out.WriteLine(Name(response.Status));
                    }

                    return response.Status == HealthCheckResponse.Types.ServingStatus.Serving ? ExitCodes.Ok : ExitCodes.DaemonError;
                },
                cancellationToken);
        });
        return command;
    }

    private static string Name(HealthCheckResponse.Types.ServingStatus status) => status switch
    {
        HealthCheckResponse.Types.ServingStatus.Serving => "SERVING",
        HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
        HealthCheckResponse.Types.ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
        _ => "UNKNOWN",
    };
}
