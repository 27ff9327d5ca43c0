using System.CommandLine;
using BpfSharp.Generators.Skeleton;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>bpfsharp gen skeleton OBJECT [--namespace NS] [--class NAME] [--type T]... [-o FILE]</c>: the C# skeleton the
/// BpfSharp.Build source generator writes, for projects that compile their BPF C another way.
/// </summary>
internal static class GenCommand
{
    public static Command Create()
    {
        var command = new Command("gen", "Generate code from BPF objects");
        command.Subcommands.Add(Skeleton());
        command.Subcommands.Add(GenObjectCommand.Create());
        return command;
    }

    private static Command Skeleton()
    {
        var file = new Argument<string>("OBJECT") { Description = "A BPF object built with clang -g (it needs BTF)" };
        var ns = new Option<string?>("--namespace", "-n") { HelpName = "NS", Description = "The namespace of the generated code (default: none)" };
        var cls = new Option<string?>("--class", "-c") { HelpName = "NAME", Description = "The class name (default: the object's name in PascalCase + Skeleton)" };
        var types = new Option<string[]>("--type", "-t") { HelpName = "C_TYPE", Description = "Also generate this C type (a ring buffer record no map names), like bpf2go -type; repeatable", AllowMultipleArgumentsPerToken = false };
        var output = new Option<FileInfo?>("--output", "-o") { HelpName = "FILE", Description = "Write to this file instead of standard output" };
        var command = new Command("skeleton", "Print a typed C# skeleton of a BPF object (maps, programs, global variables, C types with exact layout)") { file, ns, cls, types, output };
        command.SetGuardedAction(r =>
        {
            string path = r.GetValue(file)!;
            if (!File.Exists(path)) throw new CliError($"{path}: no such file");
            var issues = new List<SkeletonIssue>();
            string source = SkeletonWriter.Write(File.ReadAllBytes(path), new SkeletonOptions
            {
                ObjectFileName = Path.GetFileName(path),
                Namespace = r.GetValue(ns) ?? "",
                ClassName = r.GetValue(cls) ?? "",
                Types = r.GetValue(types) ?? [],
            }, issues);
            foreach (var issue in issues)
                Console.Error.WriteLine($"bpfsharp: {issue}");
            if (issues.Any(i => i.IsError))
                return 1;
            if (r.GetValue(output) is { } o) File.WriteAllText(o.FullName, source);
            else Console.Out.Write(source);
            return 0;
        });
        return command;
    }
}
