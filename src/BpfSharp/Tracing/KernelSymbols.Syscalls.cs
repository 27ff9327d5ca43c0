using System.Runtime.InteropServices;

namespace BpfSharp.Tracing;

public sealed partial class KernelSymbols
{
    /// <summary>
    /// The architecture's syscall wrapper prefix (<c>__x64_sys_</c>, <c>__arm64_sys_</c>...) as the kernel names
    /// them since 4.17 on architectures with <c>CONFIG_ARCH_HAS_SYSCALL_WRAPPER</c>; null on other architectures.
    /// </summary>
    public static string? ArchSyscallPrefix { get; } = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "__x64_sys_",
        Architecture.X86 => "__ia32_sys_",
        Architecture.Arm64 => "__arm64_sys_",
        Architecture.Arm => "__arm_sys_",
        Architecture.S390x => "__s390x_sys_",
        Architecture.RiscV64 => "__riscv_sys_",
        Architecture.Ppc64le => "__powerpc64_sys_",
        _ => null,
    };

    /// <summary>
    /// The prefix of the functions through which this kernel enters system calls, e.g. <c>__x64_sys_</c>, when it
    /// has them (found as <c>&lt;prefix&gt;bpf</c> in the table, as libbpf probes it); null for a kernel that calls
    /// <c>sys_*</c> directly.
    /// </summary>
    public string? SyscallWrapperPrefix =>
        ArchSyscallPrefix is { } prefix && Exists(prefix + "bpf") ? prefix : null;

    /// <summary>
    /// The kernel function to kprobe for system call <paramref name="syscall"/> (<c>openat</c>):
    /// <c>__x64_sys_openat</c> with syscall wrappers; else <c>__se_sys_openat</c> when present, else <c>sys_openat</c>.
    /// With wrappers the probed function receives a <c>struct pt_regs *</c> holding the user's arguments.
    /// </summary>
    public string SyscallFunctionName(string syscall)
    {
        ArgumentException.ThrowIfNullOrEmpty(syscall);
        if (SyscallWrapperPrefix is { } prefix)
            return prefix + syscall;
        string signExtended = "__se_sys_" + syscall;
        return Exists(signExtended) ? signExtended : "sys_" + syscall;
    }
}
