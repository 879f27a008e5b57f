using Cortex.Llmd.Providers;
using Cortex.Llmd.Providers.Http;

namespace Cortex.Llmd.Tests.Providers.Http;

public class ApiKeyTests
{
    private const string Secret = "sk-proj-Q7w9Zx2LmN4pR8tV1yB3cD5fG6hJ0kT123abcd";
    private static readonly ApiKey Key = new(Secret);

    [Test]
    public void Redact_WholeKey_IsMasked()
    {
        Assert.That(Key.Redact("bad key " + Secret + "."), Is.EqualTo("bad key ***."));
    }

    [TestCase("sk-proj-")]
    [TestCase("T123abcd")]
    [TestCase("LmN4pR8tV1yB")]
    [TestCase("sk-proj-Q7w9Zx2LmN4pR8t")]
    public void Redact_RunOfEightOrMore_IsMasked(string fragment)
    {
        string redacted = Key.Redact($"Incorrect API key provided: {fragment[..4]}...{fragment}. See the docs.");

        Assert.That(redacted, Does.Not.Contain(fragment));
        Assert.That(redacted, Does.Contain("***").And.Contain("See the docs."));
    }

    [Test]
    public void Redact_TheProviderEchoStyle_LeavesNoEightCharacterFragment()
    {
        string redacted = Key.Redact("Incorrect API key provided: sk-proj-****************************T123abcd. You can find your API key at https://example.invalid.");

        Assert.That(LongestSharedRun(redacted, Secret), Is.LessThan(ApiKey.FragmentLength));
        Assert.That(redacted, Does.Contain("You can find your API key"));
    }

    [Test]
    public void Redact_RunsShorterThanEight_AreKept()
    {
        // "sk-proj" is 7 characters of the key, and "T123abc" too: common words must survive.
        Assert.That(Key.Redact("sk-proj T123abc"), Is.EqualTo("sk-proj T123abc"));
    }

    [Test]
    public void Redact_TwoFragments_BothMasked()
    {
        Assert.That(Key.Redact("a Q7w9Zx2LmN b 0kT123abcd c"), Is.EqualTo("a *** b *** c"));
    }

    [Test]
    public void Redact_ShortKey_IsMaskedWhole()
    {
        Assert.That(new ApiKey("abc12").Redact("key abc12 here"), Is.EqualTo("key *** here"));
    }

    [Test]
    public void Redacted_ProviderException_KeepsKindStatusAndDelayButNotTheKey()
    {
        var original = new ProviderException(ProviderErrorKind.RateLimited, "x: HTTP 429: key " + Secret[10..30], 429, TimeSpan.FromSeconds(3));

        ProviderException redacted = ProviderSecrets.Redacted(original, Key);

        Assert.That(redacted.Message, Is.EqualTo("x: HTTP 429: key ***"));
        Assert.That((redacted.Kind, redacted.HttpStatus, redacted.RetryAfter), Is.EqualTo((ProviderErrorKind.RateLimited, 429, (TimeSpan?)TimeSpan.FromSeconds(3))));
        Assert.That(redacted.InnerException, Is.Null, "the original message holds the key");
    }

    [Test]
    public void ToString_NeverShowsTheKey()
    {
        Assert.That($"{Key}", Is.EqualTo("***"));
    }

    /// <summary>The length of the longest run of characters <paramref name="text"/> shares with <paramref name="secret"/>.</summary>
    public static int LongestSharedRun(string text, string secret)
    {
        int best = 0;
        for (int i = 0; i < text.Length; i++)
        {
            for (int j = 0; j < secret.Length; j++)
            {
                int n = 0;
                while (i + n < text.Length && j + n < secret.Length && text[i + n] == secret[j + n])
                {
                    n++;
                }

                best = Math.Max(best, n);
            }
        }

        return best;
    }
}
