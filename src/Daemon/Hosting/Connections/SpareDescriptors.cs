using Microsoft.Win32.SafeHandles;

namespace Cortex.Llmd.Hosting.Connections;

/// <summary>
/// A few descriptors held open (on /dev/null) so that accepting connections can never take the
/// process's last ones. When accept fails for lack of descriptors they are let go, leaving room for
/// everything else the daemon opens while the flood lasts: the ledger, provider connections, /proc,
/// and, in a JIT build, an assembly loaded late (the runtime aborts with "Out of memory" when it
/// cannot open one). A connection is admitted again only once all of them could be taken back.
/// </summary>
internal sealed class SpareDescriptors : IDisposable
{
    public const int Count = 16;

    private readonly List<SafeFileHandle> _held = new(Count);
    private readonly Lock _lock = new();

    /// <summary>False when /dev/null could not be opened at start: then there are no spares to keep, and none are asked for.</summary>
    private readonly bool _enabled;

    public SpareDescriptors() => _enabled = TryRefill();

    public bool Full
    {
        get
        {
            lock (_lock)
            {
                return !_enabled || _held.Count == Count;
            }
        }
    }

    /// <summary>
    /// Takes all of them back, or none: a partial refill would only eat the room they keep. With a
    /// <paramref name="headroom"/>, only when that many more descriptors are free besides, so that
    /// holding the spares again does not leave the daemon at its last descriptor.
    /// </summary>
    public bool TryRefill(int headroom = 0)
    {
        lock (_lock)
        {
            var opened = new List<SafeFileHandle>(Count - _held.Count + headroom);
            try
            {
                while (_held.Count + opened.Count < Count + headroom)
                {
                    opened.Add(File.OpenHandle("/dev/null"));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                opened.ForEach(h => h.Dispose());
                return false;
            }

            foreach (SafeFileHandle probe in opened.GetRange(opened.Count - headroom, headroom))
            {
                probe.Dispose();
            }

            _held.AddRange(opened.GetRange(0, opened.Count - headroom));
            return true;
        }
    }

    public void Release()
    {
        lock (_lock)
        {
            _held.ForEach(h => h.Dispose());
            _held.Clear();
        }
    }

    public void Dispose() => Release();
}
