using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static partial class Libc
{
    /// <summary>The index of a network interface in the calling thread's network namespace, or 0.</summary>
    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint if_nametoindex(string name);
}
