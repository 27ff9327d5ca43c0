using System.Runtime.InteropServices;
using BpfSharp.Asm;
using BpfSharp.Events;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.Tests.Events;

/// <summary>The record most producers write: a sequence number and a value derived from it.</summary>
[StructLayout(LayoutKind.Sequential)]
public record struct SeqRecord(ulong Seq, ulong Check)
{
    public static ulong CheckOf(ulong seq) => seq * 7 + 1;
}

/// <summary>
/// Deterministic producers assembled in C#, run with BPF_PROG_TEST_RUN. Each run takes the next number of a
/// counter kept in an array map (atomically) and writes a record carrying it, so a test can check order and
/// content record by record. XDP programs return the output helper's result (0, or -errno when the record
/// could not be written) as the test run's return value.
/// </summary>
internal static partial class EventTestPrograms
{
    /// <summary>A packet for XDP test runs (anything of at least an Ethernet header's length).</summary>
    public static readonly byte[] Packet = new byte[64];

    public const uint XdpPass = 2;

    /// <summary>BPF_F_CURRENT_CPU: the index meaning "the CPU running the program" for perf event output.</summary>
    private const long CurrentCpu = 0xffffffffL;

    /// <summary>
    /// Runs <paramref name="program"/> <paramref name="times"/> times on <see cref="Packet"/>, one test run each
    /// (an XDP test run with repeat &gt; 1 swaps the XDP dispatcher, an RCU grace period per call); returns the
    /// last run's return value.
    /// </summary>
    public static uint Run(BpfProgram program, int times = 1)
    {
        uint result = 0;
        for (int i = 0; i < times; i++) result = program.TestRun(Packet);
        return result;
    }

    /// <summary>
    /// <see cref="Run"/> on a thread pinned to one CPU. Perf buffers keep a ring per CPU: order, wake-up counts
    /// and overflow are per CPU, so a producer that migrated between runs would spread its records.
    /// </summary>
    public static uint RunPinned(BpfProgram program, int times = 1)
    {
        uint result = 0;
        var thread = new Thread(() =>
        {
            PinToCpu(BpfSharp.Interop.Cpus.Online()[0]);
            result = Run(program, times);
        });
        thread.Start();
        thread.Join();
        return result;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int sched_setaffinity(int pid, nint size, ulong* mask);

    /// <summary>Pins the calling thread to <paramref name="cpu"/>.</summary>
    private static unsafe void PinToCpu(int cpu)
    {
        ulong* mask = stackalloc ulong[16]; // cpu_set_t: 1024 bits
        for (int i = 0; i < 16; i++) mask[i] = 0;
        mask[cpu / 64] = 1UL << (cpu % 64);
        if (sched_setaffinity(0, 128, mask) != 0) throw new InvalidOperationException($"sched_setaffinity: errno {Marshal.GetLastPInvokeError()}");
    }

    public static BpfMap CreateCounter() => BpfMap.Create(BpfMapType.Array, 4, 8, 1, new() { Name = "t_seq" });

    /// <summary>An array map with one value of <paramref name="size"/> bytes filled with <see cref="PatternByte"/>.</summary>
    public static BpfMap CreateSource(int size)
    {
        var source = BpfMap.Create(BpfMapType.Array, 4, size, 1, new() { Name = "t_src" });
        var value = new byte[size];
        for (int i = 0; i < size; i++) value[i] = PatternByte(i);
        source.Update(BitConverter.GetBytes(0), value);
        return source;
    }

    public static byte PatternByte(int i) => (byte)(i * 13 + 5);

    /// <summary>Checks a record copied from the source map: the sequence number, then the pattern.</summary>
    public static string? CheckSourceRecord(ReadOnlySpan<byte> record, ulong expectedSeq, int expectedLength)
    {
        if (record.Length != expectedLength) return $"record {expectedSeq}: {record.Length} bytes, expected {expectedLength}";
        ulong seq = MemoryMarshal.Read<ulong>(record);
        if (seq != expectedSeq) return $"record {expectedSeq}: sequence {seq}";
        for (int i = 8; i < record.Length; i++)
            if (record[i] != PatternByte(i)) return $"record {expectedSeq}: byte {i} is {record[i]}, expected {PatternByte(i)}";
        return null;
    }

    /// <summary>r6 = counter[0]++, atomically; a failed lookup jumps to "out".</summary>
    private static BpfAssembler NextSequence(this BpfAssembler asm, BpfMap counter) => asm
        .StoreImm(R10, -4, 0, BpfSize.W)
        .Mov64(R2, R10).Add64(R2, -4)
        .LoadMapFd(R1, counter)
        .Call(BpfHelper.MapLookupElem)
        .JumpIf(JumpOp.Eq, R0, 0, "out")
        .Mov64(R6, 1)
        .Atomic(AtomicOp.FetchAdd, R0, 0, R6, BpfSize.DW);

    /// <summary>A <see cref="SeqRecord"/> at r10-24.</summary>
    private static BpfAssembler SeqRecordOnStack(this BpfAssembler asm) => asm
        .Store(R10, -24, R6, BpfSize.DW)
        .Mov64(R7, R6).Mul64(R7, 7).Add64(R7, 1)
        .Store(R10, -16, R7, BpfSize.DW);

    /// <summary>r7 = the source map's value, with the sequence number written into its first 8 bytes.</summary>
    private static BpfAssembler SourceWithSequence(this BpfAssembler asm, BpfMap source) => asm
        .StoreImm(R10, -4, 0, BpfSize.W)
        .Mov64(R2, R10).Add64(R2, -4)
        .LoadMapFd(R1, source)
        .Call(BpfHelper.MapLookupElem)
        .JumpIf(JumpOp.Eq, R0, 0, "out")
        .Mov64(R7, R0)
        .Store(R7, 0, R6, BpfSize.DW);

    /// <summary>"out": the exit for a failed lookup.</summary>
    private static BpfInstruction[] WithOut(this BpfAssembler asm) => asm
        .Label("out").Mov64(R0, 2).Exit()
        .Build();

    private static BpfProgram Xdp(BpfInstruction[] insns, string name) =>
        BpfProgram.Load(BpfProgramType.Xdp, insns, new() { Name = name });

    /// <summary>Writes a <see cref="SeqRecord"/> with bpf_ringbuf_output.</summary>
    public static BpfProgram RingbufOutput(BpfMap counter, BpfMap ringbuf) => Xdp(new BpfAssembler()
        .NextSequence(counter)
        .SeqRecordOnStack()
        .LoadMapFd(R1, ringbuf)
        .Mov64(R2, R10).Add64(R2, -24)
        .Mov64(R3, 16)
        .Mov64(R4, 0)
        .Call(BpfHelper.RingbufOutput)
        .Exit()
        .WithOut(), "t_rb_out");

    /// <summary>
    /// Writes the source map's value with bpf_ringbuf_output: <paramref name="size"/> bytes, or when
    /// <paramref name="sizeMask"/> is set, 8 + (seq &amp; mask) bytes.
    /// </summary>
    public static BpfProgram RingbufOutputFromSource(BpfMap counter, BpfMap ringbuf, BpfMap source, int size, int sizeMask = 0)
    {
        var asm = new BpfAssembler().NextSequence(counter).SourceWithSequence(source);
        if (sizeMask != 0) asm.Mov64(R3, R6).And64(R3, sizeMask).Add64(R3, 8);
        else asm.Mov64(R3, size);
        return Xdp(asm
            .LoadMapFd(R1, ringbuf)
            .Mov64(R2, R7)
            .Mov64(R4, 0)
            .Call(BpfHelper.RingbufOutput)
            .Exit()
            .WithOut(), "t_rb_src");
    }

    /// <summary>Reserves a <see cref="SeqRecord"/>, fills it, and discards it when seq % 3 == 0, else submits it.</summary>
    public static BpfProgram RingbufReserveDiscardEveryThird(BpfMap counter, BpfMap ringbuf) => Xdp(new BpfAssembler()
        .NextSequence(counter)
        .LoadMapFd(R1, ringbuf)
        .Mov64(R2, 16)
        .Mov64(R3, 0)
        .Call(BpfHelper.RingbufReserve)
        .JumpIf(JumpOp.Eq, R0, 0, "out")
        .Mov64(R7, R0)
        .Store(R7, 0, R6, BpfSize.DW)
        .Mov64(R8, R6).Mul64(R8, 7).Add64(R8, 1)
        .Store(R7, 8, R8, BpfSize.DW)
        .Mov64(R8, R6).Mod64(R8, 3)
        .JumpIf(JumpOp.Eq, R8, 0, "discard")
        .Mov64(R1, R7).Mov64(R2, 0).Call(BpfHelper.RingbufSubmit)
        .Mov64(R0, 0).Exit()
        .Label("discard")
        .Mov64(R1, R7).Mov64(R2, 0).Call(BpfHelper.RingbufDiscard)
        .Mov64(R0, 0).Exit()
        .WithOut(), "t_rb_rsv");

    /// <summary>Writes a <see cref="SeqRecord"/> into <paramref name="even"/> or <paramref name="odd"/> by the sequence number's parity.</summary>
    public static BpfProgram RingbufAlternate(BpfMap counter, BpfMap even, BpfMap odd) => Xdp(new BpfAssembler()
        .NextSequence(counter)
        .SeqRecordOnStack()
        .Mov64(R2, R10).Add64(R2, -24)
        .Mov64(R3, 16)
        .Mov64(R4, 0)
        .Mov64(R8, R6).And64(R8, 1)
        .JumpIf(JumpOp.Ne, R8, 0, "odd")
        .LoadMapFd(R1, even)
        .Call(BpfHelper.RingbufOutput)
        .Exit()
        .Label("odd")
        .LoadMapFd(R1, odd)
        .Call(BpfHelper.RingbufOutput)
        .Exit()
        .WithOut(), "t_rb_alt");

    /// <summary>Writes a <see cref="SeqRecord"/> with bpf_perf_event_output on the current CPU.</summary>
    public static BpfProgram PerfOutput(BpfMap counter, BpfMap perf) => Xdp(new BpfAssembler()
        .Mov64(R9, R1)
        .NextSequence(counter)
        .SeqRecordOnStack()
        .Mov64(R1, R9)
        .LoadMapFd(R2, perf)
        .LoadImm64(R3, CurrentCpu)
        .Mov64(R4, R10).Add64(R4, -24)
        .Mov64(R5, 16)
        .Call(BpfHelper.PerfEventOutput)
        .Exit()
        .WithOut(), "t_perf_out");

    /// <summary>Writes the source map's value with bpf_perf_event_output (sizes as in <see cref="RingbufOutputFromSource"/>).</summary>
    public static BpfProgram PerfOutputFromSource(BpfMap counter, BpfMap perf, BpfMap source, int size, int sizeMask = 0)
    {
        var asm = new BpfAssembler().Mov64(R9, R1).NextSequence(counter).SourceWithSequence(source);
        if (sizeMask != 0) asm.Mov64(R5, R6).And64(R5, sizeMask).Add64(R5, 8);
        else asm.Mov64(R5, size);
        return Xdp(asm
            .Mov64(R1, R9)
            .LoadMapFd(R2, perf)
            .LoadImm64(R3, CurrentCpu)
            .Mov64(R4, R7)
            .Call(BpfHelper.PerfEventOutput)
            .Exit()
            .WithOut(), "t_perf_src");
    }

    /// <summary>
    /// A syscall program that drains <paramref name="userRingbuf"/> with bpf_user_ringbuf_drain. Its callback
    /// adds each sample's first 8 bytes (read with bpf_dynptr_read) to a sum and counts the samples; the
    /// program writes <see cref="DrainResult"/> (sum, count, the helper's return value) into its context.
    /// </summary>
    public static BpfProgram UserRingbufDrain(BpfMap userRingbuf)
    {
        var asm = new BpfAssembler()
            .Mov64(R6, R1)
            .StoreImm(R10, -16, 0, BpfSize.DW)      // sum
            .StoreImm(R10, -8, 0, BpfSize.DW)       // count
            .LoadMapFd(R1, userRingbuf)
            .LoadFunction(R2, "sample")
            .Mov64(R3, R10).Add64(R3, -16)
            .Mov64(R4, 0)
            .Call(BpfHelper.UserRingbufDrain)
            .Store(R6, 16, R0, BpfSize.DW)
            .Load(R1, R10, -16, BpfSize.DW).Store(R6, 0, R1, BpfSize.DW)
            .Load(R1, R10, -8, BpfSize.DW).Store(R6, 8, R1, BpfSize.DW)
            .Mov64(R0, 0).Exit();
        int callback = asm.Count;
        asm
            // long sample(const struct bpf_dynptr *dynptr, void *ctx): ctx is the caller's {sum, count}.
            .Label("sample")
            .Mov64(R6, R2)
            .Mov64(R3, R1)
            .Mov64(R1, R10).Add64(R1, -8)
            .Mov64(R2, 8)
            .Mov64(R4, 0)
            .Mov64(R5, 0)
            .Call(BpfHelper.DynptrRead)
            .JumpIf(JumpOp.Ne, R0, 0, "count")     // shorter than 8 bytes: counted, not summed
            .Load(R1, R10, -8, BpfSize.DW)
            .Load(R2, R6, 0, BpfSize.DW).Add64(R2, R1).Store(R6, 0, R2, BpfSize.DW)
            .Label("count")
            .Load(R1, R6, 8, BpfSize.DW).Add64(R1, 1).Store(R6, 8, R1, BpfSize.DW)
            .Mov64(R0, 0).Exit();
        // A callback needs the program's BTF with func_info (the verifier refuses BPF_PSEUDO_FUNC without it).
        var (btf, funcInfo) = CallbackBtf.Load(callback);
        using (btf)
        {
            return BpfProgram.Load(BpfProgramType.Syscall, asm.Build(), new()
            {
                Name = "t_urb_drain",
                Flags = BpfProgramFlags.Sleepable,
                Btf = btf,
                FuncInfo = funcInfo,
                FuncInfoRecordSize = 8,
            });
        }
    }

    /// <summary>Runs <see cref="UserRingbufDrain"/> once.</summary>
    public static DrainResult Drain(BpfProgram drain)
    {
        var result = drain.TestRun(new BpfTestRunOptions { Context = new byte[24] });
        return MemoryMarshal.Read<DrainResult>(result.Context);
    }
}

[StructLayout(LayoutKind.Sequential)]
public record struct DrainResult(ulong Sum, ulong Count, long Drained);

/// <summary>
/// A struct handler (the zero-allocation path) checking <see cref="SeqRecord"/>s: consecutive sequence
/// numbers from <see cref="Next"/>, each with its check value. Remembers the first failure.
/// </summary>
internal struct SequenceChecker : IRecordHandler
{
    public ulong Next;
    public int Count;
    public string? Failure;

    public void OnRecord(int source, ReadOnlySpan<byte> record)
    {
        Count++;
        if (Failure is not null) return;
        if (record.Length < 16) { Failure = $"record of {record.Length} bytes"; return; }
        var r = MemoryMarshal.Read<SeqRecord>(record);
        if (r.Seq != Next) Failure = $"sequence {r.Seq}, expected {Next}";
        else if (r.Check != SeqRecord.CheckOf(r.Seq)) Failure = $"record {r.Seq}: check {r.Check}";
        Next++;
    }
}
