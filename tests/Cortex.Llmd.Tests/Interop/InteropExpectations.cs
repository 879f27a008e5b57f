using System.Text.Json;
using Cortex.Llm.V1;

namespace Cortex.Llmd.Tests.Interop;

/// <summary>
/// The C# side of each interop case: a few of the values the client reported, checked again here, and
/// what the daemon itself recorded while the case ran. Both clients report the same JSON fields, so
/// one set of expectations serves every language.
/// </summary>
internal static class InteropExpectations
{
    public const string MockReply = "Hello from mock-1: ";

    private static readonly TimeSpan ServerWait = TimeSpan.FromSeconds(5);

    private static readonly Dictionary<string, Func<JsonElement, DaemonProbe, Task>> Checks = new(StringComparer.Ordinal)
    {
        ["complete"] = CompleteAsync,
        ["stream-0"] = StreamZeroAsync,
        ["stream-1"] = StreamOneAsync,
        ["stream-many"] = StreamManyAsync,
        ["route"] = RouteAsync,
        ["health"] = HealthAsync,
        ["deadline"] = DeadlineAsync,
        ["cancel-stream"] = CancelStreamAsync,
        ["unimplemented"] = UnimplementedAsync,
        ["oversize"] = OversizeAsync,
        ["metadata"] = MetadataAsync,
        ["concurrent"] = ConcurrentAsync,
        ["huge-names"] = HugeNamesAsync,
    };

    public static Task VerifyAsync(string caseName, JsonElement observed, DaemonProbe probe)
    {
        if (!Checks.TryGetValue(caseName, out Func<JsonElement, DaemonProbe, Task>? check))
        {
            Assert.Fail($"No C# expectations are defined for interop case '{caseName}'.");
        }

        return check!(observed, probe);
    }

    /// <summary>Echoed names are bounded, so a stock client sees the real status instead of a metadata-size failure.</summary>
    private static Task HugeNamesAsync(JsonElement observed, DaemonProbe probe)
    {
        Assert.That((Text(observed, "route_status"), Text(observed, "health_status")), Is.EqualTo(("INVALID_ARGUMENT", "NOT_FOUND")));
        Assert.That(Number(observed, "route_details_bytes"), Is.InRange(200L, 4095L), "the grpc-message quotes the name, bounded");
        Assert.That(Text(observed, "route_details_head"), Does.StartWith("unknown route 'rrr"));
        Assert.That(Number(observed, "health_details_bytes"), Is.LessThan(4096L));
        return Task.CompletedTask;
    }

    private static async Task CompleteAsync(JsonElement observed, DaemonProbe probe)
    {
        Assert.That(Text(observed, "content"), Is.EqualTo(MockReply + "interop says hi"));
        string requestId = Text(observed, "request_id");
        Assert.That(Text(observed, "header_request_id"), Is.EqualTo(requestId));

        RequestFinished finished = await probe.WaitForRequestAsync(requestId, ServerWait);
        Assert.That((finished.Status, finished.Provider, finished.Route), Is.EqualTo(("OK", "mock", "default")));
    }

    private static async Task StreamZeroAsync(JsonElement observed, DaemonProbe probe)
    {
        JsonElement empty = observed.GetProperty("empty");
        JsonElement broken = observed.GetProperty("broken");
        Assert.That((Number(empty, "chunks"), Number(empty, "finals")), Is.EqualTo((0L, 1L)), "route empty: content chunks, final chunks");
        Assert.That((Number(broken, "messages"), Text(broken, "status")), Is.EqualTo((0L, "UNAVAILABLE")), "route broken: messages, status");
        JsonElement log = broken.GetProperty("attempt_log");
        Assert.That(log.GetProperty("attempts").GetArrayLength(), Is.EqualTo(1), "attempts in the x-cortex-attempts-bin trailer");

        RequestFinished finished = await probe.WaitForRequestAsync(Text(log, "request_id"), ServerWait);
        Assert.That(finished.Status, Is.EqualTo("UNAVAILABLE"), "the status the daemon recorded for the broken stream");
        StatsGroup now = probe.Totals();
        Assert.That((now.Requests - probe.Before.Requests, now.Failures - probe.Before.Failures), Is.EqualTo((2UL, 1UL)), "requests, failures recorded");
    }

    private static Task StreamOneAsync(JsonElement observed, DaemonProbe probe)
    {
        Assert.That(Text(observed, "content"), Is.EqualTo(MockReply + "x  naïve 🙂 chunks"));
        // "Hello ", "from ", "mock-1: ", "x ", " ", "naïve ", "🙂 ", "chunks"
        Assert.That(Number(observed, "chunks"), Is.EqualTo(8));
        Assert.That(Text(observed, "final_content"), Is.Empty);
        return Task.CompletedTask;
    }

    private static Task StreamManyAsync(JsonElement observed, DaemonProbe probe)
    {
        Assert.That((Number(observed, "chunks"), Number(observed, "finals")), Is.EqualTo((5000L, 1L)), "content chunks, final chunks");
        // The daemon records the request before it writes the final chunk, so the numbers are in already.
        StatsGroup now = probe.Totals();
        Assert.That(now.Usage.OutputTokens - probe.Before.Usage.OutputTokens, Is.EqualTo(5000UL), "output tokens the daemon counted");
        return Task.CompletedTask;
    }

    private static Task RouteAsync(JsonElement observed, DaemonProbe probe)
    {
        string[] order = [.. observed.GetProperty("fallback").GetProperty("candidates").EnumerateArray().Select(c => c[0].GetString() + "/" + c[1].GetString())];
        Assert.That(order, Is.EqualTo(new[] { "broken/broken-1", "mock/mock-1" }), "candidates of route fallback");
        Assert.That(Number(observed, "requests_after"), Is.EqualTo(Number(observed, "requests_before")));
        Assert.That(probe.Totals().Requests, Is.EqualTo(probe.Before.Requests), "requests the daemon recorded during Route calls");
        return Task.CompletedTask;
    }

    private static Task HealthAsync(JsonElement observed, DaemonProbe probe)
    {
        Assert.That(
            (Text(observed, "(daemon)"), Text(observed, "cortex.llm.v1.Router"), Text(observed, "nope")),
            Is.EqualTo(("SERVING", "SERVING", "NOT_FOUND")));
        return Task.CompletedTask;
    }

    private static async Task DeadlineAsync(JsonElement observed, DaemonProbe probe)
    {
        JsonElement[] calls = [.. observed.GetProperty("calls").EnumerateArray()];
        Assert.That(calls, Has.Length.EqualTo(5), "deadline calls the client made");
        Assert.That(calls.Select(c => Text(c, "status")), Is.All.EqualTo("DEADLINE_EXCEEDED"), "what the client saw");
        Assert.That(calls.Select(c => c.GetProperty("elapsed_s").GetDouble()), Is.All.LessThan(5.0), "seconds until the deadline fired");

        // The client's own deadline fires whatever the server does: prove the daemon saw a deadline too,
        // for every call (the status it records is meant to be the one the caller received).
        var recorded = new List<string>();
        foreach (JsonElement call in calls)
        {
            RequestFinished finished = await probe.WaitForRequestAsync(Text(call, "request_id"), ServerWait);
            Assert.That(finished.Route, Is.EqualTo("slow"));
            recorded.Add(finished.Status);
        }

        Assert.That(recorded, Is.All.EqualTo("DEADLINE_EXCEEDED"), "the status the daemon recorded for each call that hit its deadline");
        Assert.That(probe.Totals().DeadlineExceeded - probe.Before.DeadlineExceeded, Is.EqualTo((ulong)calls.Length), "deadline_exceeded in the daemon's stats");
    }

    private static async Task CancelStreamAsync(JsonElement observed, DaemonProbe probe)
    {
        Assert.That((Number(observed, "chunks"), Text(observed, "status")), Is.EqualTo((5L, "CANCELLED")), "chunks read, client status");

        RequestFinished finished = await probe.WaitForRequestAsync(Text(observed, "request_id"), ServerWait);
        Assert.That((finished.Status, finished.Route), Is.EqualTo(("CANCELLED", "trickle")), "what the daemon recorded");
        Assert.That(finished.Attempts.Select(a => a.Outcome), Is.EqualTo(new[] { AttemptOutcome.Cancelled }), "attempt outcomes the daemon recorded");
        Assert.That(probe.Totals().Cancelled - probe.Before.Cancelled, Is.EqualTo(1UL), "cancelled in the daemon's stats");
    }

    private static Task UnimplementedAsync(JsonElement observed, DaemonProbe probe)
    {
        foreach (string path in new[] { "/cortex.llm.v1.Router/NoSuchMethod", "/no.such.Service/Method" })
        {
            Assert.That(Text(observed.GetProperty(path), "status"), Is.EqualTo("UNIMPLEMENTED"), path);
        }

        return Task.CompletedTask;
    }

    private static Task OversizeAsync(JsonElement observed, DaemonProbe probe)
    {
        Assert.That(Text(observed, "status"), Is.EqualTo("RESOURCE_EXHAUSTED"));
        Assert.That(Text(observed, "after"), Is.EqualTo(MockReply + "after"), "a normal call on the same channel afterwards");
        return Task.CompletedTask;
    }

    private static async Task MetadataAsync(JsonElement observed, DaemonProbe probe)
    {
        Assert.That((Text(observed, "header_request_id"), Text(observed, "request_id")), Is.EqualTo(("interop-123", "interop-123")));
        int[] correlation = [.. observed.GetProperty("correlation").EnumerateArray().Select(b => b.GetInt32())];
        Assert.That(correlation, Is.EqualTo(new[] { 0, 255, 1, 128, 10 }), "x-cortex-correlation-bin echoed back");

        RequestFinished finished = await probe.WaitForRequestAsync("interop-123", ServerWait);
        Assert.That(finished.Status, Is.EqualTo("OK"), "the daemon recorded the caller's request id");
    }

    private static Task ConcurrentAsync(JsonElement observed, DaemonProbe probe)
    {
        Assert.That((Number(observed, "succeeded"), Number(observed, "distinct_request_ids")), Is.EqualTo((120L, 120L)));
        StatsGroup now = probe.Totals();
        Assert.That((now.Requests - probe.Before.Requests, now.Failures - probe.Before.Failures), Is.EqualTo((120UL, 0UL)), "requests, failures recorded");
        return Task.CompletedTask;
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new AssertionException($"The client reported no string '{name}' in {element}");

    private static long Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number
            ? value.GetInt64()
            : throw new AssertionException($"The client reported no number '{name}' in {element}");
}
