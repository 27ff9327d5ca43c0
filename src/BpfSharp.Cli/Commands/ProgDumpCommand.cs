using System.CommandLine;
using System.Globalization;
using BpfSharp.Cli.Dump;
using BpfSharp.Cli.Output;
using BpfSharp.Cli.Records;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>bpfsharp prog dump [xlated|jited] PROG [opcodes] [linum]</c>: a loaded program's code. By default what
/// <c>bpftool prog dump xlated</c> (bpftool 7.1) prints, byte for byte: bpftool's format is what users of the kernel's
/// tools read and compare, and the older BpfSharp format (<c>--dialect bpfsharp</c>) was a variant of the same
/// verifier printer that only dropped information (helper ids, source lines, signatures).
/// </summary>
internal static class ProgDumpCommand
{
    public static Command Create()
    {
        var words = new Argument<string[]>("ARGS")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "[xlated|jited] PROG [opcodes] [linum] [visual] [file FILE]: PROG is " + Targets.Help,
        };
        var opcodes = new Option<bool>("--opcodes") { Description = "Print each instruction's bytes under it (bpftool's opcodes)" };
        var linum = new Option<bool>("--linum") { Description = "Add the file, line and column to the source lines (bpftool's linum)" };
        var dialect = new Option<string>("--dialect")
        {
            Description = "bpftool (default): bpftool 7.1's text; bpfsharp: the kernel's printer with jumps as 'goto +N', helper ids, llvm's 'll' suffix, and no source lines",
            DefaultValueFactory = _ => "bpftool",
        };
        dialect.AcceptOnlyFromAmong("bpftool", "bpfsharp");
        var json = Cli.JsonOption();
        var command = new Command("dump", "Print a program's code: the instructions the kernel runs after the verifier's rewrites (xlated, the default) or the JIT's machine code (jited), as bpftool prints them")
        {
            words, opcodes, linum, dialect, json,
        };
        command.SetGuardedAction(r =>
        {
            var request = Parse(r.GetValue(words)!);
            bool withOpcodes = request.Opcodes || r.GetValue(opcodes), withLinum = request.Linum || r.GetValue(linum);
            bool asJson = Cli.Json(r, json);
            var programs = Targets.Programs(request.Target);
            try
            {
                if (programs.Count == 0) throw new CliError($"{Selectors.Describe(request.Target)}: no such program");
                if (programs.Count > 1 && (request.File is not null || request.Visual || r.GetValue(dialect) == "bpfsharp"))
                    throw new CliError($"{Selectors.Describe(request.Target)}: several programs matched ({string.Join(", ", programs.Select(p => p.Id))})");
                if (request.File is { } file)
                {
                    var only = programs[0].GetCode();
                    File.WriteAllBytes(file, request.Jited ? only.Jited : BpfSharp.Asm.BpfInstruction.AsBytes(only.Translated).ToArray());
                    if (asJson) Console.WriteLine("null");
                    return 0;
                }
                if (r.GetValue(dialect) == "bpfsharp")
                    return BpfSharpDialect(programs[0].GetCode(), asJson);
                if (request.Visual && !request.Jited)
                {
                    // The graph is DOT text; bpftool answers -j with null.
                    Console.Write(asJson ? "null\n" : BpftoolControlFlowGraph.Dot(programs[0].GetCode(), BpftoolKernelSymbols.Load()));
                    return 0;
                }
                if (programs.Count == 1)
                {
                    Console.Write(asJson ? Dump(programs[0].GetCode(), request.Jited).Json(withOpcodes, withLinum, GlobalOptions.Pretty)
                        : Dump(programs[0].GetCode(), request.Jited).Plain(withOpcodes, withLinum));
                    return 0;
                }
                Console.Write(asJson ? SeveralJson(programs, request.Jited, withOpcodes, withLinum) : SeveralPlain(programs, request.Jited, withOpcodes, withLinum));
                return 0;
            }
            finally
            {
                foreach (var p in programs) p.Dispose();
            }
        });
        return command;
    }

    /// <summary>The xlated or jited dump of one program; the xlated one says on standard error what it cannot show.</summary>
    private static IBpftoolDump Dump(BpfProgramCode code, bool jited)
    {
        if (jited) return new BpftoolJitedDump(code, BpftoolKernelSymbols.Load());
        var dump = new BpftoolXlatedDump(code, BpftoolKernelSymbols.Load());
        if (dump.Notice is { } notice) Console.Error.WriteLine(notice);
        return dump;
    }

    // A name or tag that several programs have: bpftool heads each dump with the program's line, a blank line between.
    private static string SeveralPlain(List<BpfProgram> programs, bool jited, bool opcodes, bool linum)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < programs.Count; i++)
        {
            var info = programs[i].GetInfo();
            var code = programs[i].GetCode();
            text.Append(CultureInfo.InvariantCulture, $"{info.Id}: {KernelNames.Of(info.Type)}  ");
            if (info.Name.Length > 0) text.Append(CultureInfo.InvariantCulture, $"name {ProgramNames.Full(code, info.Name)}  ");
            text.Append("tag ").Append(info.Tag).Append(info.GplCompatible ? "  gpl" : "");
            if (info.RunTime > TimeSpan.Zero) text.Append(CultureInfo.InvariantCulture, $" run_time_ns {info.RunTime.Ticks * 100} run_cnt {info.RunCount}");
            if (info.RecursionMisses > 0) text.Append(CultureInfo.InvariantCulture, $" recursion_misses {info.RecursionMisses}");
            text.Append('\n').Append(Dump(code, jited).Plain(opcodes, linum));
            if (i < programs.Count - 1) text.Append('\n');
        }
        return text.ToString();
    }

    // ... and in JSON a list of objects: the program's fields, then its instructions as "insns".
    private static string SeveralJson(List<BpfProgram> programs, bool jited, bool opcodes, bool linum)
    {
        var json = new BpftoolJsonWriter(GlobalOptions.Pretty);
        json.StartArray();
        foreach (var program in programs)
        {
            var info = program.GetInfo();
            var code = program.GetCode();
            json.StartObject();
            json.IntField("id", info.Id);
            json.StringField("type", KernelNames.Of(info.Type));
            if (info.Name.Length > 0) json.StringField("name", ProgramNames.Full(code, info.Name));
            json.StringField("tag", info.Tag);
            json.Name("gpl_compatible");
            json.Raw(info.GplCompatible ? "true" : "false");
            if (info.RunTime > TimeSpan.Zero)
            {
                json.IntField("run_time_ns", info.RunTime.Ticks * 100);
                json.IntField("run_cnt", (long)info.RunCount);
            }
            if (info.RecursionMisses > 0) json.IntField("recursion_misses", (long)info.RecursionMisses);
            json.Name("insns");
            Dump(code, jited).WriteJson(json, opcodes, linum);
            json.EndObject();
        }
        json.EndArray();
        return json.ToString();
    }

    private sealed record Request(bool Jited, string Target, bool Opcodes, bool Linum, string? File, bool Visual);

    // bpftool's word order: an optional mode (any prefix of xlated or jited), the program, then keywords.
    private static Request Parse(string[] words)
    {
        int i = 0;
        bool jited = false;
        if (words.Length > 1 && words[0].Length > 0 && ("xlated".StartsWith(words[0], StringComparison.Ordinal) || "jited".StartsWith(words[0], StringComparison.Ordinal)))
            jited = "jited".StartsWith(words[i++], StringComparison.Ordinal);
        string target = words[i++];
        bool opcodes = false, linum = false, visual = false;
        string? file = null;
        for (; i < words.Length; i++)
        {
            switch (words[i])
            {
                case "opcodes": opcodes = true; break;
                case "linum": linum = true; break;
                case "file" when i + 1 < words.Length: file = words[++i]; break;
                case "visual": visual = true; break;
                default: throw new CliError($"prog dump: unexpected '{words[i]}' (expected opcodes, linum or file FILE after the program)");
            }
        }
        return new Request(jited, target, opcodes, linum, file, visual);
    }

    // The kernel's printer with BpfSharp's three changes, calls named from kallsyms.
    private static int BpfSharpDialect(BpfProgramCode code, bool json)
    {
        var insns = code.Translated;
        string text = NameCalls(BpfSharp.Asm.BpfInstruction.Disassemble(insns, translated: true), insns, code.JitedFunctionAddresses);
        if (!json)
        {
            Console.Write(text);
            return 0;
        }
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            return new InstructionRecord(int.Parse(line.AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture), line[(colon + 2)..]);
        }).ToList();
        JsonOutput.Write(lines, CliJson.Default.ListInstructionRecord);
        return 0;
    }

    /// <summary>
    /// Names what calls land on. In code the kernel translated, a helper call's immediate is the helper's address
    /// less <c>__bpf_call_base</c> (a tail call is restored as helper 12), and a call into the program numbers the
    /// subprogram, whose JIT address kallsyms names <c>bpf_prog_TAG_NAME</c>. Left as numbers where addresses are hidden.
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
}
