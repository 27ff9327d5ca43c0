namespace BpfSharp.Cli.Dump;

/// <summary>
/// libbpf 1.1's <c>bpf_prog_linfo</c> as bpftool uses it: which source line record goes above an instruction.
/// Records are consumed one per annotated instruction, and a look-up returns the last record at or before the
/// instruction, so records that share an instruction show the last of them, repeated.
/// </summary>
internal sealed class BpftoolLineInfo
{
    private readonly BpfLineRecord[] _lines;
    private readonly ulong[] _jitedLines;
    private readonly ulong[] _functions;
    private readonly int[] _firstLineOfFunction = [];
    private readonly int[] _linesOfFunction = [];

    private BpftoolLineInfo(BpfLineRecord[] lines, ulong[] jitedLines, ulong[] functions, int[] first, int[] count)
    {
        _lines = lines;
        _jitedLines = jitedLines;
        _functions = functions;
        _firstLineOfFunction = first;
        _linesOfFunction = count;
    }

    /// <summary>
    /// <c>bpf_prog_linfo__new</c>: null when the program has no line records, or when their JIT addresses do not
    /// split into the program's functions as libbpf expects (bpftool then says so and prints no source lines).
    /// </summary>
    public static BpftoolLineInfo? Create(BpfProgramCode code)
    {
        var lines = code.Lines;
        if (lines.Length == 0) return null;
        var ksyms = code.JitedFunctionAddresses;
        if (ksyms.Length == 0 || code.JitedLineAddresses.Length != lines.Length || code.JitedFunctionLengths.Length != ksyms.Length)
            return new BpftoolLineInfo(lines, [], [], [], []); // not enough to place lines in the JIT's output

        var jited = code.JitedLineAddresses;
        var first = new int[ksyms.Length];
        var count = new int[ksyms.Length];
        if (ksyms[0] != jited[0]) return null;
        int previous = 0, f = 1;
        for (int i = 1; i < lines.Length && f < ksyms.Length; i++)
        {
            ulong last = jited[i - 1];
            if (ksyms[f] == jited[i])
            {
                first[f] = i;
                if (last - ksyms[f - 1] + 1 > code.JitedFunctionLengths[f - 1]) return null;
                count[f - 1] = i - previous;
                previous = i;
                f++;
            }
            else if (jited[i] <= last)
            {
                return null; // addresses must grow within a function
            }
        }
        if (f != ksyms.Length) return null;
        count[^1] = lines.Length - previous;
        return new BpftoolLineInfo(lines, jited, ksyms, first, count);
    }

    /// <summary><c>bpf_prog_linfo__lfind</c>: the record for translated instruction <paramref name="insn"/>, having
    /// consumed <paramref name="skip"/> records so far.</summary>
    public BpfLineRecord? Find(uint insn, int skip)
    {
        if (skip >= _lines.Length || insn < _lines[skip].InstructionOffset) return null;
        int i = skip;
        while (i < _lines.Length && insn >= _lines[i].InstructionOffset) i++;
        return _lines[i - 1];
    }

    /// <summary><c>bpf_prog_linfo__lfind_addr_func</c>: the record for JIT address <paramref name="address"/> of
    /// function <paramref name="function"/>.</summary>
    public BpfLineRecord? FindJited(ulong address, int function, int skip)
    {
        if (function >= _functions.Length) return null;
        int n = _linesOfFunction[function];
        if (skip >= n) return null;
        int start = _firstLineOfFunction[function] + skip;
        if (address < _jitedLines[start]) return null;
        int i = start;
        while (i < start + (n - skip) && address >= _jitedLines[i]) i++;
        return _lines[i - 1];
    }
}
