using System.Collections;
using System.Text;
using Cortex.Llm.V1;
using Cortex.Llmd.Composition;
using Cortex.Llmd.Configuration;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Providers.Http;
using Cortex.Llmd.Providers.OpenAi;
using Cortex.Llmd.Routing;
using Cortex.Llmd.Tests.Support.Fakes;
using Microsoft.Extensions.Configuration;

namespace Cortex.Llmd.Tests.Providers.OpenAi;

/// <summary>Builds OpenAI-kind providers against a fake server and collects what they stream.</summary>
internal static class OpenAiTestKit
{
    public const string KeyVariable = "CORTEX_TEST_OPENAI_KEY";
    public const string Key = "sk-test-0123456789abcdefSECRET";

    public static OpenAiSettings Settings(FakeOpenAiServer server) => new()
    {
        BaseUrl = OpenAiSettings.WithTrailingSlash(server.BaseUrl),
        KeySource = new ApiKeySource(KeyVariable, null, null),
    };

    public static Hashtable Environment() => new() { [KeyVariable] = Key };

    public static OpenAiProvider Provider(OpenAiSettings settings, IDictionary? environment = null, IProviderFactory? factory = null)
    {
        factory ??= new OpenAiProviderFactory();
        var options = new ProviderOptions("oa", factory.Kind, null, settings);
        return (OpenAiProvider)factory.Create(options, new ProviderContext(TimeProvider.System, environment ?? Environment()));
    }

    public static ProviderCall Call(Action<CompleteRequest>? change = null, ModelCapabilities? capabilities = null, string model = "gpt-test")
    {
        var request = new CompleteRequest
        {
            Messages = { new Message { Role = Role.System, Content = "Be brief." }, new Message { Role = Role.User, Content = "Say hello." } },
        };
        change?.Invoke(request);
        return new ProviderCall(request, model, "req-1") { Capabilities = capabilities ?? OpenAiProviderFactory.Capabilities };
    }

    public static async Task<List<ProviderEvent>> Collect(IProvider provider, ProviderCall call, CancellationToken token = default)
    {
        var events = new List<ProviderEvent>();
        await foreach (ProviderEvent e in provider.StreamAsync(call, token))
        {
            events.Add(e);
        }

        return events;
    }

    /// <summary>Collects the way the engine does for a unary call.</summary>
    public static async Task<AttemptAnswer> Answer(IProvider provider, ProviderCall call, CancellationToken token = default) =>
        (await AttemptRunner.RunAsync(
            provider, call, new GuardedSink(null, 0, false, _ => null), TimeProvider.System, TimeProvider.System.GetTimestamp(), () => { }, token).ConfigureAwait(false))!;

    public static string Text(IEnumerable<ProviderEvent> events) => string.Concat(events.OfType<ContentDelta>().Select(d => d.Text));

    /// <summary>Parses a provider section through the real config parser.</summary>
    public static (ProviderOptions? Provider, IReadOnlyList<string> Errors) ParseProvider(string providerJson)
    {
        string json = $$"""{ "providers": { "p": {{providerJson}} }, "routes": { "r": { "targets": ["p/m"] } } }""";
        IConfiguration configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var errors = new ConfigErrors();
        DaemonOptions? options = new ConfigParser(ProviderFactoryRegistry.CreateDefault()).Parse(configuration, errors);
        return (options?.Providers["p"], errors.Items);
    }
}
