using Cortex.Llm.V1;
using Cortex.Llmd.Pricing;

namespace Cortex.Llmd.Tests.Pricing;

public class ModelPriceTests
{
    // Claude Sonnet 4: $3 input, $0.30 cache read, $3.75 cache write, $15 output per million tokens.
    private static readonly ModelPrice Sonnet = new(3_000_000_000, 300_000_000, 3_750_000_000, 15_000_000_000, 15_000_000_000);

    [Test]
    public void CostNanoUsd_EveryTokenClass_MatchesHandComputedBill()
    {
        var usage = new Usage { InputTokens = 1000, CachedInputTokens = 2000, CacheWriteTokens = 400, OutputTokens = 500 };

        // 1000*3000 + 2000*300 + 400*3750 + 500*15000 nano-USD = 3,000,000 + 600,000 + 1,500,000 + 7,500,000.
        Assert.That(Sonnet.CostNanoUsd(usage), Is.EqualTo(12_600_000));
    }

    [Test]
    public void CostNanoUsd_ReasoningPricedDifferently_AddsOnlyTheDifference()
    {
        var price = new ModelPrice(1_000_000_000, 0, 0, 4_000_000_000, 10_000_000_000);
        var usage = new Usage { OutputTokens = 100, ReasoningTokens = 40 };

        // 100 output tokens at 4000 nano each, of which 40 reasoning at 10000: 400,000 + 40 * 6000.
        Assert.That(price.CostNanoUsd(usage), Is.EqualTo(640_000));
    }

    [Test]
    public void CostNanoUsd_FractionalNano_RoundsHalfAwayFromZeroPerClass()
    {
        // $0.0005 per million tokens is half a nano-USD per token.
        var half = new ModelPrice(500_000, 0, 0, 0, 0);
        var less = new ModelPrice(400_000, 0, 0, 0, 0);

        Assert.That(half.CostNanoUsd(new Usage { InputTokens = 1 }), Is.EqualTo(1));
        Assert.That(half.CostNanoUsd(new Usage { InputTokens = 3 }), Is.EqualTo(2));
        Assert.That(less.CostNanoUsd(new Usage { InputTokens = 1 }), Is.EqualTo(0));
    }
}
