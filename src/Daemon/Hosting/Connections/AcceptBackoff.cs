using System.Net.Sockets;

namespace Cortex.Llmd.Hosting.Connections;

/// <summary>
/// How long the accept loop waits after accept failed for lack of descriptors or kernel memory:
/// the pending connection stays in the listen queue, so retrying at once would spin a core without
/// freeing anything. Doubles from 5 ms to 1 s and starts over after the next accept that works.
/// </summary>
internal sealed class AcceptBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(5);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(1);

    private TimeSpan _next = First;

    /// <summary>The delay to wait now; each call doubles the next one, up to Max.</summary>
    public TimeSpan Next()
    {
        TimeSpan delay = _next;
        _next = delay * 2 > Max ? Max : delay * 2;
        return delay;
    }

    public void Reset() => _next = First;

    /// <summary>
    /// EMFILE, ENFILE, ENOBUFS and ENOMEM: the process or the system is out of a resource that
    /// closing connections gives back. .NET reports EMFILE and ENFILE as TooManyOpenSockets and the
    /// two others as NoBufferSpaceAvailable; the native errno is checked too, in case a runtime maps
    /// one of them to a code of its own.
    /// </summary>
    public static bool IsResourceExhaustion(SocketException exception) =>
        exception.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable
        || exception.NativeErrorCode is Emfile or Enfile or Enobufs or Enomem;

    private const int Enomem = 12;
    private const int Enfile = 23;
    private const int Emfile = 24;
    private const int Enobufs = 105;
}
