using Cortex.Llm.V1;
using Cortex.Llmd.OpenAi;
using Microsoft.Extensions.Primitives;

namespace Cortex.Llmd.Tests.OpenAi;

/// <summary>x-cortex-* request headers onto the core's request, and the response headers of an answer.</summary>
public class CortexHeadersTests
{
    private static Dictionary<string, StringValues> Headers(params (string Name, string Value)[] headers) =>
        headers.ToDictionary(h => h.Name, h => new StringValues(h.Value), StringComparer.OrdinalIgnoreCase);

    [Test]
    public void Apply_TenantTaskAndLabels_SetTheRequest()
    {
        var request = new CompleteRequest();

        OpenAiError? error = CortexHeaders.Apply(
            Headers(("X-Cortex-Tenant", "team-a"), ("x-cortex-task", "code_generation"), ("x-cortex-label-feature", "search v2"), ("content-type", "application/json")),
            request);

        Assert.That(error, Is.Null);
        Assert.That(request.TenantId, Is.EqualTo("team-a"));
        Assert.That(request.TaskType, Is.EqualTo(TaskType.CodeGeneration));
        Assert.That(request.Labels["feature"], Is.EqualTo("search v2"));
    }

    [Test]
    public void Apply_TaskWhenTheModelChoseOne_KeepsTheModelsTask()
    {
        var request = new CompleteRequest { TaskType = TaskType.ErrorDebugging };

        Assert.That(CortexHeaders.Apply(Headers(("x-cortex-task", "user_chat")), request), Is.Null);
        Assert.That(request.TaskType, Is.EqualTo(TaskType.ErrorDebugging));
    }

    [Test]
    public void Apply_LabelHeader_WinsOverTheBodysUser()
    {
        var request = new CompleteRequest();
        request.Labels["user"] = "from-body";

        CortexHeaders.Apply(Headers(("x-cortex-label-user", "from-header")), request);

        Assert.That(request.Labels["user"], Is.EqualTo("from-header"));
    }

    [TestCase("x-cortex-tenant", "", "x-cortex-tenant")]
    [TestCase("x-cortex-tenant", "has space", "x-cortex-tenant")]
    [TestCase("x-cortex-task", "dreaming", "x-cortex-task")]
    [TestCase("x-cortex-label-", "v", "x-cortex-label-")]
    [TestCase("x-cortex-label-Bad!", "v", "x-cortex-label-bad!")]
    [TestCase("x-cortex-label-ok", "tab\there", "x-cortex-label-ok")]
    public void Apply_BadHeader_Is400NamingIt(string name, string value, string param)
    {
        OpenAiError? error = CortexHeaders.Apply(Headers((name, value)), new CompleteRequest());

        Assert.That(error, Is.Not.Null);
        Assert.That((error!.Status, error.Param), Is.EqualTo((400, param)));
    }

    [Test]
    public void Apply_LongValue_Is400()
    {
        OpenAiError? error = CortexHeaders.Apply(Headers(("x-cortex-label-k", new string('v', CortexHeaders.MaxValueLength + 1))), new CompleteRequest());

        Assert.That(error?.Param, Is.EqualTo("x-cortex-label-k"));
    }

    [Test]
    public void Apply_TooManyLabels_Is400()
    {
        var headers = Enumerable.Range(0, CortexHeaders.MaxLabels + 1).Select(i => ($"x-cortex-label-l{i}", "v")).ToArray();

        Assert.That(CortexHeaders.Apply(Headers(headers), new CompleteRequest())?.Status, Is.EqualTo(400));
    }

    [Test]
    public void Apply_RepeatedHeader_Is400()
    {
        var headers = new Dictionary<string, StringValues> { ["x-cortex-tenant"] = new StringValues(["a", "b"]) };

        Assert.That(CortexHeaders.Apply(headers, new CompleteRequest())?.Param, Is.EqualTo("x-cortex-tenant"));
    }

    [Test]
    public void Apply_UnknownCortexHeader_IsIgnored() =>
        Assert.That(CortexHeaders.Apply(Headers(("x-cortex-request-id", "req_1")), new CompleteRequest()), Is.Null);

    [Test]
    public void ForAnswer_Answer_NamesTargetAttemptsAndCostButNotTheRequestId()
    {
        var response = new CompleteResponse { RequestId = "req_1", Provider = "openai", Model = "gpt-4o", Cost = new Cost { NanoUsd = 1234, Priced = true } };
        response.Attempts.Add(new Attempt { Outcome = AttemptOutcome.Skipped });
        response.Attempts.Add(new Attempt { Outcome = AttemptOutcome.Error });
        response.Attempts.Add(new Attempt { Outcome = AttemptOutcome.Success });

        var headers = CortexHeaders.ForAnswer(response).ToDictionary(h => h.Key, h => h.Value);

        // The handler sends the id as a header before the call runs; a second copy would be a duplicate trailer.
        Assert.That(headers.ContainsKey(CortexHeaders.RequestId), Is.False);
        Assert.That(headers[CortexHeaders.Provider], Is.EqualTo("openai"));
        Assert.That(headers[CortexHeaders.Model], Is.EqualTo("gpt-4o"));
        Assert.That(headers[CortexHeaders.Attempts], Is.EqualTo("2"));
        Assert.That(headers[CortexHeaders.CostNanoUsd], Is.EqualTo("1234"));
    }
}
