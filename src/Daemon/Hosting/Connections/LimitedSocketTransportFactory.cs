using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Hosting.Connections;

/// <summary>
/// Binds the daemon's listeners: a Unix socket path, a TCP address (the OpenAI-compatible door), or
/// a socket systemd handed over (a file handle). Registered after Kestrel's Sockets transport, so Kestrel picks it for these endpoints.
/// Connections are built by the Sockets transport's public SocketConnectionContextFactory, so
/// reading, writing and buffering are Kestrel's own.
/// </summary>
/// <param name="refusals">How each bound endpoint tells a refused connection why, in its own protocol.</param>
internal sealed class LimitedSocketTransportFactory(
    ServerOptions server, IDescriptorLimit descriptors, Func<EndPoint, RefusalStyle> refusals, TimeProvider time, ILoggerFactory loggers)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    /// <summary>The listen queue Kestrel uses too; callers beyond it wait in connect or get EAGAIN.</summary>
    private const int Backlog = 512;

    private readonly Lock _lock = new();

    /// <summary>
    /// The one limiter every listener shares (both front doors count against server.maxConnections and
    /// the descriptors); null before Kestrel starts.
    /// </summary>
    public ConnectionLimiter? Limiter { get; private set; }

    public bool CanBind(EndPoint endpoint) => endpoint is UnixDomainSocketEndPoint or FileHandleEndPoint or IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        Socket socket;
        try
        {
            socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new AddressInUseException(ex.Message, ex);
        }

        socket.Listen(Backlog);
        ILogger logger = loggers.CreateLogger<LimitedSocketListener>();
        ConnectionLimiter limiter;
        lock (_lock)
        {
            limiter = Limiter ??= CreateLimiter(logger);
        }

        var factory = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions(), loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        return ValueTask.FromResult<IConnectionListener>(new LimitedSocketListener(socket, factory, limiter, refusals(endpoint), time, logger));
    }

    /// <summary>
    /// Fits the limit to the descriptors at bind time: Kestrel starts after the ledger opened and the
    /// services were built, so what the daemon holds now is close to what it holds while serving.
    /// </summary>
    private ConnectionLimiter CreateLimiter(ILogger logger)
    {
        (int maxConnections, string? warning) = DescriptorBudget.Fit(server.MaxConnections, descriptors);
        if (warning is not null)
        {
            Logging.Log.ConnectionLimitLowered(logger, warning);
        }

        return new ConnectionLimiter(maxConnections, Math.Min(server.MaxConnectionsPerUid, maxConnections), NativeMethods.GetEffectiveUserId());
    }
}
