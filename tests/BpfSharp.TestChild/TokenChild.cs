using System.Runtime.InteropServices;

namespace BpfSharp.TestChild;

/// <summary>
/// The token kind, run in a new user and mount namespace (unshare --user --map-root-user --mount): it opens a BPF
/// filesystem context here (so the filesystem belongs to this user namespace) and prints "fsfd PID FD"; the parent,
/// privileged in the initial namespace, takes the fd, sets the delegate_* options, creates the superblock and answers
/// "created". This process then mounts it (a detached mount: nothing appears in any tree, and it is gone when this
/// process exits), loads the object once without a token and once with one made from the mount, attaches its raw
/// tracepoint program and prints "token ERRNO-WITHOUT CALLS-COUNTED"; then, for a few feature probes, "probe NAME
/// without=ANSWER with=ANSWER" (ok or an errno name), and "end".
/// </summary>
public static partial class TokenChild
{
    private const int SysFsopen = 430, SysFsmount = 432; // the same numbers on every architecture
    private const int FsopenCloexec = 1, FsmountCloexec = 1;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SyscallString(long number, string arg1, long arg2);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial int Syscall(long number, long arg1, long arg2, long arg3);

    public static int Run(string objectPath)
    {
        int fsfd = SyscallString(SysFsopen, "bpf", FsopenCloexec);
        if (fsfd < 0) return Fail($"fsopen(bpf): errno {Marshal.GetLastPInvokeError()}");
        Console.WriteLine($"fsfd {Environment.ProcessId} {fsfd}");
        Console.Out.Flush();
        if (Console.ReadLine() != "created") return Fail("the parent did not create the BPF filesystem");
        int mnt = Syscall(SysFsmount, fsfd, FsmountCloexec, 0);
        if (mnt < 0) return Fail($"fsmount: errno {Marshal.GetLastPInvokeError()}");
        string bpffs = $"/proc/self/fd/{mnt}";

        string without;
        try
        {
            using var plain = BpfObject.Open(objectPath, new BpfObjectOptions { TokenPath = "" });
            plain.Load();
            without = "loaded";
        }
        catch (BpfException e)
        {
            without = e.ErrnoName;
        }

        using var obj = BpfObject.Open(objectPath, new BpfObjectOptions { TokenPath = bpffs });
        obj.Variables["target_tgid"].Set((uint)Environment.ProcessId);
        obj.Load();
        using (obj.Programs["count_syscalls"].Program!.AttachRawTracepoint("sys_enter"))
        {
            for (int i = 0; i < 20; i++) File.Exists("/proc/self/status");
        }
        Console.WriteLine($"token {without} {obj.Variables["calls"].Get<ulong>()}");

        // Feature probes: refused in this namespace without the token, answered through it.
        using var token = BpfToken.Create(bpffs);
        foreach (var feature in new[] { BpfFeatures.BtfFunc, BpfFeatures.BtfDeclTag, BpfFeatures.ProgramType(BpfProgramType.RawTracepoint),
            BpfFeatures.MapType(BpfMapType.Hash), BpfFeatures.BpfCookie })
            Console.WriteLine($"probe {feature.Name.Replace(' ', '_')} without={Answer(feature.MissingReason)} with={Answer(feature.MissingReasonWith(token))}");
        Console.WriteLine("end");
        return 0;
    }

    // "ok", or the probe's errno name (the first word of its reason).
    private static string Answer(string? missingReason) => missingReason is null ? "ok" : missingReason.Split(' ')[0];

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
