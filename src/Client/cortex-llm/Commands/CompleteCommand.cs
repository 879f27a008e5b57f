using System.CommandLine;
using System.Text;
using Cortex.Llm.Cli.Output;
using Cortex.Llm.Client;
using Cortex.Llm.V1;
using Grpc.Core;

namespace Cortex.Llm.Cli.Commands;

/// <summary>cortex-llm complete PROMPT: streams the answer to stdout (or waits for it with --no-stream).</summary>
internal static class CompleteCommand
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    public static Command Create(GlobalOptions global, CliHost host)
    {
        var routing = new RoutingOptions();
        var noStream = new Option<bool>("--no-stream") { Description = "Wait for the whole answer (Complete) instead of streaming it" };
        var command = new Command("complete", "Ask for a completion and print the answer as it arrives");
        routing.AddTo(command);
        command.Add(noStream);
        command.SetAction((result, cancellationToken) =>
        {
            CommandContext context = CommandContext.From(result, global, host);
            return context.RunAsync(
                async client =>
                {
                    CompleteRequest request = await routing.BuildAsync(result, host.Stdin, cancellationToken);
                    CallOptions options = context.CallOptions(DefaultTimeout, cancellationToken);
                    bool stream = !result.GetValue(noStream);
                    CompleteResponse response = stream
                        ? await StreamAsync(client, request, options, context)
                        : await client.CompleteAsync(request, options);
                    Render(context, response, contentAlreadyPrinted: stream);
                    return ExitCodes.Ok;
                },
                cancellationToken);
        });
        return command;
    }

    /// <summary>Prints content deltas as they come (unless --json) and rebuilds the full response from the final chunk.</summary>
    private static async Task<CompleteResponse> StreamAsync(CortexLlmClient client, CompleteRequest request, CallOptions options, CommandContext context)
    {
        var content = new StringBuilder();
        var toolCalls = new SortedDictionary<uint, ToolCall>();
        CompleteResponse? final = null;
        await foreach (CompleteChunk chunk in client.StreamCompleteAsync(request, options))
        {
            switch (chunk.KindCase)
            {
                case CompleteChunk.KindOneofCase.ContentDelta:
                    content.Append(chunk.ContentDelta);
                    if (!context.Json)
                    {
                        await context.Out.WriteAsync(chunk.ContentDelta);
                        await context.Out.FlushAsync();
                    }

                    break;
                case CompleteChunk.KindOneofCase.ToolCallDelta:
                    Accumulate(toolCalls, chunk.ToolCallDelta);
                    break;
                case CompleteChunk.KindOneofCase.Final:
                    final = chunk.Final;
                    break;
            }
        }

        if (final is null)
        {
            throw new RpcException(new Status(StatusCode.Internal, "The answer stream ended without its final chunk."));
        }

        final.Content = content.ToString();
        if (final.ToolCalls.Count == 0)
        {
            final.ToolCalls.AddRange(toolCalls.Values);
        }

        return final;
    }

    private static void Accumulate(SortedDictionary<uint, ToolCall> calls, ToolCallDelta delta)
    {
        if (!calls.TryGetValue(delta.Index, out ToolCall? call))
        {
            call = new ToolCall();
            calls[delta.Index] = call;
        }

        if (delta.Id.Length > 0)
        {
            call.Id = delta.Id;
        }

        if (delta.Name.Length > 0)
        {
            call.Name = delta.Name;
        }

        call.ArgumentsJson += delta.ArgumentsDelta;
    }

    private static void Render(CommandContext context, CompleteResponse response, bool contentAlreadyPrinted)
    {
        if (context.Json)
        {
            Json.WriteLine(context.Out, response);
            return;
        }

        if (!contentAlreadyPrinted)
        {
            context.Out.Write(response.Content);
        }

        if (response.Content.Length > 0)
        {
            context.Out.WriteLine();
        }

        foreach (ToolCall call in response.ToolCalls)
        {
            context.Out.WriteLine($"tool_call {call.Name} {call.ArgumentsJson}");
        }

        context.Out.Flush();
        if (context.Verbose || context.Host.StderrIsTerminal)
        {
            context.Err.WriteLine(Summary(response));
        }
    }

    private static string Summary(CompleteResponse response)
    {
        Usage usage = response.Usage ?? new Usage();
        return $"{response.Provider}/{response.Model}  route {Format.OrDash(response.Route)}  tokens {usage.InputTokens} in"
            + (usage.CachedInputTokens > 0 ? $" ({usage.CachedInputTokens} cached)" : string.Empty)
            + $", {usage.OutputTokens} out  cost {Format.Dollars(response.Cost)}  latency {Format.Micros(response.LatencyUs)}"
            + $"  request {Format.OrDash(response.RequestId)}";
    }
}
