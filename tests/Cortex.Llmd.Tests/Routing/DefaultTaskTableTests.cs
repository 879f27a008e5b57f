using Cortex.Llm.V1;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Routing;

/// <summary>Both shipped configs route every task type as the seed router's table says.</summary>
public class DefaultTaskTableTests
{
    public static IEnumerable<TestCaseData> Cases()
    {
        string[] configs = ["config/offline.json", "examples/providers.json"];
        (TaskType Task, string Route)[] table =
        [
            (TaskType.UserChat, "claude"),
            (TaskType.RequirementParsing, "claude"),
            (TaskType.SystemOperation, "kimi"),
            (TaskType.ErrorDebugging, "kimi"),
            (TaskType.CodeGeneration, "kimi"),
            (TaskType.DependencyResolution, "kimi"),
            (TaskType.Configuration, "kimi"),
            (TaskType.ToolExecution, "kimi"),
            (TaskType.Unspecified, "balanced"),
        ];
        foreach (string config in configs)
        {
            foreach ((TaskType task, string route) in table)
            {
                yield return new TestCaseData(config, task, route).SetName($"Plan_{Path.GetFileNameWithoutExtension(config)}_{task}_Routes{route}");
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Plan_TaskType_ReachesItsDefaultRoute(string config, TaskType task, string route)
    {
        RuntimeModel model = TestModels.FromJson(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, config)));
        var request = new CompleteRequest { TaskType = task, Messages = { new Message { Role = Role.User, Content = "x" } } };

        RoutePlan plan = Planners.Open().Plan(request, model);

        Assert.That(plan.Route, Is.EqualTo(route));
        Assert.That(plan.Candidates[0].Route, Is.EqualTo(route));
    }
}
