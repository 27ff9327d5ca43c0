using System.CommandLine;
using BpfSharp.Cli.Output;
using BpfSharp.Cli.Records;

namespace BpfSharp.Cli.Commands;

/// <summary><c>bpfsharp prog list|show|dump|pin|run|tracelog</c>: the system's loaded programs.</summary>
internal static class ProgCommand
{
    public static Command Create()
    {
        var command = new Command("prog", "BPF programs: list, show, dump, pin, test-run, load from an object, attach to sockmaps and the flow dissector");
        command.Subcommands.Add(ObjectVerbs.List(Kind));
        command.Subcommands.Add(ObjectVerbs.Show(Kind));
        command.Subcommands.Add(ProgDumpCommand.Create());
        command.Subcommands.Add(ObjectVerbs.Pin(Kind, "Pin a program in bpffs, keeping it loaded after every fd is closed"));
        command.Subcommands.Add(Run());
        command.Subcommands.Add(ProgTracelogCommand.Create());
        command.Subcommands.Add(ProgLoadCommand.Load());
        command.Subcommands.Add(ProgLoadCommand.LoadAll());
        command.Subcommands.Add(ProgAttachCommand.Attach());
        command.Subcommands.Add(ProgAttachCommand.Detach());
        return command;
    }

    internal static readonly ObjectKind<BpfProgram, ProgRecord> Kind = new(
        "program", "PROG", BpfProgram.EnumerateIds, BpfProgram.FromId, Targets.Program, Targets.Programs, ProgRecord.Of, p => p.Dispose(),
        (p, path) => p.Pin(path), p => $"pinned program {p.Id} ({p.Name}) at {p.PinPath}",
        CliJson.Default.ProgRecord, CliJson.Default.ListProgRecord);

    private static Command Run()
    {
        var target = new Argument<string>("PROG") { Description = Targets.Help };
        var dataIn = new Option<FileInfo?>("--data-in") { HelpName = "FILE", Description = "File with the input data (a packet for XDP/tc)" };
        var ctxIn = new Option<FileInfo?>("--ctx-in") { HelpName = "FILE", Description = "File with the input context" };
        var dataOut = new Option<FileInfo?>("--data-out") { HelpName = "FILE", Description = "Write the output data to this file" };
        var repeat = new Option<uint>("--repeat") { HelpName = "N", Description = "Run this many times (the duration is the mean; 0 runs once, and is what syscall programs need)", DefaultValueFactory = _ => 0 };
        var json = Cli.JsonOption();
        var command = new Command("run", "Test-run a program (BPF_PROG_TEST_RUN) with data from a file") { target, dataIn, ctxIn, dataOut, repeat, json };
        command.SetGuardedAction(r =>
        {
            using var prog = Targets.Program(r.GetValue(target)!);
            byte[] data = r.GetValue(dataIn) is { } d ? File.ReadAllBytes(d.FullName) : [];
            byte[] ctx = r.GetValue(ctxIn) is { } c ? File.ReadAllBytes(c.FullName) : [];
            var result = prog.TestRun(new BpfTestRunOptions
            {
                Data = data,
                DataOutSize = data.Length > 0 ? Math.Max(data.Length, 256) + 256 : null,
                Context = ctx,
                ContextOutSize = ctx.Length > 0 ? ctx.Length : null,
                Repeat = r.GetValue(repeat),
            });
            if (r.GetValue(dataOut) is { } o) File.WriteAllBytes(o.FullName, result.Data);
            if (Cli.Json(r, json))
            {
                JsonOutput.Write(new TestRunRecord(result.ReturnValue, (long)(result.Duration.Ticks * 100), result.Data.Length), CliJson.Default.TestRunRecord);
            }
            else
            {
                Console.WriteLine($"return value: {result.ReturnValue}");
                Console.WriteLine($"duration:     {Units.Duration(result.Duration)}");
                if (result.Data.Length > 0) Console.WriteLine($"data out:     {Units.Bytes(result.Data.Length)}");
            }
            return 0;
        });
        return command;
    }
}
