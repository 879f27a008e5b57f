namespace Cortex.Llmd.Hosting.Connections;

/// <summary>Why a connection was refused at accept.</summary>
internal enum ConnectionRefusal
{
    None,
    TotalLimit,
    PerUidLimit,
}

/// <summary>
/// Counts open connections in total and per peer uid. The last few of the total slots are kept for
/// root and the daemon's own uid, so an administrator and the watchdog's liveness probe (which calls
/// the daemon through its own socket) still get in while unprivileged callers fill the daemon.
/// Every uid, root included, is held to the per-uid limit.
/// </summary>
internal sealed class ConnectionLimiter(int maxConnections, int maxConnectionsPerUid, uint ownUid)
{
    private readonly Dictionary<uint, int> _perUid = [];
    private readonly Lock _lock = new();
    private int _total;

    public int MaxConnections { get; } = maxConnections;

    public int MaxConnectionsPerUid { get; } = maxConnectionsPerUid;

    /// <summary>Slots only root and the daemon's own uid may take: an eighth of the total, at most 8.</summary>
    public int Reserved { get; } = Math.Min(8, maxConnections / 8);

    public int Open
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    public int OpenFor(uint uid)
    {
        lock (_lock)
        {
            return _perUid.GetValueOrDefault(uid);
        }
    }

    /// <summary>Takes a slot for a connection from uid, or says which limit refused it.</summary>
    public ConnectionRefusal TryAcquire(uint uid)
    {
        bool privileged = uid == 0 || uid == ownUid;
        lock (_lock)
        {
            if (_total >= (privileged ? MaxConnections : MaxConnections - Reserved))
            {
                return ConnectionRefusal.TotalLimit;
            }

            int ofUid = _perUid.GetValueOrDefault(uid);
            if (ofUid >= MaxConnectionsPerUid)
            {
                return ConnectionRefusal.PerUidLimit;
            }

            _perUid[uid] = ofUid + 1;
            _total++;
            return ConnectionRefusal.None;
        }
    }

    public void Release(uint uid)
    {
        lock (_lock)
        {
            int ofUid = _perUid.GetValueOrDefault(uid);
            if (ofUid <= 1)
            {
                _perUid.Remove(uid);
            }
            else
            {
                _perUid[uid] = ofUid - 1;
            }

            _total--;
        }
    }
}
