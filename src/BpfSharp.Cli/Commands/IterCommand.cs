using System.CommandLine;
using BpfSharp.Links;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>bpfsharp iter pin OBJ PATH [map MAP]</c>: bpftool's: load an object, attach its first program as a BPF iterator
/// (over MAP's elements for a map iterator) and pin the link at PATH; reading the pin runs the iterator.
/// </summary>
internal static class IterCommand
{
    public static Command Create()
    {
        var command = new Command("iter", "BPF iterators: pin one, then read its pin to run it");
        var obj = new Argument<string>("OBJ") { Description = "A compiled BPF object whose first program is an iterator (SEC(\"iter/...\"))" };
        var path = new Argument<string>("PATH") { Description = "Where to pin the iterator's link in bpffs" };
        var rest = new Argument<string[]>("MAP") { Description = "map MAP: the map a map-element iterator walks (id, pin, or id/pinned/name)", Arity = ArgumentArity.ZeroOrMore };
        var pin = new Command("pin", "Load an object, attach its first program as an iterator and pin the link (bpftool's iter pin)") { obj, path, rest };
        pin.SetGuardedAction(r =>
        {
            string file = r.GetValue(obj)!, where = r.GetValue(path)!;
            var words = r.GetValue(rest) ?? [];
            if (words.Length > 0 && (words[0] != "map" || words.Length != 2))
                throw new CliError(words[0] == "map" ? "incorrect map spec: map MAP" : $"expected 'map MAP', got '{Selectors.Describe(words[0])}'");
            if (!File.Exists(file)) throw new CliError($"{file}: no such file");
            if (!BpfFsPaths.IsOnBpfFs(where)) throw new CliError($"{where}: not in bpffs (pins live on a bpf filesystem such as /sys/fs/bpf)");
            using var map = words.Length == 2 ? Targets.Map(words[1]) : null;
            using var loaded = BpfObject.Open(file);
            loaded.Load();
            var first = loaded.Programs.Values.FirstOrDefault() ?? throw new CliError($"can't find bpf program in objfile {file}");
            var program = first.Program ?? throw new CliError($"program {first.Name} is not loaded (its section starts with '?')");
            using var link = program.AttachIter(new IterAttachOptions { Map = map });
            link.Pin(where);
            if (GlobalOptions.Json) Console.WriteLine("null");
            return 0;
        });
        command.Subcommands.Add(pin);
        return command;
    }
}
