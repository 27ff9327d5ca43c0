using System.Runtime.InteropServices;
using BpfSharp.Asm;
using BpfSharp.Interop;

namespace BpfSharp;

public sealed unsafe partial class BpfProgram
{
    /// <summary>
    /// The program's translated and JIT-compiled code with its function and line records, read as
    /// <c>bpftool prog dump</c> reads them: one call for the sizes, a second with room for everything.
    /// </summary>
    /// <exception cref="BpfException">The kernel withholds the translated instructions (it needs CAP_BPF, and raw
    /// dumps allowed by kptr_restrict).</exception>
    public BpfProgramCode GetCode()
    {
        var what = $"program \"{Name}\"";
        var sizes = Bpf.GetInfo<BpfProgInfoRaw>(Handle, what);
        var xlated = new byte[sizes.xlated_prog_len];
        var jited = new byte[sizes.jited_prog_len];
        var ksyms = new ulong[sizes.nr_jited_ksyms];
        var lens = new uint[sizes.nr_jited_func_lens];
        var funcs = new byte[(long)sizes.nr_func_info * sizes.func_info_rec_size];
        var lines = new byte[(long)sizes.nr_line_info * sizes.line_info_rec_size];
        var jitedLines = new byte[(long)sizes.nr_jited_line_info * sizes.jited_line_info_rec_size];
        BpfProgInfoRaw got;
        fixed (byte* x = xlated, j = jited, f = funcs, l = lines, jl = jitedLines)
        fixed (ulong* k = ksyms)
        fixed (uint* n = lens)
        {
            var request = new BpfProgInfoRaw
            {
                xlated_prog_len = (uint)xlated.Length, xlated_prog_insns = (ulong)x,
                jited_prog_len = (uint)jited.Length, jited_prog_insns = (ulong)j,
                nr_jited_ksyms = (uint)ksyms.Length, jited_ksyms = (ulong)k,
                nr_jited_func_lens = (uint)lens.Length, jited_func_lens = (ulong)n,
                nr_func_info = sizes.nr_func_info, func_info_rec_size = sizes.func_info_rec_size, func_info = (ulong)f,
                nr_line_info = sizes.nr_line_info, line_info_rec_size = sizes.line_info_rec_size, line_info = (ulong)l,
                nr_jited_line_info = sizes.nr_jited_line_info, jited_line_info_rec_size = sizes.jited_line_info_rec_size,
                jited_line_info = (ulong)jl,
            };
            Bpf.GetInfo(Handle, ref request, what);
            got = request;
        }
        // The kernel clears a pointer it will not fill (raw dumps not allowed): those parts are reported empty.
        if (xlated.Length == 0 || got.xlated_prog_insns == 0)
            throw new BpfException("BPF_OBJ_GET_INFO_BY_FD", $"{what}: the kernel withholds its translated instructions (it needs CAP_BPF, and raw dumps allowed by kptr_restrict)");
        return new BpfProgramCode(
            BpfInstruction.FromBytes(xlated).ToArray(),
            got.jited_prog_insns == 0 ? [] : jited,
            got.jited_ksyms == 0 ? [] : ksyms,
            got.jited_func_lens == 0 ? [] : lens,
            got.btf_id,
            Records(funcs, (int)sizes.func_info_rec_size, r => new BpfFunctionRecord(r[0], r[1])),
            Records(lines, (int)sizes.line_info_rec_size, r => new BpfLineRecord(r[0], r[1], r[2], r[3])),
            got.jited_line_info == 0 || sizes.jited_line_info_rec_size < 8 ? []
                : Records(jitedLines, (int)sizes.jited_line_info_rec_size, r => (ulong)r[0] | (ulong)r[1] << 32));
    }

    // Records of the kernel's size, of which only the leading fields this version knows are read.
    private static T[] Records<T>(byte[] raw, int size, Func<ReadOnlySpan<uint>, T> read)
    {
        if (size == 0) return [];
        var records = new T[raw.Length / size];
        for (int i = 0; i < records.Length; i++)
            records[i] = read(MemoryMarshal.Cast<byte, uint>(raw.AsSpan(i * size, size)));
        return records;
    }
}
