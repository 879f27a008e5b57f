using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cortex.Llmd.Callers;

/// <summary>Attaches the caller's identity to each connection once, and finds it again from a request.</summary>
public static class CallerIdentity
{
    private const string ItemKey = "cortex.caller";

    /// <summary>
    /// Kestrel connection middleware: reads peer credentials when the connection opens (SO_PEERCRED on a
    /// Unix socket, the kernel's socket table for loopback TCP), unless the listener already found them.
    /// </summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware => next => connection =>
    {
        if (!connection.Items.ContainsKey(ItemKey) && connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            connection.Items[ItemKey] = socket.AddressFamily == System.Net.Sockets.AddressFamily.Unix ? PeerCredentials.Read(socket) : LoopbackPeers.Read(socket);
        }

        return next(connection);
    };

    /// <summary>
    /// Leaves an identity the listener had to find anyway (a loopback TCP peer's uid, from a table read
    /// that costs a file scan) on the connection, where <see cref="Middleware"/> and <see cref="Of"/> find it.
    /// </summary>
    public static void Remember(ConnectionContext connection, CallerInfo caller) => connection.Items[ItemKey] = caller;

    public static CallerInfo Of(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out object? value) == true && value is CallerInfo caller
            ? caller
            : CallerInfo.Unknown;
}
