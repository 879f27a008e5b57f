using System.Net;
using Cortex.Llmd.Configuration;

namespace Cortex.Llmd.OpenAi;

/// <summary>
/// The "openai" section: the optional second front door, speaking OpenAI's Chat Completions API. Off
/// unless socketPath or tcpAddress is set (or systemd passes its socket). Overridable from the
/// environment like every key: CORTEX_LLMD_OPENAI__SOCKETPATH, CORTEX_LLMD_OPENAI__TCPADDRESS.
/// </summary>
public sealed record OpenAiOptions
{
    /// <summary>The path the packaged unit and docs use for the door's Unix socket.</summary>
    public const string PackagedSocketPath = "/run/cortex/llmd-openai.sock";

    /// <summary>Unix socket to serve on, with the gRPC socket's mode, group and peer-credential identity; null for none.</summary>
    public string? SocketPath { get; init; }

    /// <summary>TCP address to serve on; null for none. Loopback only unless <see cref="AllowNonLoopback"/>.</summary>
    public IPEndPoint? TcpAddress { get; init; }

    /// <summary>
    /// Lets tcpAddress name a non-loopback address. Callers from another host have no identity the
    /// daemon can check, so they are served only when <see cref="AllowUnidentified"/> is on too.
    /// </summary>
    public bool AllowNonLoopback { get; init; }

    /// <summary>Serve callers whose uid cannot be found (remote TCP peers); off answers them 401.</summary>
    public bool AllowUnidentified { get; init; }

    /// <summary>
    /// HTTP/1.1 (what the OpenAI SDKs speak over plain http) or HTTP/2 with prior knowledge. One listener
    /// serves one of them: without TLS there is no ALPN to choose between them, and Kestrel serves an
    /// endpoint configured for both as HTTP/1.1 only.
    /// </summary>
    public bool Http2 { get; init; }

    /// <summary>Largest request body; a bigger one is answered 413 before it is read.</summary>
    public int MaxRequestBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// How long a completion may take before it is answered 504 (the SDKs send no deadline); a caller
    /// can ask for less with the x-cortex-timeout-ms header.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);

    private static readonly Dictionary<string, bool> Protocols = new(StringComparer.OrdinalIgnoreCase) { ["http1"] = false, ["http2"] = true };

    public bool Enabled => SocketPath is not null || TcpAddress is not null;

    public static OpenAiOptions Parse(ConfigNode node)
    {
        node.AllowOnly("socketPath", "tcpAddress", "allowNonLoopback", "allowUnidentified", "protocol", "maxRequestBytes", "requestTimeout");
        var defaults = new OpenAiOptions();
        string? socketPath = node.Text("socketPath");
        if (socketPath is { Length: > 0 } && !Path.IsPathFullyQualified(socketPath))
        {
            node.Error("socketPath", $"'{socketPath}' must be an absolute path, such as {PackagedSocketPath}");
        }

        bool allowNonLoopback = node.Flag("allowNonLoopback", defaults.AllowNonLoopback);
        IPEndPoint? tcp = ParseTcp(node, allowNonLoopback);
        return new OpenAiOptions
        {
            SocketPath = string.IsNullOrEmpty(socketPath) ? null : socketPath,
            TcpAddress = tcp,
            AllowNonLoopback = allowNonLoopback,
            AllowUnidentified = node.Flag("allowUnidentified", defaults.AllowUnidentified),
            Http2 = node.Choice("protocol", false, Protocols),
            MaxRequestBytes = (int)node.Number("maxRequestBytes", defaults.MaxRequestBytes, 1024, 64L * 1024 * 1024),
            RequestTimeout = node.Duration("requestTimeout", defaults.RequestTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(24)),
        };
    }

    private static IPEndPoint? ParseTcp(ConfigNode node, bool allowNonLoopback)
    {
        string? text = node.Text("tcpAddress");
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!IPEndPoint.TryParse(text, out IPEndPoint? endpoint) || endpoint.Port == 0 || !text.Contains(':', StringComparison.Ordinal))
        {
            node.Error("tcpAddress", $"'{text}' is not an address and port such as \"127.0.0.1:8642\" or \"[::1]:8642\"");
            return null;
        }

        if (!IPAddress.IsLoopback(endpoint.Address) && !allowNonLoopback)
        {
            node.Error("tcpAddress", $"'{text}' is not a loopback address: other hosts could call the daemon; set openai.allowNonLoopback to mean it");
            return null;
        }

        return endpoint;
    }
}
