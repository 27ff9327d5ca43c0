namespace BpfSharp;

internal enum ExternKind
{
    /// <summary><c>__kconfig</c>: a value in the object's <c>.kconfig</c> map, from the kernel's configuration.</summary>
    Kconfig,
    /// <summary><c>__ksym</c> variable: typed (a vmlinux BTF id) or untyped (a kallsyms address).</summary>
    KsymVariable,
    /// <summary><c>__ksym</c> function: a kfunc, called by its vmlinux BTF id.</summary>
    KsymFunction,
}

/// <summary>
/// An undefined symbol of an object that the loader resolves against the running kernel. Laid out when the
/// object is opened (kconfig offsets), resolved when it is loaded.
/// </summary>
internal sealed class ObjectExtern(string name, ExternKind kind, bool isWeak, int btfTypeId)
{
    public string Name { get; } = name;
    public ExternKind Kind { get; } = kind;
    public bool IsWeak { get; } = isWeak;

    /// <summary>The object's BTF VAR (kconfig, ksym variable) or FUNC (kfunc).</summary>
    public int BtfTypeId { get; } = btfTypeId;

    /// <summary>Kconfig: where the value lives in the <c>.kconfig</c> map, and its size.</summary>
    public int Offset { get; set; }
    public int Size { get; set; }

    /// <summary>Ksym: whether the kernel has it (a missing <c>__weak</c> one resolves to 0).</summary>
    public bool Found { get; set; }

    /// <summary>Untyped ksym: its kallsyms address.</summary>
    public ulong Address { get; set; }

    /// <summary>Typed ksym or kfunc: its id in the kernel's BTF.</summary>
    public int KernelBtfId { get; set; }

    public override string ToString() => $"{Kind} extern {Name}";
}
