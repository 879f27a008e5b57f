using System.Runtime.InteropServices;

namespace Cortex.Llmd.Hosting;

/// <summary>The few libc calls .NET has no API for. Source-generated, so they stay AOT-clean.</summary>
internal static partial class NativeMethods
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Chown(string path, int owner, int group);
}
