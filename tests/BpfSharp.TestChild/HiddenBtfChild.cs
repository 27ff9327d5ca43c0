using BpfSharp.Btf;

namespace BpfSharp.TestChild;

/// <summary>
/// Runs in a mount namespace where <c>/sys/kernel/btf</c> is an empty tmpfs (a kernel without BTF, as far as this
/// process can tell): loads OBJECT with the minimal BTF file as <see cref="BpfObjectOptions.KernelBtf"/>, runs each of
/// its programs once and prints "hidden_btf PID", then each global variable as "NAME=VALUE" (u64). With "@LIST"
/// (lines "OBJECT|MINIMAL_BTF"), loads each object with its file and prints "FILE\tOUTCOME" ("loaded", or the
/// first line of the error).
/// </summary>
public static class HiddenBtfChild
{
    public static int Run(string target)
    {
        if (target.StartsWith('@')) return RunList(target[1..]);
        var parts = target.Split('|');
        if (parts.Length != 2) return Fail("target must be OBJECT|MINIMAL_BTF");
        if (File.Exists(Path.Combine(BtfSpec.KernelBtfDirectory, "vmlinux"))) return Fail("/sys/kernel/btf/vmlinux is still visible");
        try
        {
            BtfSpec.LoadKernel();
            return Fail("the kernel's BTF loaded although it is hidden");
        }
        catch (NotSupportedException) { }

        using var obj = BpfObject.Open(parts[0], new BpfObjectOptions { KernelBtf = BtfSpec.Load(parts[1]) });
        obj.Load();
        foreach (var name in obj.Programs.Keys.Order(StringComparer.Ordinal)) obj.Programs[name].Program!.TestRun(new BpfTestRunOptions());
        Console.WriteLine($"hidden_btf {Environment.ProcessId}");
        foreach (var v in obj.Variables.Values.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            var value = new byte[v.Map.ValueSize];
            v.Map.Map!.Lookup(new byte[4], value);
            Console.WriteLine($"{v.Name}={BitConverter.ToUInt64(value, v.Offset)}");
        }
        return 0;
    }

    private static int RunList(string listFile)
    {
        if (File.Exists(Path.Combine(BtfSpec.KernelBtfDirectory, "vmlinux"))) return Fail("/sys/kernel/btf/vmlinux is still visible");
        foreach (var line in File.ReadAllLines(listFile))
        {
            var parts = line.Split('|');
            string outcome;
            try
            {
                using var obj = BpfObject.Open(parts[0], new BpfObjectOptions { KernelBtf = BtfSpec.Load(parts[1]) });
                obj.Load();
                outcome = "loaded";
            }
            catch (BpfException e)
            {
                outcome = e.Message.Split('\n')[0];
            }
            Console.WriteLine($"{Path.GetFileName(parts[0])}\t{outcome}");
        }
        return 0;
    }

    private static int Fail(string why)
    {
        Console.Error.WriteLine($"hidden_btf: {why}");
        return 1;
    }
}
