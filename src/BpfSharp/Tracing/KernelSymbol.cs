namespace BpfSharp.Tracing;

/// <summary>One line of <c>/proc/kallsyms</c>: <c>ffffffff814de370 T __x64_sys_bpf</c>, or a module's symbol with its module.</summary>
/// <param name="Address">0 for every symbol when the kernel hides addresses (<c>kptr_restrict</c>, no <c>CAP_SYSLOG</c>).</param>
/// <param name="Type">The <c>nm</c>-style letter: <c>T</c>/<c>t</c> text (global/local), <c>D</c>/<c>d</c> data...</param>
/// <param name="Module">The module (<c>kvm</c>, or pseudo-modules such as <c>bpf</c>), or null for vmlinux.</param>
public readonly record struct KernelSymbol(string Name, ulong Address, char Type, string? Module)
{
    /// <summary>Whether the symbol is in a text section (<c>T</c> or <c>t</c>): a function a kprobe can name.</summary>
    public bool IsFunction => Type is 'T' or 't';

    /// <summary>The symbol as a <c>/proc/kallsyms</c> line.</summary>
    public override string ToString() =>
        Module is null ? $"{Address:x16} {Type} {Name}" : $"{Address:x16} {Type} {Name}\t[{Module}]";
}
