using Cortex.Llmd.Configuration;
using Cortex.Llmd.Providers.Http;

namespace Cortex.Llmd.Providers.Anthropic;

/// <summary>The settings of an "anthropic" provider (Anthropic Messages API).</summary>
public sealed record AnthropicSettings : IProviderSettings
{
    public static readonly Uri DefaultBaseUrl = new("https://api.anthropic.com");

    public const string DefaultApiVersion = "2023-06-01";

    public const int DefaultMaxTokensValue = 4096;

    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    private static readonly string[] OwnKeys = ["baseUrl", "connectTimeout", "apiVersion", "defaultMaxTokens", .. ApiKeySource.ConfigKeys];

    public Uri BaseUrl { get; init; } = DefaultBaseUrl;

    public ApiKeySource ApiKey { get; init; } = new(null, null, null);

    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>Sent as the anthropic-version header: it fixes the wire format we parse.</summary>
    public string ApiVersion { get; init; } = DefaultApiVersion;

    /// <summary>Anthropic requires max_tokens; this is sent when the request sets none.</summary>
    public int DefaultMaxTokens { get; init; } = DefaultMaxTokensValue;

    public static AnthropicSettings Parse(ConfigNode node, IReadOnlyList<string> commonKeys)
    {
        node.AllowOnly([.. commonKeys, .. OwnKeys]);
        return new AnthropicSettings
        {
            BaseUrl = ParseBaseUrl(node),
            ApiKey = ApiKeySource.Parse(node),
            ConnectTimeout = node.Duration("connectTimeout", DefaultConnectTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5)),
            ApiVersion = ParseApiVersion(node),
            DefaultMaxTokens = (int)node.Number("defaultMaxTokens", DefaultMaxTokensValue, 1, 1_000_000),
        };
    }

    private static Uri ParseBaseUrl(ConfigNode node)
    {
        string? text = node.Text("baseUrl");
        if (text is null)
        {
            return DefaultBaseUrl;
        }

        // Credentials in a URL end up in logs and ListProviders; the key has its own keys. Checked on the
        // raw text first, so not even the message about a URL that does not parse can quote a password.
        if (ProviderUrl.HasUserInfo(text))
        {
            node.Error("baseUrl", ProviderUrl.UserInfoNotAllowed);
            return DefaultBaseUrl;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            node.Error("baseUrl", $"'{ProviderUrl.Printable(text)}' is not an absolute http or https URL");
            return DefaultBaseUrl;
        }

        if (url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            node.Error("baseUrl", $"'{text}' must not have a query or fragment");
            return DefaultBaseUrl;
        }

        return url;
    }

    private static string ParseApiVersion(ConfigNode node)
    {
        string? version = node.Text("apiVersion");
        if (version is null)
        {
            return DefaultApiVersion;
        }

        if (string.IsNullOrWhiteSpace(version) || version.Any(char.IsWhiteSpace))
        {
            node.Error("apiVersion", $"'{version}' is not an API version such as {DefaultApiVersion}");
            return DefaultApiVersion;
        }

        return version;
    }
}
