using System.Runtime.InteropServices;

namespace BpfSharp.Tests.Support;

/// <summary>
/// The privileged half of a delegated BPF filesystem, as libbpf's token selftests do it: a process in a user namespace
/// opened a bpffs context (fsopen), which this process, privileged in the initial namespace, takes from it
/// (pidfd_getfd), gives delegate_* options (only CAP_SYS_ADMIN in the initial namespace may) and creates.
/// </summary>
public static partial class DelegatedBpffs
{
    private const int SysPidfdOpen = 434, SysPidfdGetfd = 438, SysFsconfig = 431; // the same on every architecture
    private const int FsconfigSetString = 1, FsconfigCmdCreate = 6;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial int Syscall(long number, long arg1, long arg2, long arg3);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Fsconfig(long number, int fd, int cmd, string? key, string? value, int aux);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    /// <summary>Delegates every command, map type, program type and attach type ("any") and creates the filesystem.</summary>
    public static void Create(int pid, int childFsFd)
    {
        int pidfd = Check(Syscall(SysPidfdOpen, pid, 0, 0), "pidfd_open");
        try
        {
            int fsfd = Check(Syscall(SysPidfdGetfd, pidfd, childFsFd, 0), "pidfd_getfd");
            try
            {
                foreach (var option in new[] { "delegate_cmds", "delegate_maps", "delegate_progs", "delegate_attachs" })
                    Check(Fsconfig(SysFsconfig, fsfd, FsconfigSetString, option, "any", 0), $"fsconfig {option}=any");
                Check(Fsconfig(SysFsconfig, fsfd, FsconfigCmdCreate, null, null, 0), "fsconfig FSCONFIG_CMD_CREATE");
            }
            finally
            {
                close(fsfd);
            }
        }
        finally
        {
            close(pidfd);
        }
    }

    private static int Check(int r, string what) =>
        r >= 0 ? r : throw new InvalidOperationException($"{what}: errno {Marshal.GetLastPInvokeError()}");
}
