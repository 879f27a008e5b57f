using System.Text;
using Cortex.Llm.V1;
using Cortex.Llmd.Model;

namespace Cortex.Llmd.OpenAi;

/// <summary>What a <c>model</c> field asks for.</summary>
public enum ModelNameKind
{
    /// <summary>Not a well-formed id: neither <c>cortex/...</c> nor <c>provider/model</c>.</summary>
    Invalid,

    /// <summary><c>cortex/auto</c>: nothing forced; the task (from x-cortex-task, else unspecified) picks the route.</summary>
    Auto,

    /// <summary><c>cortex/&lt;route&gt;</c>.</summary>
    Route,

    /// <summary><c>cortex/task/&lt;task&gt;</c>.</summary>
    Task,

    /// <summary><c>&lt;provider&gt;/&lt;model&gt;</c>: that target and no other.</summary>
    Target,
}

/// <summary>
/// The syntax of a model id, before it is checked against the configuration. The <c>cortex/</c> prefix
/// always means this daemon's own names, so a provider configured as "cortex" cannot be forced by id.
/// A concrete id splits at its first '/', so "openrouter/meta-llama/llama-3.1-8b" is provider
/// "openrouter" with model "meta-llama/llama-3.1-8b".
/// </summary>
/// <param name="Kind">What the id asks for.</param>
/// <param name="Name">The route, the task's spelling as sent, or the provider.</param>
/// <param name="Model">The model of a concrete target; empty otherwise.</param>
public readonly record struct ModelName(ModelNameKind Kind, string Name, string Model)
{
    public const string Prefix = "cortex/";
    public const string AutoId = "cortex/auto";
    public const string TaskPrefix = "cortex/task/";

    public static ModelName Parse(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            string rest = id[Prefix.Length..];
            if (id.Equals(AutoId, StringComparison.OrdinalIgnoreCase))
            {
                return new(ModelNameKind.Auto, string.Empty, string.Empty);
            }

            if (id.StartsWith(TaskPrefix, StringComparison.OrdinalIgnoreCase))
            {
                string task = id[TaskPrefix.Length..];
                return task.Length > 0 ? new(ModelNameKind.Task, task, string.Empty) : default;
            }

            return rest.Length > 0 && !rest.Contains('/', StringComparison.Ordinal) ? new(ModelNameKind.Route, rest, string.Empty) : default;
        }

        int slash = id.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < id.Length - 1 ? new(ModelNameKind.Target, id[..slash], id[(slash + 1)..]) : default;
    }
}

/// <summary>
/// Task types as model ids and as the x-cortex-task header spell them: snake_case of the config key
/// ("error_debugging" for errorDebugging). The config spelling and the enum name are accepted too.
/// </summary>
public static class TaskIds
{
    /// <summary>Every task a caller may name, in enum order (unspecified is not one).</summary>
    public static IReadOnlyList<TaskType> All { get; } = [.. Enum.GetValues<TaskType>().Where(t => t != TaskType.Unspecified)];

    public static string Of(TaskType task)
    {
        string key = TaskNames.ConfigKey(task);
        var snake = new StringBuilder(key.Length + 4);
        foreach (char c in key)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                snake.Append('_').Append(char.ToLowerInvariant(c));
            }
            else
            {
                snake.Append(c);
            }
        }

        return snake.ToString();
    }

    /// <summary>"error_debugging", "errorDebugging", "ErrorDebugging" or "TASK_TYPE_ERROR_DEBUGGING".</summary>
    public static bool TryParse(string text, out TaskType task)
    {
        string compact = text.Replace("_", string.Empty, StringComparison.Ordinal);
        if (compact.StartsWith("TASKTYPE", StringComparison.OrdinalIgnoreCase))
        {
            compact = compact[8..];
        }

        foreach (TaskType candidate in All)
        {
            if (string.Equals(candidate.ToString(), compact, StringComparison.OrdinalIgnoreCase))
            {
                task = candidate;
                return true;
            }
        }

        task = TaskType.Unspecified;
        return false;
    }
}
