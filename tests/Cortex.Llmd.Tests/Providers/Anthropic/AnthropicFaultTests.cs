using System.Diagnostics;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Tests.Support.Fakes;

namespace Cortex.Llmd.Tests.Providers.Anthropic;

public class AnthropicFaultTests
{
    private AnthropicHarness _harness = null!;

    [SetUp]
    public async Task StartAsync() => _harness = await AnthropicHarness.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _harness.DisposeAsync();

    [TestCase(400, ProviderErrorKind.BadRequest)]
    [TestCase(401, ProviderErrorKind.Auth)]
    [TestCase(403, ProviderErrorKind.Auth)]
    [TestCase(404, ProviderErrorKind.BadRequest)]
    [TestCase(413, ProviderErrorKind.ContextTooLong)]
    [TestCase(500, ProviderErrorKind.Server)]
    [TestCase(503, ProviderErrorKind.Server)]
    [TestCase(529, ProviderErrorKind.Server)]
    public async Task StreamAsync_ErrorStatus_ThrowsClassifiedErrorWithStatus(int status, ProviderErrorKind kind)
    {
        _harness.Server.Enqueue(new ProviderFault { Status = status });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => _harness.CollectAsync("x"));

        Assert.That(ex!.Kind, Is.EqualTo(kind));
        Assert.That(ex.HttpStatus, Is.EqualTo(status));
        Assert.That(ex.Message, Does.StartWith("claude: HTTP " + status));
    }

    [Test]
    public async Task StreamAsync_400PromptTooLong_ThrowsContextTooLong()
    {
        _harness.Server.ErrorMessage = "prompt is too long: 215000 tokens > 200000 maximum";
        _harness.Server.Enqueue(new ProviderFault { Status = 400 });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => _harness.CollectAsync("x"));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.ContextTooLong));
        Assert.That(ex.Message, Does.Contain("prompt is too long"));
    }

    [Test]
    public async Task StreamAsync_429WithRetryAfter_ThrowsRateLimitedWithTheWait()
    {
        _harness.Server.Enqueue(new ProviderFault { Status = 429, RetryAfter = TimeSpan.FromSeconds(7) });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => _harness.CollectAsync("x"));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.RateLimited));
        Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
        Assert.That(ex.IsRetryable, Is.True);
    }

    [Test]
    public async Task StreamAsync_ErrorBodyEchoingTheKey_NeverShowsTheKey()
    {
        _harness.Server.ErrorMessage = "invalid x-api-key: " + AnthropicHarness.Key;
        _harness.Server.Enqueue(new ProviderFault { Status = 401 });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => _harness.CollectAsync("x"));

        Assert.That(ex!.Message, Does.Not.Contain(AnthropicHarness.Key));
        Assert.That(ex.Message, Does.Contain("***"));
    }

    [Test]
    public async Task StreamAsync_CancelledWhileWaitingForHeaders_ThrowsOperationCanceledPromptly()
    {
        _harness.Server.Enqueue(new ProviderFault { DelayBeforeHeaders = TimeSpan.FromSeconds(30) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
        var clock = Stopwatch.StartNew();

        await Assert.CatchAsync<OperationCanceledException>(() => _harness.CollectAsync("x", cts.Token));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task StreamAsync_CancelledMidStream_ThrowsOperationCanceledPromptly()
    {
        // The first frame (message_start) arrives at once, the next only after 30 seconds.
        _harness.Server.Enqueue(new ProviderFault { DelayBetweenChunks = TimeSpan.FromSeconds(30) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        await Assert.CatchAsync<OperationCanceledException>(() => _harness.CollectAsync("x", cts.Token));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(_harness.Server.Requests, Has.Count.EqualTo(1), "the request was under way, not refused");
    }

    [Test]
    public async Task StreamAsync_ConnectionResetMidStream_ThrowsConnection()
    {
        _harness.Server.Enqueue(new ProviderFault { ResetAfterEvents = 4 });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => _harness.CollectAsync("x"));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.Connection));
    }

    [Test]
    public async Task StreamAsync_StreamEndsWithoutMessageStop_ThrowsConnectionEndedEarly()
    {
        _harness.Server.Enqueue(new ProviderFault { TruncateAfterEvents = 5 });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => _harness.CollectAsync("x"));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.Connection));
        Assert.That(ex.Message, Does.Contain("stream ended early"));
    }

    [Test]
    public async Task StreamAsync_MalformedJsonEvent_ThrowsInvalidResponse()
    {
        _harness.Server.Enqueue(new ProviderFault { MalformedJson = true });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => _harness.CollectAsync("x"));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.InvalidResponse));
    }

    [Test]
    public async Task StreamAsync_MessageWithoutContentBlocks_ThrowsInvalidAnswerEmptyAnswer()
    {
        _harness.Server.Enqueue(new ProviderFault { EmptyChoices = true });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => _harness.CollectAsync("x"));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.InvalidAnswer), "an answer to reject, like OpenAI's empty choices");
        Assert.That(ex.Message, Does.Contain("empty answer"));
    }

    [TestCase("overloaded_error", "Overloaded", ProviderErrorKind.Server)]
    [TestCase("api_error", "Internal server error", ProviderErrorKind.Server)]
    [TestCase("rate_limit_error", "Slow down", ProviderErrorKind.RateLimited)]
    [TestCase("authentication_error", "bad key", ProviderErrorKind.Auth)]
    [TestCase("permission_error", "no access", ProviderErrorKind.Auth)]
    [TestCase("invalid_request_error", "messages: roles must alternate", ProviderErrorKind.BadRequest)]
    [TestCase("invalid_request_error", "prompt is too long: 201000 tokens > 200000 maximum", ProviderErrorKind.ContextTooLong)]
    public async Task StreamAsync_ErrorEventMidStream_ThrowsClassifiedByErrorType(string type, string message, ProviderErrorKind kind)
    {
        _harness.Server.EnqueueAnswer(FakeAnthropicAnswer.Text("partial answer here") with { StreamError = (type, message) });
        var events = new List<ProviderEvent>();

        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (ProviderEvent e in _harness.Provider.StreamAsync(new(AnthropicHarness.Ask("x"), AnthropicHarness.Model, "r"), CancellationToken.None))
            {
                events.Add(e);
            }
        });

        Assert.That(ex!.Kind, Is.EqualTo(kind));
        Assert.That(ex.Message, Does.Contain(type));
        Assert.That(events.OfType<ContentDelta>(), Is.Not.Empty, "what came before the error was delivered");
        Assert.That(events.OfType<Completion>(), Is.Empty);
    }

    [Test]
    public async Task StreamAsync_NothingListening_ThrowsConnection()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using AnthropicHarness harness = await AnthropicHarness.StartAsync(s => s with { BaseUrl = new Uri($"http://127.0.0.1:{closedPort}/") });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => harness.CollectAsync("x"));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.Connection));
    }

    [Test]
    public async Task StreamAsync_NoKey_ThrowsAuthWithoutAnyRequest()
    {
        await using AnthropicHarness harness = await AnthropicHarness.StartAsync(withKey: false);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => harness.CollectAsync("x"));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.Auth));
        Assert.That(ex.Message, Is.EqualTo("claude: no API key"));
        Assert.That(harness.Server.Requests, Is.Empty);
    }
}
