using System.Net.Sockets;
using System.Text;
using Cortex.Llmd.Logging;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Systemd;

/// <summary>The sd_notify messages the daemon sends. A seam so the watchdog and reload can be tested with a fake.</summary>
public interface ISystemdNotifier
{
    /// <summary>False when NOTIFY_SOCKET is unset: every message is then a no-op.</summary>
    bool IsEnabled { get; }

    void Ready();

    void Stopping();

    void Status(string text);

    void Reloading(long monotonicMicroseconds);

    void Watchdog();
}

/// <summary>
/// sd_notify over the Unix datagram socket named by NOTIFY_SOCKET (read once): a path, or an abstract
/// name written with a leading '@'. One datagram per message. Never throws into the daemon: a failed
/// send is logged once and the daemon carries on.
/// </summary>
public sealed class SystemdNotifier : ISystemdNotifier, IDisposable
{
    public const string Variable = "NOTIFY_SOCKET";

    private readonly UnixDomainSocketEndPoint? _endpoint;
    private readonly string _display = "";
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Socket? _socket;
    private int _failureLogged;

    public SystemdNotifier(string? notifySocket, ILogger logger)
    {
        _logger = logger;
        if (!string.IsNullOrEmpty(notifySocket))
        {
            _display = notifySocket;
            // "@name" is the abstract namespace: the socket address starts with a NUL byte.
            _endpoint = new UnixDomainSocketEndPoint(notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket);
        }
    }

    public bool IsEnabled => _endpoint is not null;

    public static long MonotonicMicroseconds() => SystemdNative.MonotonicMicroseconds();

    public void Ready() => Send("READY=1");

    public void Stopping() => Send("STOPPING=1");

    /// <summary>One human-readable line; newlines would start new assignments, so they become spaces.</summary>
    public void Status(string text) => Send("STATUS=" + text.ReplaceLineEndings(" "));

    public void Reloading(long monotonicMicroseconds) =>
        Send("RELOADING=1\nMONOTONIC_USEC=" + monotonicMicroseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Watchdog() => Send("WATCHDOG=1");

    /// <summary>Sends one datagram; false when disabled or when the send failed.</summary>
    public bool Send(string message)
    {
        if (_endpoint is null)
        {
            return false;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(message);
        try
        {
            lock (_gate)
            {
                _socket ??= new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                _socket.SendTo(bytes, SocketFlags.None, _endpoint);
            }

            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (Interlocked.Exchange(ref _failureLogged, 1) == 0)
            {
                Log.NotifyFailed(_logger, _display, ex.Message);
            }

            return false;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _socket?.Dispose();
            _socket = null;
        }
    }
}
