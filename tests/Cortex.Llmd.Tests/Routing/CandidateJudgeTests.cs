using Cortex.Llm.V1;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Model;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Tests.Support;

namespace Cortex.Llmd.Tests.Routing;

/// <summary>Targets that cannot serve a request are skipped with a reason, in Route and in Complete alike.</summary>
public class CandidateJudgeTests
{
    [OneTimeTearDown]
    public static void DisposeModel() => Model.Dispose();

    private static readonly RuntimeModel Model = TestModels.FromJson("""
        {
          "providers": {
            "m": {
              "kind": "mock",
              "models": {
                "plain": { "tools": false, "jsonSchema": false, "streaming": false },
                "tiny": { "contextWindow": 1000 },
                "full": {}
              }
            }
          },
          "routes": { "r": { "targets": ["m/plain", "m/tiny", "m/full"] } }
        }
        """);

    private sealed class BlockingGate(string model) : ITargetGate
    {
        public GateVerdict Check(TargetRef target) => target.Model == model ? GateVerdict.Blocked("circuit open until 12:00:05Z") : GateVerdict.Pass;

        public GateVerdict TryEnter(TargetRef target) => Check(target);

        public void Report(TargetRef target, bool success, string reason)
        {
        }

        public void Abandon(TargetRef target)
        {
        }
    }

    private static RoutePlan Plan(Action<CompleteRequest> change, bool streaming = false, ITargetGate? gate = null)
    {
        var request = new CompleteRequest { Messages = { new Message { Role = Role.User, Content = "hi" } } };
        change(request);
        return new RoutePlanner(new TargetStateRegistry(), gate ?? new OpenGate(), new Cortex.Llmd.Validation.SchemaCache(), new Random(1)).Plan(request, Model, streaming);
    }

    private static string Reason(RoutePlan plan, string model) => plan.Candidates.Single(c => c.Target.Model == model).Reason;

    [Test]
    public void Plan_RequestWithTools_SkipsModelWithoutTools()
    {
        RoutePlan plan = Plan(r => r.Tools.Add(new Tool { Name = "t" }));

        Assert.That(Reason(plan, "plain"), Is.EqualTo("skipped: lacks tools"));
        Assert.That(plan.Eligible.Select(c => c.Target.Model), Is.EqualTo(new[] { "tiny", "full" }));
    }

    [Test]
    public void Plan_ToolsOfferedButChoiceNone_DoesNotNeedTools()
    {
        RoutePlan plan = Plan(r => { r.Tools.Add(new Tool { Name = "t" }); r.ToolChoice = new ToolChoice { Mode = ToolChoiceMode.None }; });

        Assert.That(plan.Eligible.First().Target.Model, Is.EqualTo("plain"));
    }

    [Test]
    public void Plan_ResponseSchema_SkipsModelWithoutJsonSchema()
    {
        Assert.That(Reason(Plan(r => r.ResponseJsonSchema = "{}"), "plain"), Is.EqualTo("skipped: lacks JSON Schema output"));
    }

    [Test]
    public void Plan_Streaming_SkipsModelWithoutStreaming()
    {
        Assert.That(Reason(Plan(_ => { }, streaming: true), "plain"), Is.EqualTo("skipped: lacks streaming"));
    }

    [Test]
    public void Plan_PromptLargerThanWindow_SkipsWithEstimate()
    {
        RoutePlan plan = Plan(r => { r.Messages[0].Content = new string('x', 8000); r.MaxTokens = 100; });

        Assert.That(Reason(plan, "tiny"), Is.EqualTo("skipped: context too small (needs about 2100 tokens, window 1000)"));
        Assert.That(plan.Candidates.Single(c => c.Target.Model == "full").Eligible, Is.True);
    }

    [Test]
    public void Plan_GateBlocksTarget_SkipsWithGateReason()
    {
        RoutePlan plan = Plan(_ => { }, gate: new BlockingGate("plain"));

        Assert.That(Reason(plan, "plain"), Is.EqualTo("skipped: circuit open until 12:00:05Z"));
    }
}
