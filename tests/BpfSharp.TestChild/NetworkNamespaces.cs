using System.Runtime.InteropServices;

namespace BpfSharp.TestChild;

/// <summary>Moves the calling thread into a named network namespace (<c>/run/netns/NAME</c>), as <c>ip netns exec</c> would.</summary>
public static partial class NetworkNamespaces
{
    private const int CLONE_NEWNET = 0x40000000;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nsType);

    public static void Enter(string name)
    {
        using var file = File.OpenHandle($"/run/netns/{name}");
        if (setns((int)file.DangerousGetHandle(), CLONE_NEWNET) < 0)
            throw new InvalidOperationException($"setns({name}) failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
