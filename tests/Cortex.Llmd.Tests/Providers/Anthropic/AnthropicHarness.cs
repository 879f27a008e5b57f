using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cortex.Llm.V1;
using Cortex.Llmd.Providers;
using Cortex.Llmd.Providers.Anthropic;
using Cortex.Llmd.Providers.Http;
using Cortex.Llmd.Tests.Support.Fakes;

namespace Cortex.Llmd.Tests.Providers.Anthropic;

/// <summary>A fake Anthropic server and a provider built by the real factory, pointed at it.</summary>
internal sealed class AnthropicHarness : IAsyncDisposable
{
    public const string Key = "sk-ant-test-key-0123456789";

    public const string KeyVariable = "TEST_ANTHROPIC_KEY";

    public const string Model = "claude-test-1";

    private AnthropicHarness(FakeAnthropicServer server, IProvider provider)
    {
        Server = server;
        Provider = provider;
    }

    public FakeAnthropicServer Server { get; }

    public IProvider Provider { get; }

    /// <summary>The body of the only request the fake received.</summary>
    public JsonElement SentJson => Server.Requests.Single().Json;

    public static async Task<AnthropicHarness> StartAsync(Func<AnthropicSettings, AnthropicSettings>? configure = null, bool withKey = true)
    {
        FakeAnthropicServer server = await FakeAnthropicServer.StartNewAsync();
        var settings = new AnthropicSettings { BaseUrl = server.BaseAddress, ApiKey = new ApiKeySource(KeyVariable, null, null) };
        settings = configure?.Invoke(settings) ?? settings;
        IDictionary environment = withKey ? new Hashtable { [KeyVariable] = Key } : new Hashtable();
        IProvider provider = new AnthropicProviderFactory().Create(
            new ProviderOptions("claude", AnthropicProviderFactory.KindName, null, settings),
            new ProviderContext(TimeProvider.System, environment));
        return new AnthropicHarness(server, provider);
    }

    public static CompleteRequest Ask(string prompt) => new() { Messages = { new Message { Role = Role.User, Content = prompt } } };

    public Task<List<ProviderEvent>> CollectAsync(string prompt, CancellationToken cancellationToken = default) =>
        CollectAsync(Ask(prompt), cancellationToken);

    public async Task<List<ProviderEvent>> CollectAsync(CompleteRequest request, CancellationToken cancellationToken = default)
    {
        var events = new List<ProviderEvent>();
        await foreach (ProviderEvent e in Provider.StreamAsync(new ProviderCall(request, Model, "req-1"), cancellationToken))
        {
            events.Add(e);
        }

        return events;
    }

    public static string Text(IEnumerable<ProviderEvent> events) => string.Concat(events.OfType<ContentDelta>().Select(d => d.Text));

    /// <summary>Compares JSON by value (property order and formatting do not matter), with a readable failure.</summary>
    public static void AssertJsonEqual(JsonElement actual, string expected)
    {
        JsonNode? actualNode = JsonNode.Parse(actual.GetRawText());
        JsonNode? expectedNode = JsonNode.Parse(expected);
        Assert.That(JsonNode.DeepEquals(actualNode, expectedNode), Is.True,
            $"expected:{Environment.NewLine}{expectedNode?.ToJsonString()}{Environment.NewLine}actual:{Environment.NewLine}{actualNode?.ToJsonString()}");
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
