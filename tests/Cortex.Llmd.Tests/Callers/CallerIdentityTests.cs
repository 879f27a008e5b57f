using System.Net.Sockets;
using Cortex.Llmd.Callers;
using Cortex.Llmd.Tests.Support;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cortex.Llmd.Tests.Callers;

/// <summary>The caller's identity, attached to a connection once and found again from its requests.</summary>
public class CallerIdentityTests
{
    [Test]
    public async Task Middleware_UnixSocket_AttachesThePeersCredentials()
    {
        (Socket ours, Socket theirs) = UnixSocketPair.Create();
        using (ours)
        using (theirs)
        {
            var connection = Connection(ours);

            await CallerIdentity.Middleware(_ => Task.CompletedTask)(connection);

            CallerInfo caller = OfRequestOn(connection);
            Assert.That(caller.Uid, Is.EqualTo(Cortex.Llmd.Hosting.NativeMethods.GetEffectiveUserId()));
            Assert.That(caller.Pid, Is.EqualTo((uint)Environment.ProcessId));
        }
    }

    [Test]
    public async Task Middleware_ListenerRememberedTheCaller_KeepsItWithoutReadingAgain()
    {
        (Socket ours, Socket theirs) = UnixSocketPair.Create();
        using (ours)
        using (theirs)
        {
            var connection = Connection(ours);
            var remembered = new CallerInfo(4242, null, null, string.Empty, string.Empty);
            CallerIdentity.Remember(connection, remembered);

            await CallerIdentity.Middleware(_ => Task.CompletedTask)(connection);

            // Reading again would find this process's own credentials on the socket, not uid 4242.
            Assert.That(OfRequestOn(connection), Is.SameAs(remembered));
        }
    }

    [Test]
    public void Of_ConnectionWithoutIdentity_IsUnknown() =>
        Assert.That(OfRequestOn(new DefaultConnectionContext()), Is.SameAs(CallerInfo.Unknown));


    private static DefaultConnectionContext Connection(Socket socket)
    {
        var connection = new DefaultConnectionContext();
        connection.Features.Set<IConnectionSocketFeature>(new SocketFeature(socket));
        return connection;
    }

    /// <summary>A request on the connection, as Kestrel hands it to the endpoint: its items reach the request's features.</summary>
    private static CallerInfo OfRequestOn(ConnectionContext connection)
    {
        var features = new FeatureCollection();
        features.Set<IConnectionItemsFeature>(new ItemsFeature(connection.Items));
        return CallerIdentity.Of(new DefaultHttpContext(features));
    }

    private sealed class SocketFeature(Socket socket) : IConnectionSocketFeature
    {
        public Socket Socket { get; } = socket;
    }

    private sealed class ItemsFeature(IDictionary<object, object?> items) : IConnectionItemsFeature
    {
        public IDictionary<object, object?> Items { get; set; } = items;
    }
}
