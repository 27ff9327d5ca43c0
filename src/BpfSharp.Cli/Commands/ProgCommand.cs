using System.CommandLine;
using System.Text.Json;
using BpfSharp.Cli.Output;

namespace BpfSharp.Cli.Commands;

/// <summary><c>bpfsharp prog list|show|dump|pin|run|tracelog</c>: the system's loaded programs.</summary>
internal static class ProgCommand
{
    public static Command Create()
    {
        var command = new Command("prog", "Loaded BPF programs: list, show, dump, pin, test-run");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Dump());
        command.Subcommands.Add(Pin());
        command.Subcommands.Add(Run());
        command.Subcommands.Add(ProgTracelogCommand.Create());
        return command;
    }

    private static Command List()
    {
        var json = Cli.JsonOption();
        var command = new Command("list", "List every loaded program") { json };
        command.SetGuardedAction(r =>
        {
            var infos = Targets.OpenAll(BpfProgram.EnumerateIds(), id =>
            {
                using var p = BpfProgram.FromId(id);
                return p.GetInfo();
            }).ToList();
            Print(infos, r.GetValue(json));
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var json = Cli.JsonOption();
        var target = new Argument<string>("PROG") { Description = Targets.Help };
        var command = new Command("show", "Show one program") { target, json };
        command.SetGuardedAction(r =>
        {
            using var prog = Targets.Program(r.GetValue(target)!);
            var info = prog.GetInfo();
            if (r.GetValue(json))
                JsonOutput.Write(w => WriteJson(w, info));
            else
                PrintDetails(info, prog.PinPath);
            return 0;
        });
        return command;
    }

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
            if (!r.GetValue(json))
            {
                Console.Write(text);
                return 0;
            }
            // bpftool's shape: one object per instruction, "disasm" holding "(opcode) text".
            JsonOutput.Write(w =>
            {
                w.WriteStartArray();
                foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    int colon = line.IndexOf(": ", StringComparison.Ordinal);
                    w.WriteStartObject();
                    w.WriteNumber("pc", int.Parse(line.AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture));
                    w.WriteString("disasm", line[(colon + 2)..]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
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

    private static Command Pin()
    {
        var target = new Argument<string>("PROG") { Description = Targets.Help };
        var path = new Argument<string>("PATH") { Description = "Where to pin it in bpffs" };
        var command = new Command("pin", "Pin a program in bpffs, keeping it loaded after every fd is closed") { target, path };
        command.SetGuardedAction(r =>
        {
            using var prog = Targets.Program(r.GetValue(target)!);
            prog.Pin(r.GetValue(path)!);
            Console.WriteLine($"pinned program {prog.Id} ({prog.Name}) at {prog.PinPath}");
            return 0;
        });
        return command;
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
            if (r.GetValue(json))
            {
                JsonOutput.Write(w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("retval", result.ReturnValue);
                    w.WriteNumber("duration", (long)(result.Duration.Ticks * 100));
                    w.WriteNumber("data_size_out", result.Data.Length);
                    w.WriteEndObject();
                });
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

    private static void Print(IReadOnlyList<BpfProgramInfo> infos, bool json)
    {
        if (json)
        {
            JsonOutput.Write(w =>
            {
                w.WriteStartArray();
                foreach (var i in infos) WriteJson(w, i);
                w.WriteEndArray();
            });
            return;
        }
        var table = new TextTable("ID", "TYPE", "NAME", "TAG", "XLATED", "JITED", "MAPS").RightAlign("ID", "XLATED", "JITED");
        foreach (var i in infos)
            table.Add(i.Id, KernelNames.Of(i.Type), i.Name, i.Tag, Units.Bytes(i.TranslatedSize), Units.Bytes(i.JitedSize), string.Join(',', i.MapIds));
        table.Write(Console.Out);
    }

    private static void PrintDetails(BpfProgramInfo i, string? pin)
    {
        var rows = new List<(string, string)>
        {
            ("id", i.Id.ToString()),
            ("type", KernelNames.Of(i.Type)),
            ("name", i.Name),
            ("tag", i.Tag),
            ("gpl compatible", i.GplCompatible ? "yes" : "no"),
            ("loaded by uid", i.CreatedByUid.ToString()),
            ("translated", Units.Bytes(i.TranslatedSize)),
            ("jited", Units.Bytes(i.JitedSize)),
            ("verified insns", i.VerifiedInstructions.ToString()),
            ("maps", i.MapIds.Count == 0 ? "-" : string.Join(", ", i.MapIds)),
            ("btf id", i.BtfId == 0 ? "-" : i.BtfId.ToString()),
        };
        if (i.RunCount > 0) rows.Add(("runs", $"{i.RunCount} ({Units.Duration(i.RunTime)} total, {Units.Duration(i.RunTime / i.RunCount)} each)"));
        if (i.RecursionMisses > 0) rows.Add(("recursion misses", i.RecursionMisses.ToString()));
        if (pin is not null) rows.Add(("pinned", pin));
        Details.Write(rows);
    }

    /// <summary>bpftool's field names, so the two outputs compare directly.</summary>
    internal static void WriteJson(Utf8JsonWriter w, BpfProgramInfo i)
    {
        w.WriteStartObject();
        w.WriteNumber("id", i.Id);
        w.WriteString("type", KernelNames.Of(i.Type));
        w.WriteString("name", i.Name);
        w.WriteString("tag", i.Tag);
        w.WriteBoolean("gpl_compatible", i.GplCompatible);
        w.WriteNumber("uid", i.CreatedByUid);
        w.WriteNumber("bytes_xlated", i.TranslatedSize);
        w.WriteBoolean("jited", i.JitedSize > 0);
        w.WriteNumber("bytes_jited", i.JitedSize);
        w.WriteUIntArray("map_ids", i.MapIds);
        if (i.BtfId != 0) w.WriteNumber("btf_id", i.BtfId);
        w.WriteNumber("verified_insns", i.VerifiedInstructions);
        if (i.RunCount > 0)
        {
            w.WriteNumber("run_time_ns", i.RunTime.Ticks * 100);
            w.WriteNumber("run_cnt", i.RunCount);
        }
        if (i.RecursionMisses > 0) w.WriteNumber("recursion_misses", i.RecursionMisses);
        w.WriteEndObject();
    }
}
