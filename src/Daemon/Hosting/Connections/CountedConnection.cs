using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Cortex.Llmd.Hosting.Connections;

/// <summary>
/// The transport's connection, handing its slot back to the limiter when Kestrel disposes it. Kestrel
/// disposes every connection it accepted, however it ended, so the count cannot leak; the release
/// runs once even if disposal is repeated.
/// </summary>
internal sealed class CountedConnection(ConnectionContext inner, Action release) : ConnectionContext
{
    private int _released;

    public override string ConnectionId { get => inner.ConnectionId; set => inner.ConnectionId = value; }

    public override IFeatureCollection Features => inner.Features;

    public override IDictionary<object, object?> Items { get => inner.Items; set => inner.Items = value; }

    public override IDuplexPipe Transport { get => inner.Transport; set => inner.Transport = value; }

    public override CancellationToken ConnectionClosed { get => inner.ConnectionClosed; set => inner.ConnectionClosed = value; }

    public override EndPoint? LocalEndPoint { get => inner.LocalEndPoint; set => inner.LocalEndPoint = value; }

    public override EndPoint? RemoteEndPoint { get => inner.RemoteEndPoint; set => inner.RemoteEndPoint = value; }

    public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

    public override void Abort() => inner.Abort();

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }

            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
