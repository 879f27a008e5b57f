using Cortex.Llmd.Configuration;
using Cortex.Llmd.Providers.Http;

namespace Cortex.Llmd.Providers.OpenAi;

/// <summary>Which request field carries the answer's token limit: newer OpenAI models reject max_tokens.</summary>
public enum MaxTokensField
{
    MaxTokens,
    MaxCompletionTokens,
}

/// <summary>How a response JSON Schema reaches a model whose capabilities say it supports one.</summary>
public enum StructuredOutputMode
{
    /// <summary>response_format {type: json_schema}: the server constrains the answer to the schema.</summary>
    JsonSchema,

    /// <summary>response_format {type: json_object} plus the schema in a system hint (servers without json_schema).</summary>
    JsonObject,

    /// <summary>Only the system hint: for servers that reject response_format.</summary>
    None,
}

/// <summary>Per-kind defaults: the ollama kind is this adapter with a local base URL and no key.</summary>
public sealed record OpenAiDefaults(Uri BaseUrl, bool RequireKey, StructuredOutputMode StructuredOutput)
{
    public static readonly OpenAiDefaults OpenAi = new(new Uri("https://api.openai.com/v1/"), RequireKey: true, StructuredOutputMode.JsonSchema);
}

/// <summary>Settings of an OpenAI-compatible Chat Completions server (OpenAI, Moonshot, DeepSeek, vLLM, SGLang, OpenRouter, Ollama).</summary>
public sealed record OpenAiSettings : IProviderSettings
{
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Always ends with '/', so "chat/completions" is appended to its path rather than replacing the last segment.</summary>
    public required Uri BaseUrl { get; init; }

    public ApiKeySource KeySource { get; init; } = new(null, null, null);

    /// <summary>False for local servers (vLLM, Ollama) that need no key: with no key source configured, no Authorization is sent.</summary>
    public bool RequireKey { get; init; } = true;

    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>Sent on every request (OpenRouter's HTTP-Referer and X-Title, say). Never Authorization.</summary>
    public IReadOnlyDictionary<string, string> ExtraHeaders { get; init; } = new Dictionary<string, string>();

    /// <summary>Token limit sent when the request sets none; null sends none.</summary>
    public int? DefaultMaxTokens { get; init; }

    public MaxTokensField MaxTokensField { get; init; } = MaxTokensField.MaxTokens;

    public StructuredOutputMode StructuredOutput { get; init; } = StructuredOutputMode.JsonSchema;

    /// <summary>Ask for the usage chunk with stream_options.include_usage; some servers reject stream_options.</summary>
    public bool StreamUsage { get; init; } = true;

    private static readonly string[] OwnKeys =
        ["baseUrl", "connectTimeout", "requireKey", "extraHeaders", "defaultMaxTokens", "maxTokensField", "structuredOutput", "streamUsage"];

    private static readonly Dictionary<string, MaxTokensField> MaxTokensFields = new(StringComparer.Ordinal)
    {
        ["max_tokens"] = MaxTokensField.MaxTokens,
        ["max_completion_tokens"] = MaxTokensField.MaxCompletionTokens,
    };

    private static readonly Dictionary<string, StructuredOutputMode> StructuredOutputModes = new(StringComparer.Ordinal)
    {
        ["json_schema"] = StructuredOutputMode.JsonSchema,
        ["json_object"] = StructuredOutputMode.JsonObject,
        ["none"] = StructuredOutputMode.None,
    };

    // Set by the HTTP stack from the body; a configured value would corrupt the request.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Content-Length", "Content-Encoding", "Transfer-Encoding", "Host", "Connection",
    };

    public static OpenAiSettings Parse(ConfigNode node, IReadOnlyList<string> commonKeys, OpenAiDefaults defaults)
    {
        node.AllowOnly([.. commonKeys, .. ApiKeySource.ConfigKeys, .. OwnKeys]);
        return new OpenAiSettings
        {
            BaseUrl = ParseBaseUrl(node, defaults.BaseUrl),
            KeySource = ApiKeySource.Parse(node),
            RequireKey = node.Flag("requireKey", defaults.RequireKey),
            ConnectTimeout = node.Duration("connectTimeout", DefaultConnectTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5)),
            ExtraHeaders = ParseHeaders(node),
            DefaultMaxTokens = node.Exists("defaultMaxTokens") ? (int)node.Number("defaultMaxTokens", 0, 1, 10_000_000) : null,
            MaxTokensField = node.Choice("maxTokensField", MaxTokensField.MaxTokens, MaxTokensFields),
            StructuredOutput = node.Choice("structuredOutput", defaults.StructuredOutput, StructuredOutputModes),
            StreamUsage = node.Flag("streamUsage", true),
        };
    }

    private static Uri ParseBaseUrl(ConfigNode node, Uri fallback)
    {
        string? text = node.Text("baseUrl");
        if (text is null)
        {
            return fallback;
        }

        // Checked first and on the raw text: a password must not reach any message, even of a URL that does not parse.
        if (ProviderUrl.HasUserInfo(text))
        {
            node.Error("baseUrl", ProviderUrl.UserInfoNotAllowed);
            return fallback;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            node.Error("baseUrl", $"'{ProviderUrl.Printable(text)}' is not an absolute http or https URL");
            return fallback;
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            node.Error("baseUrl", $"'{ProviderUrl.Printable(uri.GetLeftPart(UriPartial.Path))}' must have no query, fragment or user info");
            return fallback;
        }

        return WithTrailingSlash(uri);
    }

    public static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");

    private static Dictionary<string, string> ParseHeaders(ConfigNode node)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (node.Child("extraHeaders").Value is not null)
        {
            node.Error("extraHeaders", "expected an object of header name to value");
        }

        foreach ((string name, ConfigNode header) in node.Child("extraHeaders").Children())
        {
            if (string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase))
            {
                header.Error("the key is never written in config: use apiKeyEnv, apiKeyFile or apiKeyCredential");
            }
            else if (ReservedHeaders.Contains(name))
            {
                header.Error("is set by the daemon from the request body");
            }
            else if (name.Length == 0 || !name.All(IsTokenChar))
            {
                header.Error("is not a valid HTTP header name");
            }
            else if (header.Value is not { } value)
            {
                header.Error("expected a string, found an object or array");
            }
            else if (value.Any(c => c is '\r' or '\n' or '\0'))
            {
                header.Error("must not contain line breaks");
            }
            else
            {
                headers[name] = value;
            }
        }

        return headers;
    }

    // RFC 9110 token characters.
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
