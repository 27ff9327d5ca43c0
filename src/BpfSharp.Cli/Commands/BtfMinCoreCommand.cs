using System.CommandLine;
using BpfSharp.Btf;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>bpfsharp btf min-core OBJECT... --btf FULL -o OUT</c>: the part of a kernel's BTF the objects' CO-RE
/// relocations need (as <c>bpftool gen min_core_btf</c>), for kernels without <c>/sys/kernel/btf</c>.
/// </summary>
internal static class BtfMinCoreCommand
{
    public static Command Create()
    {
        var objects = new Argument<string[]>("OBJECT") { Description = "BPF objects whose CO-RE relocations are resolved", Arity = ArgumentArity.OneOrMore };
        var btf = new Option<string>("--btf") { HelpName = "FULL", Description = "The target kernel's full BTF (a raw BTF file, e.g. from BTFHub); default: the running kernel's" };
        var output = new Option<FileInfo>("--output", "-o") { HelpName = "OUT", Description = "Where to write the minimal raw BTF", Required = true };
        var command = new Command("min-core", "Write only the kernel BTF types the objects' CO-RE relocations use") { objects, btf, output };
        command.SetGuardedAction(r =>
        {
            string? fullPath = r.GetValue(btf);
            if (fullPath is not null && !File.Exists(fullPath)) throw new CliError($"{fullPath}: no such file");
            var full = fullPath is null ? BtfSpec.LoadKernel() : BtfSpec.Load(fullPath);
            var opened = new List<BpfObject>();
            try
            {
                foreach (var path in r.GetValue(objects)!)
                {
                    if (!File.Exists(path)) throw new CliError($"{path}: no such file");
                    opened.Add(BpfObject.Open(path));
                }
                var minimal = BtfSpec.MinimalFor(opened, full);
                var target = r.GetValue(output)!;
                File.WriteAllBytes(target.FullName, BtfBuilder.From(minimal).Build());
                Console.Error.WriteLine($"{target.Name}: {minimal.Count - 1} of {full.Count - 1} types");
            }
            finally
            {
                foreach (var o in opened) o.Dispose();
            }
            return 0;
        });
        return command;
    }
}
