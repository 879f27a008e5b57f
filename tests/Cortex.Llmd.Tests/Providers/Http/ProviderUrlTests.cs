using Cortex.Llmd.Configuration;
using Cortex.Llmd.Providers;

namespace Cortex.Llmd.Tests.Providers.Http;

/// <summary>A password written into a provider's baseUrl is refused, and never quoted back.</summary>
public class ProviderUrlTests
{
    private const string Password = "hunter2-Pa55w0rd";

    private static IReadOnlyList<string> Errors(string providerJson)
    {
        string dir = Support.TempDirectory.Create();
        try
        {
            string path = Path.Combine(dir, "c.json");
            File.WriteAllText(path, $$"""{ "providers": { "p": {{providerJson}} } }""");
            Cortex.Llmd.Composition.DaemonConfig.Load(path, new System.Collections.Hashtable(), null, ProviderFactoryRegistry.CreateDefault());
            return [];
        }
        catch (ConfigException ex)
        {
            return [ex.Message];
        }
        finally
        {
            Support.TempDirectory.Delete(dir);
        }
    }

    [TestCase("openai", "https://user:" + Password + "@api.example.com/v1")]
    [TestCase("ollama", "http://user:" + Password + "@localhost:11434/v1")]
    [TestCase("anthropic", "https://user:" + Password + "@api.example.com")]
    [TestCase("openai", "https://user:" + Password + "@bad host/v1")]
    [TestCase("anthropic", "ftp://user:" + Password + "@api.example.com")]
    [TestCase("openai", "https://" + Password + "@api.example.com/v1?x=1")]
    public void Load_UserInfoInBaseUrl_IsRefusedWithoutQuotingIt(string kind, string url)
    {
        string keyless = kind == "anthropic" ? string.Empty : ", \"requireKey\": false";
        IReadOnlyList<string> errors = Errors($$"""{ "kind": "{{kind}}", "baseUrl": "{{url}}"{{keyless}} }""");

        Assert.That(errors, Is.Not.Empty);
        string all = string.Join("\n", errors);
        Assert.That(all, Does.Contain("providers.p.baseUrl"));
        Assert.That(all, Does.Contain("user info"));
        Assert.That(all, Does.Not.Contain(Password));
        Assert.That(all, Does.Not.Contain("hunter2"));
    }

    [Test]
    public void Printable_UserInfo_IsMasked()
    {
        Assert.That(Cortex.Llmd.Providers.Http.ProviderUrl.Printable("https://u:p@h/x@y"), Is.EqualTo("https://***@h/x@y"));
    }
}
