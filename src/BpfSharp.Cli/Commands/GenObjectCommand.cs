using System.CommandLine;
using BpfSharp.Loading;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>bpfsharp gen object OUT IN...</c>: statically links BPF objects into one (as <c>bpftool gen object</c>), with
/// <see cref="BpfLinker"/>.
/// </summary>
internal static class GenObjectCommand
{
    public static Command Create()
    {
        var output = new Argument<string>("OUT") { Description = "The linked object to write" };
        var inputs = new Argument<string[]>("IN") { Description = "BPF objects compiled by clang -g, linked in this order", Arity = ArgumentArity.OneOrMore };
        var command = new Command("object", "Link BPF objects into one: externs resolved, weak symbols overridden, maps, BTF and .BTF.ext merged") { output, inputs };
        command.SetGuardedAction(r =>
        {
            var linker = new BpfLinker();
            foreach (var path in r.GetValue(inputs)!)
            {
                if (!File.Exists(path)) throw new CliError($"{path}: no such file");
                linker.Add(path);
            }
            linker.LinkTo(r.GetValue(output)!);
            return 0;
        });
        return command;
    }
}
