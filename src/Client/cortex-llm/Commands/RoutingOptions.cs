using System.CommandLine;
using Cortex.Llm.Cli.Parsing;
using Cortex.Llm.V1;

namespace Cortex.Llm.Cli.Commands;

/// <summary>The options that shape a CompleteRequest, shared by complete and route so both see the same request.</summary>
internal sealed class RoutingOptions
{
    public Argument<string> Prompt { get; } = new("PROMPT") { Description = "The user message; '-' reads it from stdin" };

    public Option<string> TaskName { get; } = new("--task")
    {
        Description = "Task type, which picks the route unless --route is given: " + string.Join(", ", KebabNames.All<TaskType>()),
        HelpName = "TASK",
        CustomParser = OptionRules.OneOf(KebabNames.All<TaskType>()),
    };

    public Option<string> Route { get; } = new("--route") { Description = "Named route (local, fast, economy, balanced, quality, ...)" };

    public Option<string> Provider { get; } = new("--provider") { Description = "Only this provider" };

    public Option<string> Model { get; } = new("--model") { Description = "Only this model" };

    public Option<string> SystemMessage { get; } = new("--system") { Description = "A system message sent before the prompt", HelpName = "TEXT" };

    public Option<FileInfo> Schema { get; } = new("--schema") { Description = "JSON Schema file the answer must satisfy", HelpName = "FILE" };

    public Option<uint?> MaxTokens { get; } = new("--max-tokens")
    {
        Description = "Upper bound on output tokens",
        HelpName = "N",
        CustomParser = OptionRules.WholeNumber(1),
    };

    public Option<double?> Temperature { get; } = new("--temperature")
    {
        Description = "Sampling temperature, from 0 to 2",
        HelpName = "X",
        // The daemon accepts the same range (cortex.llm.v1 CompleteRequest.temperature).
        CustomParser = OptionRules.Number(0, 2),
    };

    public Option<bool> NoFallback { get; } = new("--no-fallback") { Description = "Exactly one attempt: never fall back to another candidate" };

    public Option<string> Tenant { get; } = new("--tenant") { Description = "Tenant the request is accounted to" };

    public Option<string[]> Labels { get; } = new("--label")
    {
        Description = "A k=v label for accounting (repeatable)",
        HelpName = "K=V",
        Arity = ArgumentArity.ZeroOrMore,
        CustomParser = OptionRules.KeyValues,
    };

    public void AddTo(Command command)
    {
        command.Add(Prompt);
        foreach (Option option in new Option[] { TaskName, Route, Provider, Model, SystemMessage, Schema, MaxTokens, Temperature, NoFallback, Tenant, Labels })
        {
            command.Add(option);
        }
    }

    /// <summary>Builds the request; reading stdin or the schema file may fail with a usage error.</summary>
    public async Task<CompleteRequest> BuildAsync(ParseResult result, TextReader stdin, CancellationToken cancellationToken)
    {
        var request = new CompleteRequest
        {
            Route = result.GetValue(Route) ?? string.Empty,
            Provider = result.GetValue(Provider) ?? string.Empty,
            Model = result.GetValue(Model) ?? string.Empty,
            TenantId = result.GetValue(Tenant) ?? string.Empty,
            ResponseJsonSchema = await ReadSchemaAsync(result.GetValue(Schema), cancellationToken),
        };
        if (result.GetValue(TaskName) is { } task)
        {
            request.TaskType = KebabNames.Parse<TaskType>(task);
        }

        if (result.GetValue(SystemMessage) is { Length: > 0 } system)
        {
            request.Messages.Add(new Message { Role = Role.System, Content = system });
        }

        request.Messages.Add(new Message { Role = Role.User, Content = await ReadPromptAsync(result.GetValue(Prompt), stdin, cancellationToken) });
        ApplyTuning(result, request);
        return request;
    }

    private void ApplyTuning(ParseResult result, CompleteRequest request)
    {
        if (result.GetValue(MaxTokens) is { } maxTokens)
        {
            request.MaxTokens = maxTokens;
        }

        if (result.GetValue(Temperature) is { } temperature)
        {
            request.Temperature = temperature;
        }

        if (result.GetValue(NoFallback))
        {
            request.AllowFallback = false;
        }

        foreach (string label in result.GetValue(Labels) ?? [])
        {
            int equals = label.IndexOf('=', StringComparison.Ordinal);
            request.Labels[label[..equals]] = label[(equals + 1)..];
        }
    }

    private static async Task<string> ReadPromptAsync(string? prompt, TextReader stdin, CancellationToken cancellationToken)
    {
        string text = prompt == "-" ? (await stdin.ReadToEndAsync(cancellationToken)).TrimEnd('\r', '\n') : prompt ?? string.Empty;
        return string.IsNullOrWhiteSpace(text) ? throw new UsageException("the prompt is empty.") : text;
    }

    private static async Task<string> ReadSchemaAsync(FileInfo? file, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            return string.Empty;
        }

        try
        {
            return await File.ReadAllTextAsync(file.FullName, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read --schema file {file.FullName}: {e.Message}", e);
        }
    }
}
