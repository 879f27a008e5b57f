using System.Text.Json;
using Cortex.Llm.V1;
using Cortex.Llmd.Providers.OpenAi;

namespace Cortex.Llmd.Tests.Providers.OpenAi;

public class OpenAiUsageTests
{
    private static Usage Map(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return OpenAiUsage.Map(document.RootElement);
    }

    [Test]
    public void Map_OpenAiDetails_SplitsCachedOutOfPromptAndKeepsReasoningInsideOutput()
    {
        Usage usage = Map("""
            {"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,
             "prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},
             "completion_tokens_details":{"reasoning_tokens":64,"audio_tokens":0}}
            """);

        Assert.That(usage, Is.EqualTo(new Usage { InputTokens = 86, CachedInputTokens = 1920, OutputTokens = 300, ReasoningTokens = 64 }));
    }

    [Test]
    public void Map_NullDetails_AsVllmSends_CountsNothingCached()
    {
        Usage usage = Map("""{"prompt_tokens":50,"completion_tokens":7,"prompt_tokens_details":null,"completion_tokens_details":null}""");

        Assert.That(usage, Is.EqualTo(new Usage { InputTokens = 50, OutputTokens = 7 }));
    }

    [Test]
    public void Map_ZeroPlaceholderThenVendorCount_TakesTheFirstNonZero()
    {
        Usage usage = Map("""{"prompt_tokens":100,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":0},"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":36}""");

        Assert.That(usage.CachedInputTokens, Is.EqualTo(64));
        Assert.That(usage.InputTokens, Is.EqualTo(36));
    }

    [Test]
    public void Map_MoonshotBothSpellings_CountsCachedOnce()
    {
        Usage usage = Map("""{"prompt_tokens":2989,"completion_tokens":10,"cached_tokens":2989,"prompt_tokens_details":{"cached_tokens":2989}}""");

        Assert.That(usage.CachedInputTokens, Is.EqualTo(2989));
        Assert.That(usage.InputTokens, Is.Zero);
    }

    [Test]
    public void Map_FractionalAndBogusCounts_AreReadOrIgnored()
    {
        Usage usage = Map("""{"prompt_tokens":12.0,"completion_tokens":"3","cached_tokens":-4}""");

        Assert.That(usage, Is.EqualTo(new Usage { InputTokens = 12 }));
    }
}
