using BpfSharp.Btf;

namespace BpfSharp.Cli;

/// <summary>
/// bpftool's name of a program: the kernel keeps 15 characters, so a name that long is shown (and matched by
/// <c>name NAME</c>) as the program's first function's name in its BTF, where it has one.
/// </summary>
internal static class ProgramNames
{
    /// <summary>The length of a name the kernel cut (BPF_OBJ_NAME_LEN less its NUL).</summary>
    private const int KernelNameLength = 15;

    public static string Full(BpfProgram program, BpfProgramInfo info) =>
        info.Name.Length < KernelNameLength || info.BtfId == 0 ? info.Name : Full(program.GetCode(), info.Name);

    public static string Full(BpfProgramCode code, string kernelName)
    {
        if (kernelName.Length < KernelNameLength || code.BtfId == 0 || code.Functions.Length == 0) return kernelName;
        try
        {
            return BtfSpec.LoadFromKernelId(code.BtfId).TryGetType((int)code.Functions[0].TypeId, out var f) && f is BtfFunc
                ? f.Name : kernelName;
        }
        catch (BpfException) { return kernelName; } // the BTF went away: the kernel's name it is
    }
}
