using System.Collections;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Providers.OpenAi;
using Cortex.Llmd.Tests.Support;
using Cortex.Llmd.Tests.Support.Fakes;
using static Cortex.Llmd.Tests.Providers.OpenAi.OpenAiTestKit;

namespace Cortex.Llmd.Tests.Providers.OpenAi;

public class OpenAiFaultTests : OpenAiServerTestBase
{
    private async Task<ProviderException> FailureAsync(ProviderFault? fault = null)
    {
        if (fault is not null)
        {
            Fake.Enqueue(fault);
        }

        ProviderException? ex = await Assert.ThrowsAsync<ProviderException>(() => Collect(Adapter, Call()));
        Assert.That(ex!.Message, Does.Not.Contain(Key));
        return ex;
    }

    /// <summary>How many SSE events the fake sends for its default text: role, words, finish, usage, [DONE].</summary>
    private int EventCount => FakeOpenAiServer.Words(Fake.Text).Count() + 4;

    [TestCase(401, ProviderErrorKind.Auth)]
    [TestCase(403, ProviderErrorKind.Auth)]
    [TestCase(400, ProviderErrorKind.BadRequest)]
    [TestCase(404, ProviderErrorKind.BadRequest)]
    [TestCase(408, ProviderErrorKind.Timeout)]
    [TestCase(500, ProviderErrorKind.Server)]
    [TestCase(502, ProviderErrorKind.Server)]
    [TestCase(503, ProviderErrorKind.Server)]
    [TestCase(529, ProviderErrorKind.Server)]
    public async Task StreamAsync_ErrorStatus_IsClassified(int status, ProviderErrorKind kind)
    {
        ProviderException ex = await FailureAsync(new ProviderFault { Status = status });

        Assert.That(ex.Kind, Is.EqualTo(kind));
        Assert.That(ex.HttpStatus, Is.EqualTo(status));
        Assert.That(ex.Message, Does.Contain("The fake server refused the request."));
    }

    [Test]
    public async Task StreamAsync_400WithContextLengthText_IsContextTooLong()
    {
        Fake.ErrorMessage = "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.";

        ProviderException ex = await FailureAsync(new ProviderFault { Status = 400 });

        Assert.That(ex.Kind, Is.EqualTo(ProviderErrorKind.ContextTooLong));
    }

    [Test]
    public async Task StreamAsync_429WithRetryAfter_IsRateLimitedWithTheDelay()
    {
        ProviderException ex = await FailureAsync(new ProviderFault { Status = 429, RetryAfter = TimeSpan.FromSeconds(7) });

        Assert.That(ex.Kind, Is.EqualTo(ProviderErrorKind.RateLimited));
        Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
        Assert.That(ex.IsRetryable, Is.True);
    }

    [Test]
    public async Task StreamAsync_ErrorBodyEchoesTheKey_KeyIsRedacted()
    {
        Fake.ErrorMessage = "Incorrect API key provided: " + Key + ".";

        ProviderException ex = await FailureAsync(new ProviderFault { Status = 401 });

        Assert.That(ex.Message, Does.Contain("Incorrect API key provided: ***"));
    }

    [Test]
    public async Task StreamAsync_DelayBeforeHeadersThenCancel_CancelsPromptlyAsOperationCanceled()
    {
        Fake.Enqueue(new ProviderFault { DelayBeforeHeaders = TimeSpan.FromSeconds(30) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Assert.CatchAsync<OperationCanceledException>(() => Collect(Adapter, Call(), cts.Token));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task StreamAsync_DelayBeforeHeaders_AnswerStillArrives()
    {
        Fake.Enqueue(new ProviderFault { DelayBeforeHeaders = TimeSpan.FromMilliseconds(300) });

        List<ProviderEvent> events = await Collect(Adapter, Call());

        Assert.That(Text(events), Is.EqualTo(Fake.Text));
    }

    [Test]
    public async Task StreamAsync_DelayBetweenChunks_DeltasArriveAsTheyAreSent()
    {
        Fake.Enqueue(new ProviderFault { DelayBetweenChunks = TimeSpan.FromMilliseconds(150) });
        var clock = Stopwatch.StartNew();
        TimeSpan? firstDelta = null;
        TimeSpan? completion = null;

        await foreach (ProviderEvent e in Adapter.StreamAsync(Call(), CancellationToken.None))
        {
            if (e is ContentDelta)
            {
                firstDelta ??= clock.Elapsed;
            }
            else if (e is Completion)
            {
                completion = clock.Elapsed;
            }
        }

        Assert.That(completion - firstDelta, Is.GreaterThan(TimeSpan.FromMilliseconds(450)), "the first delta was not held back until the end");
    }

    [Test]
    public async Task StreamAsync_CancelMidStream_ThrowsOperationCanceled()
    {
        // The headers and the first (role-only) chunk come at once; the next chunk only after 10 s.
        Fake.Enqueue(new ProviderFault { DelayBetweenChunks = TimeSpan.FromSeconds(10) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var clock = Stopwatch.StartNew();

        await Assert.CatchAsync<OperationCanceledException>(() => Collect(Adapter, Call(), cts.Token));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(Fake.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task StreamAsync_ConnectionResetMidStream_IsConnection()
    {
        ProviderException ex = await FailureAsync(new ProviderFault { ResetAfterEvents = 3 });

        Assert.That(ex.Kind, Is.EqualTo(ProviderErrorKind.Connection));
    }

    [Test]
    public async Task StreamAsync_TruncatedBeforeDone_IsConnectionStreamEndedEarly()
    {
        // Everything arrives, finish_reason and usage included, except the terminal [DONE].
        ProviderException ex = await FailureAsync(new ProviderFault { TruncateAfterEvents = EventCount - 1 });

        Assert.That(ex.Kind, Is.EqualTo(ProviderErrorKind.Connection));
        Assert.That(ex.Message, Does.Contain("stream ended early"));
    }

    [Test]
    public async Task StreamAsync_TruncatedMidAnswer_IsConnection()
    {
        ProviderException ex = await FailureAsync(new ProviderFault { TruncateAfterEvents = 2 });

        Assert.That(ex.Kind, Is.EqualTo(ProviderErrorKind.Connection));
    }

    [Test]
    public async Task StreamAsync_MalformedJsonChunk_IsInvalidResponse()
    {
        ProviderException ex = await FailureAsync(new ProviderFault { MalformedJson = true });

        Assert.That(ex.Kind, Is.EqualTo(ProviderErrorKind.InvalidResponse));
        Assert.That(ex.Message, Does.Contain("malformed JSON"));
    }

    [Test]
    public async Task StreamAsync_EveryChunkWithEmptyChoices_IsInvalidAnswerWithItsStatus()
    {
        ProviderException ex = await FailureAsync(new ProviderFault { EmptyChoices = true });

        Assert.That(ex.Kind, Is.EqualTo(ProviderErrorKind.InvalidAnswer), "an answer to reject, not a provider failure");
        Assert.That(ex.Message, Does.Contain("empty answer"));
        Assert.That(ex.HttpStatus, Is.EqualTo(200));
    }

    [TestCase("""{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}}""", ProviderErrorKind.RateLimited)]
    [TestCase("""{"id":"gen-1","error":{"code":502,"message":"Upstream provider error"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}""", ProviderErrorKind.Server)]
    [TestCase("""{"error":{"message":"prompt is too long for this model","type":"invalid_request_error","code":"context_length_exceeded"}}""", ProviderErrorKind.ContextTooLong)]
    [TestCase("""{"error":{"object":"error","message":"internal error","type":"InternalServerError","param":null,"code":500}}""", ProviderErrorKind.Server)]
    public async Task StreamAsync_ErrorObjectIn200Stream_IsClassifiedLikeHttp(string chunk, ProviderErrorKind kind)
    {
        Fake.StreamErrorJson = chunk;
        var events = new List<ProviderEvent>();

        var ex = await Assert.ThrowsAsync<ProviderException>(async () =>
        {
            await foreach (ProviderEvent e in Adapter.StreamAsync(Call(), CancellationToken.None))
            {
                events.Add(e);
            }
        });

        Assert.That(ex!.Kind, Is.EqualTo(kind));
        Assert.That(events.OfType<ContentDelta>().Count(), Is.EqualTo(1), "the delta before the error was already streamed");
        Assert.That(events.OfType<Completion>(), Is.Empty);
    }

    [TestCase("""{"error":{"message":"Overloaded","type":"overloaded_error"}}""", ProviderErrorKind.Server)]
    [TestCase("""{"message":"slow down","code":429}""", ProviderErrorKind.RateLimited)]
    [TestCase("upstream went away", ProviderErrorKind.Server)]
    public async Task StreamAsync_ErrorEvent_IsClassifiedWhateverItsData(string data, ProviderErrorKind kind)
    {
        Fake.StreamErrorJson = data;
        Fake.StreamErrorAsEvent = true;

        ProviderException ex = await FailureAsync();

        Assert.That(ex.Kind, Is.EqualTo(kind));
    }

    [Test]
    public async Task StreamAsync_MissingKey_FailsAuthWithoutAnyRequest()
    {
        using OpenAiProvider provider = Provider(Settings(Fake), new Hashtable());

        ProviderException? ex = await Assert.ThrowsAsync<ProviderException>(() => Collect(provider, Call()));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.Auth));
        Assert.That(ex.Message, Is.EqualTo("oa: no API key"));
        Assert.That(Fake.Requests, Is.Empty);
        ProviderDescription description = provider.Describe();
        Assert.That(description.KeyPresent, Is.False);
        Assert.That(description.Unavailable, Is.EqualTo($"no key: environment variable {KeyVariable} is not set"));
    }

    [Test]
    public async Task StreamAsync_NothingListening_IsConnection()
    {
        int port = LoopbackPorts.Free();
        using OpenAiProvider provider = Provider(Settings(Fake) with { BaseUrl = new Uri($"http://127.0.0.1:{port}/v1/") });

        ProviderException? ex = await Assert.ThrowsAsync<ProviderException>(() => Collect(provider, Call()));

        Assert.That(ex!.Kind, Is.EqualTo(ProviderErrorKind.Connection));
    }
}
