using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

/// <summary>
/// The C library entry points BpfSharp uses, one file per entry point (Libc.*.cs).
/// Nothing outside Interop/ calls them directly. Read errno with
/// <see cref="Marshal.GetLastPInvokeError"/> immediately after the call.
/// </summary>
internal static unsafe partial class Libc
{
    internal const string Library = "libc";

    /// <summary>The errno of the last call, read before anything else can overwrite it.</summary>
    internal static int LastErrno => Marshal.GetLastPInvokeError();
}
