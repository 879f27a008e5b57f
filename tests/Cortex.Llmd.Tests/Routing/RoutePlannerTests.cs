using Cortex.Llm.V1;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Errors;
using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Routing;

public class RoutePlannerTests
{
    [OneTimeTearDown]
    public static void DisposeModel() => Model.Dispose();

    // A cyclic fallback graph on purpose: a -> b -> a, and b repeats a target of a.
    private static readonly RuntimeModel Model = TestModels.FromJson("""
        {
          "providers": { "p": { "kind": "mock", "defaultModel": "p-default" }, "q": { "kind": "mock" } },
          "routes": {
            "a": { "targets": ["p/one", "q/two"], "fallbacks": ["b"] },
            "b": { "targets": ["q/two", "p/three"], "fallbacks": ["a", "c"] },
            "c": { "targets": ["q/four"] }
          },
          "tasks": { "default": "a", "codeGeneration": "c" }
        }
        """);

    private static CompleteRequest Request(Action<CompleteRequest>? change = null)
    {
        var request = new CompleteRequest { Messages = { new Message { Role = Role.User, Content = "hi" } } };
        change?.Invoke(request);
        return request;
    }

    private static string[] Chain(RoutePlan plan) =>
        plan.Candidates.Select(c => $"{c.Target}{(c.Eligible ? string.Empty : " (skipped)")}").ToArray();

    [Test]
    public void Plan_CyclicFallbacks_ListsEveryTargetOnceInBreadthFirstOrder()
    {
        RoutePlan plan = Planners.Open().Plan(Request(), Model);

        Assert.That(plan.Route, Is.EqualTo("a"));
        Assert.That(Chain(plan), Is.EqualTo(new[] { "p/one", "q/two", "p/three", "q/four" }));
        Assert.That(plan.Candidates[2].Reason, Is.EqualTo("fallback route b, priority #2"));
    }

    [Test]
    public void Plan_TaskWithOwnRoute_UsesTaskTable()
    {
        RoutePlan plan = Planners.Open().Plan(Request(r => r.TaskType = TaskType.CodeGeneration), Model);

        Assert.That(plan.Route, Is.EqualTo("c"));
        Assert.That(Chain(plan), Is.EqualTo(new[] { "q/four" }));
    }

    [Test]
    public void Plan_NamedRoute_WinsOverTask()
    {
        RoutePlan plan = Planners.Open().Plan(Request(r => { r.TaskType = TaskType.CodeGeneration; r.Route = "B"; }), Model);

        Assert.That(plan.Route, Is.EqualTo("b"));
        Assert.That(Chain(plan)[0], Is.EqualTo("q/two"));
    }

    [Test]
    public void Plan_FallbackDisabled_KeepsOnlyFirstEligible()
    {
        RoutePlan plan = Planners.Open().Plan(Request(r => r.AllowFallback = false), Model);

        Assert.That(plan.Eligible.Select(c => c.Target.ToString()), Is.EqualTo(new[] { "p/one" }));
        Assert.That(plan.Candidates[1].Reason, Is.EqualTo("skipped: the request disabled fallback"));
    }

    [Test]
    public void Plan_ForcedProvider_NarrowsAndExplainsSkips()
    {
        RoutePlan plan = Planners.Open().Plan(Request(r => r.Provider = "q"), Model);

        Assert.That(Chain(plan), Is.EqualTo(new[] { "p/one (skipped)", "q/two", "p/three (skipped)", "q/four" }));
        Assert.That(plan.Candidates[0].Reason, Is.EqualTo("skipped: not the forced provider q"));
    }

    [Test]
    public void Plan_ForcedProviderOutsideChain_UsesItsDefaultModel()
    {
        RoutePlan plan = Planners.Open().Plan(Request(r => { r.Route = "c"; r.Provider = "p"; }), Model);

        Assert.That(plan.Eligible.Single().Target.ToString(), Is.EqualTo("p/p-default"));
    }

    [Test]
    public void Plan_ForcedProviderAndModelOutsideChain_AttemptsExactlyThat()
    {
        RoutePlan plan = Planners.Open().Plan(Request(r => { r.Provider = "q"; r.Model = "special"; }), Model);

        Assert.That(plan.Eligible.Select(c => c.Target.ToString()), Is.EqualTo(new[] { "q/special" }));
        Assert.That(plan.Candidates.Skip(1).Select(c => c.Eligible), Is.All.False);
    }

    [Test]
    public void Plan_ForcedProviderWithoutDefaultModelOutsideChain_InvalidArgument()
    {
        RuntimeModel model = TestModels.FromJson("""
            { "providers": { "p": { "kind": "mock" }, "q": { "kind": "mock" } }, "routes": { "a": { "targets": ["p/one"] } } }
            """);

        var ex = Assert.Throws<RouterException>(() => Planners.Open().Plan(Request(r => r.Provider = "q"), model));

        Assert.That(ex!.Message, Is.EqualTo("provider 'q' has no target in route 'a' and no defaultModel; name a model as well"));
    }

    [Test]
    public void Plan_ForcedModel_NarrowsToThatModel()
    {
        RoutePlan plan = Planners.Open().Plan(Request(r => r.Model = "three"), Model);

        Assert.That(plan.Eligible.Select(c => c.Target.ToString()), Is.EqualTo(new[] { "p/three" }));
    }

    public static IEnumerable<TestCaseData> InvalidRequests()
    {
        yield return new TestCaseData(Request(r => r.Route = "nope"), "unknown route 'nope'").SetName("Plan_UnknownRoute_InvalidArgument");
        yield return new TestCaseData(Request(r => r.Provider = "ghost"), "unknown provider 'ghost'").SetName("Plan_UnknownProvider_InvalidArgument");
        yield return new TestCaseData(Request(r => r.Model = "absent"), "serves model 'absent'").SetName("Plan_UnservedModel_InvalidArgument");
        yield return new TestCaseData(Request(r => r.TaskType = (TaskType)77), "unknown task type 77").SetName("Plan_UnknownTaskType_InvalidArgument");
        yield return new TestCaseData(new CompleteRequest(), "messages must not be empty").SetName("Plan_NoMessages_InvalidArgument");
        yield return new TestCaseData(Request(r => r.Messages.Add(new Message { Content = "x" })), "messages[1].role").SetName("Plan_MessageWithoutRole_InvalidArgument");
        yield return new TestCaseData(Request(r => r.Messages.Add(new Message { Role = Role.Tool, Content = "x" })), "no tool_call_id").SetName("Plan_ToolMessageWithoutCallId_InvalidArgument");
        yield return new TestCaseData(Request(r => r.Temperature = 3), "temperature").SetName("Plan_TemperatureOutOfRange_InvalidArgument");
        yield return new TestCaseData(Request(r => r.MaxTokens = 0), "max_tokens").SetName("Plan_ZeroMaxTokens_InvalidArgument");
        yield return new TestCaseData(Request(r => { r.Tools.Add(new Tool { Name = "t" }); r.Tools.Add(new Tool { Name = "t" }); }), "unique").SetName("Plan_DuplicateToolNames_InvalidArgument");
        yield return new TestCaseData(Request(r => r.ToolChoice = new ToolChoice { ToolName = "missing" }), "not among the tools").SetName("Plan_ToolChoiceUnknownTool_InvalidArgument");
        yield return new TestCaseData(Request(r => r.ResponseJsonSchema = """{"type":"object","unevaluatedProperties":false}"""), "unsupported keyword 'unevaluatedProperties' at #")
            .SetName("Plan_SchemaWithUnsupportedKeyword_InvalidArgumentNamingIt");
        yield return new TestCaseData(Request(r => r.ResponseJsonSchema = "{not json"), "response_json_schema:").SetName("Plan_SchemaNotJson_InvalidArgument");
    }

    [TestCaseSource(nameof(InvalidRequests))]
    public void Plan_InvalidRequest_ThrowsInvalidArgument(CompleteRequest request, string messagePart)
    {
        var ex = Assert.Throws<RouterException>(() => Planners.Open().Plan(request, Model));

        Assert.That(RouterErrorStatus.Name(ex!.Code), Is.EqualTo("INVALID_ARGUMENT"));
        Assert.That(ex.Message, Does.Contain(messagePart));
    }
}
