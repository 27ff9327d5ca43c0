using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using BpfSharp.Btf;
using BpfSharp.Tracing;

namespace BpfSharp;

/// <summary>
/// Resolves an object's externs against the running kernel at load: <c>__kconfig</c> values are written into the
/// <c>.kconfig</c> map's initial value by their declared type; <c>__ksym</c> variables and kfuncs get their vmlinux
/// BTF ids (typed) or kallsyms addresses (untyped). A missing <c>__weak</c> extern is zero; any other missing extern
/// fails the load, naming all of them.
/// </summary>
internal static class ExternResolver
{
    /// <param name="hasBpfCookie">The value of <c>LINUX_HAS_BPF_COOKIE</c>, which decides how usdt.bpf.h finds a probe's spec.</param>
    public static void Resolve(ObjectParser obj, BtfSpec kernel, KernelConfig config, string objectName, Func<bool> hasBpfCookie)
    {
        var local = obj.Btf!;
        foreach (var e in obj.Externs)
            e.Found = e.Kind switch
            {
                ExternKind.Kconfig => ResolveKconfig(e, local, config, obj.KconfigMap!.InitialData!, objectName, hasBpfCookie),
                ExternKind.KsymFunction => ResolveKfunc(e, kernel),
                _ => ResolveKsymVariable(e, local, kernel),
            };
    }

    /// <summary>
    /// Fails the load for externs the kernel lacks that are neither <c>__weak</c> nor only used by programs left out
    /// of the load (<c>SEC("?...")</c> programs are how objects carry code for newer kernels).
    /// </summary>
    public static void ThrowIfMissing(ObjectParser obj, IReadOnlySet<string> used, KernelConfig config, string objectName)
    {
        var missing = obj.Externs.Where(e => !e.Found && !e.IsWeak && used.Contains(e.Name))
            .Select(e => e.Kind == ExternKind.Kconfig ? $"{e.Name} (kconfig)" : $"{e.Name} (ksym)").ToList();
        if (missing.Count > 0)
        {
            string where = config.Source is null ? "; no kernel configuration was found (/proc/config.gz, /boot/config-*)" : "";
            throw new BpfException($"load of object {objectName}",
                $"the running kernel lacks extern {string.Join(", ", missing)}, and {(missing.Count > 1 ? "they are" : "it is")} not __weak{where}");
        }
    }

    private static bool ResolveKfunc(ObjectExtern e, BtfSpec kernel)
    {
        if (!kernel.TryFindId(e.Name, BtfKind.Func, out int id)) return false;
        e.KernelBtfId = id;
        return true;
    }

    private static bool ResolveKsymVariable(ObjectExtern e, BtfSpec local, BtfSpec kernel)
    {
        var v = (BtfVar)local[e.BtfTypeId];
        bool typed = local.SkipModifiers(v.TypeId) != 0;
        if (typed)
        {
            if (!kernel.TryFindId(e.Name, BtfKind.Var, out int id)) return false;
            e.KernelBtfId = id;
            return true;
        }
        if (!KernelSymbols.Current.TryFind(e.Name, out var symbol)) return false;
        if (!KernelSymbols.Current.HasAddresses)
            throw new BpfException("kallsyms", $"untyped ksym {e.Name} needs kernel addresses, and /proc/kallsyms shows zeros (kptr_restrict)");
        e.Address = symbol.Address;
        return true;
    }

    private static bool ResolveKconfig(ObjectExtern e, BtfSpec local, KernelConfig config, byte[] data, string objectName, Func<bool> hasBpfCookie)
    {
        string? value = e.Name switch
        {
            "LINUX_KERNEL_VERSION" => KernelConfig.KernelVersionCode.ToString(CultureInfo.InvariantCulture),
            "LINUX_HAS_BPF_COOKIE" => hasBpfCookie() ? "y" : "n",
            "LINUX_HAS_SYSCALL_WRAPPER" => KernelSymbols.Current.SyscallWrapperPrefix is not null ? "y" : "n",
            _ when e.Name.StartsWith("CONFIG_", StringComparison.Ordinal) => config.TryGetValue(e.Name, out var v) ? v : null,
            // A LINUX_ name libbpf does not define is missing, which a __weak extern may be (it reads zero).
            _ when e.Name.StartsWith("LINUX_", StringComparison.Ordinal) && e.IsWeak => null,
            _ => throw new BpfException($"load of object {objectName}", $"kconfig extern {e.Name} is unknown: only CONFIG_* and LINUX_* names libbpf defines can be resolved"),
        };
        if (value is null) return false;
        var slot = data.AsSpan(e.Offset, e.Size);
        var type = local[local.SkipModifiers(((BtfVar)local[e.BtfTypeId]).TypeId)];
        BpfException Bad(string why) => new($"load of object {objectName}", $"kconfig extern {e.Name} = {value}: {why}");
        switch (type)
        {
            case BtfEnum en when en.Name == "libbpf_tristate":
                int tri = value switch { "y" => 1, "n" => 0, "m" => 2, _ => throw Bad("a tristate takes y, n or m") };
                WriteInteger(slot, tri);
                break;
            case BtfInt { IsBool: true } or BtfInt { Size: 1 } when value is "y" or "n":
                slot[0] = value == "y" ? (byte)1 : (byte)0;
                break;
            case BtfArray { Length: > 0 } arr when local[local.SkipModifiers(arr.ElementTypeId)] is BtfInt { Size: 1 }:
                if (value.Length < 2 || value[0] != '"' || value[^1] != '"') throw Bad("a char array takes a quoted string");
                var bytes = Encoding.UTF8.GetBytes(value[1..^1]);
                slot.Clear();
                bytes.AsSpan(0, Math.Min(bytes.Length, slot.Length - 1)).CopyTo(slot);
                break;
            case BtfInt or BtfEnum:
                if (!TryParseNumber(value, out long number)) throw Bad($"not a number for {type.Name}");
                if (!Fits(number, slot.Length, type is BtfInt { IsSigned: true })) throw Bad($"does not fit in {slot.Length} bytes");
                WriteInteger(slot, number);
                break;
            default:
                throw Bad($"kconfig externs must be integers, bools, tristates or char arrays, not {type.Kind}");
        }
        return true;
    }

    private static bool TryParseNumber(string text, out long value)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            bool ok = ulong.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong u);
            value = unchecked((long)u);
            return ok;
        }
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static bool Fits(long value, int size, bool signed) => size >= 8 || (signed
        ? value >= -(1L << (size * 8 - 1)) && value < 1L << (size * 8 - 1)
        : value >= 0 && value < 1L << (size * 8));

    private static void WriteInteger(Span<byte> slot, long value)
    {
        Span<byte> all = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(all, value);
        all[..slot.Length].CopyTo(slot);
    }
}
