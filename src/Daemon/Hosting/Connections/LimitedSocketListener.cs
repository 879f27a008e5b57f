using Cortex.Llmd.Access;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Logging;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Cortex.Llmd.Hosting.Connections;

/// <summary>
/// Kestrel's listener for the daemon's Unix socket, in place of the Sockets transport's own, which
/// retries a failed accept at once (spinning while descriptors are exhausted) and admits every
/// connection. This one refuses a connection over the total or per-uid limit right after accept,
/// before any HTTP/2 state exists, and backs off while accept fails for lack of descriptors or
/// memory, so the callers already connected keep being served and accepting resumes by itself.
/// </summary>
internal sealed class LimitedSocketListener(
    Socket listenSocket, SocketConnectionContextFactory factory, ConnectionLimiter limiter, RefusalStyle refusals, TimeProvider time, ILogger logger)
    : IConnectionListener
{
    /// <summary>Connections whose peer credentials cannot be read are counted under this key ((uid_t)-1 is no uid).</summary>
    internal const uint UnknownUid = uint.MaxValue;

    private readonly AcceptBackoff _backoff = new();
    private readonly SpareDescriptors _spares = new();
    private readonly CallerLogThrottle _throttle = new(time, CallerLogThrottle.DefaultWindow);
    private readonly ProcessDescriptorLimit _descriptors = new();
    private readonly LingeringRefusals _lingering = new(time);

    public EndPoint EndPoint { get; } = listenSocket.LocalEndPoint ?? new UnixDomainSocketEndPoint("unknown");

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            // After running out, nothing is accepted until the spares are back with room to spare:
            // accepting (even to close at once) would take the descriptors the rest of the daemon needs.
            if (!_spares.Full && !_spares.TryRefill(headroom: SpareDescriptors.Count))
            {
                await BackOffAsync(new SocketException((int)SocketError.TooManyOpenSockets), cancellationToken).ConfigureAwait(false);
                continue;
            }

            Socket accepted;
            try
            {
                accepted = await listenSocket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsUnbound(ex))
            {
                return null;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                continue; // the caller gave up while in the listen queue
            }
            catch (SocketException ex)
            {
                if (AcceptBackoff.IsResourceExhaustion(ex))
                {
                    _spares.Release();
                }

                await BackOffAsync(ex, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (NearDescriptorLimit(accepted))
            {
                // This connection took one of the last free descriptors: it is closed unserved, and the
                // spares are let go, so the daemon keeps room while accepting pauses.
                accepted.Dispose();
                _spares.Release();
                await BackOffAsync(new SocketException((int)SocketError.TooManyOpenSockets), cancellationToken).ConfigureAwait(false);
                continue;
            }

            _backoff.Reset();
            if (Admit(accepted) is { } connection)
            {
                return connection;
            }
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        listenSocket.Dispose();
        return default;
    }

    public ValueTask DisposeAsync()
    {
        listenSocket.Dispose();
        _spares.Dispose();
        factory.Dispose();
        return default;
    }

    private CountedConnection? Admit(Socket socket)
    {
        // A Unix peer's uid is one getsockopt, and the rest of its identity (/proc reads) waits until
        // the connection is admitted; a TCP peer's uid is all there is, so it is kept for the connection.
        CallerInfo? tcpPeer = socket.AddressFamily == AddressFamily.Unix ? null : LoopbackPeers.Read(socket);
        uint uid = (tcpPeer is null ? PeerCredentials.ReadUid(socket) : tcpPeer.Uid) ?? UnknownUid;
        ConnectionRefusal refusal = limiter.TryAcquire(uid);
        if (refusal != ConnectionRefusal.None)
        {
            Refuse(socket, uid, refusal);
            return null;
        }

        try
        {
            var connection = new CountedConnection(factory.Create(socket), () => limiter.Release(uid));
            if (tcpPeer is not null)
            {
                CallerIdentity.Remember(connection, tcpPeer);
            }

            return connection;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OutOfMemoryException or IOException)
        {
            limiter.Release(uid);
            socket.Dispose();
            return null;
        }
    }

    private void Refuse(Socket socket, uint uid, ConnectionRefusal refusal)
    {
        string reason = refusal == ConnectionRefusal.PerUidLimit
            ? string.Create(CultureInfo.InvariantCulture, $"connection limit: uid {uid} already has {limiter.MaxConnectionsPerUid} connections (server.maxConnectionsPerUid)")
            : string.Create(CultureInfo.InvariantCulture, $"connection limit: the daemon has {limiter.Open} of {limiter.MaxConnections} connections open (server.maxConnections)");
        byte[] answer = refusals.Build(refusal, reason);
        if (refusals.AwaitsRequest)
        {
            _lingering.Refuse(socket, answer);
        }
        else
        {
            RefusalFrames.SendAndClose(socket, answer);
        }

        if (_throttle.ShouldLog(uid, "connection", out _))
        {
            Log.ConnectionRefused(logger, uid, reason);
        }
    }

    private async Task BackOffAsync(SocketException ex, CancellationToken cancellationToken)
    {
        TimeSpan delay = _backoff.Next();
        if (_throttle.ShouldLog(null, "accept", out _))
        {
            Log.AcceptFailing(logger, ex.SocketErrorCode.ToString(), ex.Message, AcceptBackoff.IsResourceExhaustion(ex), limiter.Open);
        }

        try
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Kestrel is stopping: the next accept finds the socket closed and ends the loop.
        }
    }

    /// <summary>
    /// The kernel hands out the lowest free descriptor, so every descriptor below the accepted one is in
    /// use and at most (soft limit - 1 - its number) remain free: one getrlimit per accept, no scan.
    /// </summary>
    private bool NearDescriptorLimit(Socket accepted)
    {
        if (_descriptors.Read() is not { } limit)
        {
            return false;
        }

        long number = accepted.SafeHandle.DangerousGetHandle().ToInt64();
        return (long)Math.Min(limit.Soft, int.MaxValue) - 1 - number <= SpareDescriptors.Count;
    }

    private static bool IsUnbound(Exception ex) =>
        ex is ObjectDisposedException or OperationCanceledException
        || ex is SocketException { SocketErrorCode: SocketError.OperationAborted };
}
