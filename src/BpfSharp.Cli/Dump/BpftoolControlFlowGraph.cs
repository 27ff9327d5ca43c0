using System.Globalization;
using System.Text;
using BpfSharp.Asm;

namespace BpfSharp.Cli.Dump;

/// <summary>
/// <c>bpftool prog dump xlated PROG visual</c> as bpftool 7.1 prints it: the program's control flow graph in DOT, one
/// cluster per function (split at the targets of subprogram calls), one record node per basic block (split at jump
/// targets and after conditional jumps) between an ENTRY and an EXIT diamond, fall-through and jump edges. Its
/// quirks are kept: each instruction's text is cut at 63 characters (bpftool formats it into a 64-byte buffer),
/// a call ends a block only where a jump target follows it, and calls are printed as for an interpreted program.
/// Where bpftool crashes (a block ending in a subprogram call) the graph leaves out the edge it would follow.
/// </summary>
internal static class BpftoolControlFlowGraph
{
    private const int EntryIndex = 0, ExitIndex = 1;

    private sealed class Block(int head)
    {
        public int Head { get; } = head;

        public int Tail { get; set; }

        public int Index { get; set; }

        public List<Block> Successors { get; } = [];
    }

    /// <summary>A function's blocks; <paramref name="Index"/> counts functions in the order their calls were met.</summary>
    private sealed record Function(int Index, int Start, int End, List<Block> Blocks);

    public static string Dot(BpfProgramCode code, BpftoolKernelSymbols symbols)
    {
        var insns = code.Translated;
        // bpftool's graph names calls without the JIT's symbols, as it would for an interpreted program.
        Bpftool71Disassembler.INames names = new BpftoolXlatedDump(code with { JitedFunctionAddresses = [] }, symbols);
        var text = new StringBuilder("digraph \"DOT graph for eBPF program\" {\n");
        var functions = Functions(insns);
        foreach (var function in functions)
        {
            int f = function.Index;
            text.Append(CultureInfo.InvariantCulture, $"subgraph \"cluster_{f}\" {{\n\tstyle=\"dashed\";\n\tcolor=\"black\";\n\tlabel=\"func_{f} ()\";\n");
            foreach (var block in function.Blocks)
            {
                bool special = block.Index is EntryIndex or ExitIndex;
                text.Append(CultureInfo.InvariantCulture, $"\tfn_{f}_bb_{block.Index} [shape={(special ? "Mdiamond" : "record")},style=filled,label=\"");
                if (block.Index == EntryIndex) text.Append("ENTRY");
                else if (block.Index == ExitIndex) text.Append("EXIT");
                else text.Append('{').Append(Label(insns, block, function.Start, names)).Append('}');
                text.Append("\"];\n\n");
            }
            foreach (var block in function.Blocks)
                foreach (var to in block.Successors)
                    text.Append(CultureInfo.InvariantCulture, $"\tfn_{f}_bb_{block.Index}:s -> fn_{f}_bb_{to.Index}:n [style=\"solid,bold\", color=black, weight=10, constraint=true];\n");
            // An invisible edge from ENTRY to EXIT, for the layout.
            text.Append(CultureInfo.InvariantCulture, $"\tfn_{f}_bb_{EntryIndex}:s -> fn_{f}_bb_{ExitIndex}:n [style=\"invis\", constraint=true];\n}}\n");
        }
        return text.Append("}\n").ToString();
    }

    private static bool IsJump(in BpfInstruction insn) => (insn.OpCode & 0x07) is 0x05 or 0x06;

    private static int Operation(in BpfInstruction insn) => insn.OpCode & 0xf0;

    private const int Call = 0x80, Exit = 0x90, Always = 0x00;

    /// <summary>
    /// Functions start at the program's first instruction and at each subprogram call's target; in order of start,
    /// numbered in the order they were found.
    /// </summary>
    private static List<Function> Functions(BpfInstruction[] insns)
    {
        var found = new List<int> { 0 };
        for (int i = 0; i < insns.Length; i++)
        {
            int target = i + insns[i].Offset + 1;
            if (insns[i].OpCode == 0x85 && insns[i].Src == (BpfRegister)1 && !found.Contains(target)) found.Add(target);
        }
        var ordered = found.Order().ToList();
        var functions = new List<Function>();
        for (int f = 0; f < ordered.Count; f++)
        {
            int start = ordered[f], end = f + 1 < ordered.Count ? ordered[f + 1] - 1 : insns.Length - 1;
            functions.Add(new Function(found.IndexOf(start), start, end, Blocks(insns, start, end)));
        }
        return functions;
    }

    /// <summary>The function's blocks in bpftool's order: ENTRY, the blocks by head, EXIT; their edges added.</summary>
    private static List<Block> Blocks(BpfInstruction[] insns, int start, int end)
    {
        var heads = new SortedSet<int> { start };
        for (int i = start; i <= end; i++)
        {
            if (!IsJump(insns[i]) || Operation(insns[i]) is Exit or Call) continue;
            heads.Add(i + insns[i].Offset + 1);
            if (Operation(insns[i]) != Always) heads.Add(i + 1);
        }
        var real = heads.Select(h => new Block(h)).ToList();
        for (int b = 0; b < real.Count; b++)
        {
            real[b].Tail = b + 1 < real.Count ? real[b + 1].Head - 1 : end;
            real[b].Index = b + 2;
        }
        var entry = new Block(-1) { Index = EntryIndex };
        var exit = new Block(-1) { Index = ExitIndex };
        var blocks = new List<Block> { entry };
        blocks.AddRange(real);
        blocks.Add(exit);

        entry.Successors.Add(real[0]);
        for (int b = 0; b < real.Count; b++)
        {
            var block = real[b];
            var next = blocks[b + 2];
            var tail = insns[block.Tail];
            var target = real.Find(x => x.Head == block.Tail + tail.Offset + 1);
            if (!IsJump(tail) || Operation(tail) == Exit)
                block.Successors.Add(next);
            else if (Operation(tail) == Always)
            {
                if (target is not null) block.Successors.Add(target);
            }
            else
            {
                block.Successors.Add(next);
                // A block ends in a call only where a jump target follows: a helper call's "target" is that next
                // block (bpftool draws the edge twice); a subprogram's is in another function, where bpftool 7.1
                // follows a null edge and crashes: no edge here.
                if (target is not null) block.Successors.Add(target);
            }
        }
        return blocks;
    }

    /// <summary>The block's instructions, numbered from the function's start, joined as DOT record fields.</summary>
    private static string Label(BpfInstruction[] insns, Block block, int functionStart, Bpftool71Disassembler.INames names)
    {
        var text = new StringBuilder();
        for (int i = block.Head; i <= block.Tail; i++)
        {
            var next = i + 1 < insns.Length ? insns[i + 1] : default;
            string line = Bpftool71Disassembler.Format(insns[i], next, names) + "\n";
            // printf("% 4d: "): a space for the missing sign, the whole at least four wide.
            text.Append((" " + (i - functionStart).ToString(CultureInfo.InvariantCulture)).PadLeft(4)).Append(": ");
            // vsnprintf into 64 bytes: 63 characters are kept.
            foreach (char c in line.Length > 63 ? line[..63] : line)
            {
                if (c == '\n') text.Append("\\l\\\n");
                else if (c is '<' or '>' or '|' or '&') text.Append('\\').Append(c);
                else text.Append(c);
            }
            if (i != block.Tail) text.Append(" | ");
            if (insns[i].IsLoadImm64) i++;
        }
        return text.ToString();
    }
}
