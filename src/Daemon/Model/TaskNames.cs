using Cortex.Llm.V1;

namespace Cortex.Llmd.Model;

/// <summary>The config spellings of task types, e.g. "systemOperation" for TASK_TYPE_SYSTEM_OPERATION.</summary>
public static class TaskNames
{
    public static readonly Dictionary<string, TaskType> ByConfigKey = new Dictionary<string, TaskType>(StringComparer.OrdinalIgnoreCase)
    {
        ["userChat"] = TaskType.UserChat,
        ["requirementParsing"] = TaskType.RequirementParsing,
        ["systemOperation"] = TaskType.SystemOperation,
        ["errorDebugging"] = TaskType.ErrorDebugging,
        ["codeGeneration"] = TaskType.CodeGeneration,
        ["dependencyResolution"] = TaskType.DependencyResolution,
        ["configuration"] = TaskType.Configuration,
        ["toolExecution"] = TaskType.ToolExecution,
    };

    public static string ConfigKey(TaskType task) =>
        ByConfigKey.FirstOrDefault(p => p.Value == task).Key ?? "unspecified";

    public static bool IsKnown(TaskType task) => Enum.IsDefined(task);
}
