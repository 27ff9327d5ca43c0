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
        command.Subcommands.Add(Dump());
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

    private static Command Dump()
    {
        var json = Cli.JsonOption();
        var target = new Argument<string>("PROG") { Description = Targets.Help };
        var command = new Command("dump", "Print the instructions the kernel runs (after the verifier's rewrites; bpftool's \"prog dump xlated\")") { target, json };
        command.SetGuardedAction(r =>
        {
            using var prog = Targets.Program(r.GetValue(target)!);
            var insns = prog.GetTranslatedInstructions();
            string text = NameCalls(BpfSharp.Asm.BpfInstruction.Disassemble(insns, translated: true), insns, prog.GetJitedFunctionAddresses());
            if (!Cli.Json(r, json))
            {
                Console.Write(text);
                return 0;
            }
            // bpftool's shape: one object per instruction, "disasm" holding "(opcode) text".
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
            {
                int colon = line.IndexOf(": ", StringComparison.Ordinal);
                return new InstructionRecord(int.Parse(line.AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture), line[(colon + 2)..]);
            }).ToList();
            JsonOutput.Write(lines, CliJson.Default.ListInstructionRecord);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Names what calls land on, as bpftool does. In code the kernel translated, a helper call's immediate is the
    /// helper's address less <c>__bpf_call_base</c> (a tail call is restored as helper 12), and a call into the program
    /// numbers the subprogram, whose JIT address kallsyms names <c>bpf_prog_TAG_NAME</c>. Left as numbers where
    /// addresses are hidden.
    /// </summary>
    private static string NameCalls(string text, BpfSharp.Asm.BpfInstruction[] insns, ulong[] subprograms)
    {
        var symbols = BpfSharp.Tracing.KernelSymbols.Current;
        if (!symbols.HasAddresses || !symbols.TryFind("__bpf_call_base", out var callBase)) return text;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int colon = lines[i].IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0) continue;
            var insn = insns[int.Parse(lines[i].AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture)];
            if (insn.OpCode != 0x85) continue;
            if (insn.Src == 0)
            {
                string? name = insn.Immediate == (int)BpfSharp.Asm.BpfHelper.TailCall ? "bpf_tail_call"
                    : symbols.TryFindByAddress(callBase.Address + (ulong)(long)insn.Immediate, out var helper) ? helper.Name : null;
                string number = $"call {insn.Immediate}";
                if (name is not null && lines[i].EndsWith(number, StringComparison.Ordinal))
                    lines[i] = string.Concat(lines[i].AsSpan(0, lines[i].Length - number.Length), "call ", name);
            }
            else if (insn.Src == (BpfSharp.Asm.BpfRegister)1 && (uint)insn.Immediate < (uint)subprograms.Length
                && symbols.TryFindByAddress(subprograms[insn.Immediate], out var subprogram))
            {
                lines[i] += "#" + subprogram.Name;
            }
        }
        return string.Join('\n', lines);
    }

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
