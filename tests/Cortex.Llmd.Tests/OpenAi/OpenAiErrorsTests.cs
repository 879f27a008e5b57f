using System.Text.Json;
using Cortex.Llm.V1;
using Cortex.Llmd.Errors;
using Cortex.Llmd.OpenAi;

namespace Cortex.Llmd.Tests.OpenAi;

/// <summary>The core's errors as HTTP statuses and OpenAI error objects.</summary>
public class OpenAiErrorsTests
{
    [Test]
    public void From_EveryRouterErrorCode_HasItsOwnMapping()
    {
        foreach (RouterErrorCode code in Enum.GetValues<RouterErrorCode>())
        {
            OpenAiError error = OpenAiErrors.From(new RouterException(code, "x"));

            Assert.That(error.Status, Is.Not.EqualTo(500), $"{code} falls through to the default arm");
            Assert.That(error.Code, Is.Not.Null, $"{code} has no code");
        }
    }

    [TestCase(RouterErrorCode.InvalidRequest, 400, "invalid_request_error")]
    [TestCase(RouterErrorCode.UnknownName, 404, "invalid_request_error")]
    [TestCase(RouterErrorCode.NotConfigured, 503, "server_error")]
    [TestCase(RouterErrorCode.NoEligibleTarget, 503, "server_error")]
    [TestCase(RouterErrorCode.AllAttemptsFailed, 502, "server_error")]
    [TestCase(RouterErrorCode.StreamInterrupted, 502, "server_error")]
    [TestCase(RouterErrorCode.BudgetExhausted, 429, "insufficient_quota")]
    [TestCase(RouterErrorCode.RateLimited, 429, "rate_limit_error")]
    [TestCase(RouterErrorCode.PermissionDenied, 403, "permission_error")]
    [TestCase(RouterErrorCode.DeadlineExceeded, 504, "server_error")]
    [TestCase(RouterErrorCode.LedgerUnavailable, 503, "server_error")]
    [TestCase(RouterErrorCode.Cancelled, 499, "invalid_request_error")]
    public void From_Code_HasTheStatusAndType(RouterErrorCode code, int status, string type)
    {
        OpenAiError error = OpenAiErrors.From(new RouterException(code, "why"));

        Assert.That((error.Status, error.Type, error.Message), Is.EqualTo((status, type, "why")));
    }

    [Test]
    public void From_UnknownName_NamesTheModelParameter() =>
        Assert.That(OpenAiErrors.From(new RouterException(RouterErrorCode.UnknownName, "unknown provider 'x'")).Param, Is.EqualTo("model"));

    [TestCase("messages[3].role must be ROLE_SYSTEM, ROLE_USER, ROLE_ASSISTANT or ROLE_TOOL", "messages[3].role")]
    [TestCase("messages must not be empty", "messages")]
    [TestCase("response_json_schema: unsupported keyword", "response_format.json_schema.schema")]
    [TestCase("tool_choice names 'x', which is not among the tools", "tool_choice")]
    [TestCase("something else entirely", null)]
    public void From_InvalidRequest_NamesTheParameterTheCoreMessageStartsWith(string message, string? param) =>
        Assert.That(OpenAiErrors.From(new RouterException(RouterErrorCode.InvalidRequest, message)).Param, Is.EqualTo(param));

    [TestCase(0.2, 1)]
    [TestCase(1.0, 1)]
    [TestCase(1.001, 2)]
    [TestCase(59.5, 60)]
    public void From_RetryAfter_IsWholeSecondsRoundedUp(double seconds, int expected)
    {
        var error = new RouterException(RouterErrorCode.RateLimited, "slow down") { RetryAfter = TimeSpan.FromSeconds(seconds) };

        Assert.That(OpenAiErrors.From(error).RetryAfterSeconds, Is.EqualTo(expected));
    }

    [Test]
    public void From_NoRetryAfter_HasNone() =>
        Assert.That(OpenAiErrors.From(new RouterException(RouterErrorCode.BudgetExhausted, "spent")).RetryAfterSeconds, Is.Null);

    [Test]
    public void From_BudgetExhausted_TellsTheSdkNotToRetry() =>
        Assert.That(OpenAiErrors.From(new RouterException(RouterErrorCode.BudgetExhausted, "spent")).ShouldRetry, Is.False);

    [Test]
    public void From_AllAttemptsFailed_KeepsTheCoreAttemptSummaryBounded()
    {
        var log = new AttemptLog { RequestId = "req_1" };
        var attempts = Enumerable.Range(0, 200).Select(i => new Attempt { Provider = "p" + i, Model = "m", Outcome = AttemptOutcome.Error, Reason = new string('r', 500) }).ToList();
        log.Attempts.AddRange(attempts);
        string message = Cortex.Llmd.Routing.AttemptSummary.Describe("all 200 attempts failed", attempts);

        OpenAiError error = OpenAiErrors.From(new RouterException(RouterErrorCode.AllAttemptsFailed, message, log));

        Assert.That(error.Message, Does.StartWith("all 200 attempts failed: p0/m Error: rrr"));
        Assert.That(error.Message.Length, Is.LessThanOrEqualTo(Quote.MaxMessageBytes));
    }

    [Test]
    public void Write_Error_IsOpenAisErrorObject()
    {
        using JsonDocument doc = Written.Json(w => OpenAiErrors.Write(w, OpenAiErrors.InvalidRequest("messages[2].content", "bad")));

        JsonElement error = doc.RootElement.GetProperty("error");
        Assert.That(error.GetProperty("message").GetString(), Is.EqualTo("bad"));
        Assert.That(error.GetProperty("type").GetString(), Is.EqualTo("invalid_request_error"));
        Assert.That(error.GetProperty("param").GetString(), Is.EqualTo("messages[2].content"));
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("invalid_request"));
    }

    [Test]
    public void Write_NoParam_WritesNull()
    {
        using JsonDocument doc = Written.Json(w => OpenAiErrors.Write(w, OpenAiErrors.Unauthorized()));

        Assert.That(doc.RootElement.GetProperty("error").GetProperty("param").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public void Helpers_HaveTheirStatuses()
    {
        Assert.That(OpenAiErrors.Unauthorized().Status, Is.EqualTo(401));
        Assert.That(OpenAiErrors.Forbidden("no").Status, Is.EqualTo(403));
        Assert.That(OpenAiErrors.BodyTooLarge(1024).Status, Is.EqualTo(413));
        Assert.That(OpenAiErrors.BodyTooLarge(1024).Message, Does.Contain("1024"));
        Assert.That(OpenAiErrors.UnknownPath("GET", "/v1/nothing").Status, Is.EqualTo(404));
        Assert.That(OpenAiErrors.MethodNotAllowed("GET", "/v1/chat/completions", "POST").Status, Is.EqualTo(405));
        Assert.That(OpenAiErrors.UnsupportedMediaType("text/plain").Status, Is.EqualTo(415));
    }

    [Test]
    public void UnknownPath_LongPath_IsClipped() =>
        Assert.That(OpenAiErrors.UnknownPath("GET", "/" + new string('a', 100_000)).Message.Length, Is.LessThan(300));
}
