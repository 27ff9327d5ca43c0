using System.Runtime.InteropServices;
using BpfSharp.Asm;
using BpfSharp.Interop;
using BpfSharp.Links;
using BpfSharp.Tracing;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.Tests.Support;

/// <summary>
/// Records the bpf(2) commands one thread makes, in order, with a BPF program on the syscalls/sys_enter_bpf
/// tracepoint: the kernel itself is the witness of which calls a library operation makes. The tracepoint's
/// field offsets come from its tracefs format file. The thread to record is set and cleared through the map's
/// memory mapping, so the witness adds no bpf() call of its own to what it records.
/// </summary>
public sealed partial class BpfCallWitness : IDisposable
{
    private const int Slots = 64;
    // Map value: [0] the thread to record, [1] how many commands were recorded, [2..] the commands.
    private const int ValueSize = (2 + Slots) * 8;

    private readonly BpfMap _record;
    private readonly BpfProgram _program;
    private readonly BpfLink _link;
    private readonly BpfMappedMemory _memory;

    public BpfCallWitness()
    {
        var format = File.ReadAllLines(Path.Combine(TraceFs.MountPoint, "events", "syscalls", "sys_enter_bpf", "format"));
        short cmdOffset = FieldOffset(format, "cmd");
        _record = BpfMap.Create(BpfMapType.Array, 4, ValueSize, 1, new BpfMapCreateOptions { Flags = BpfMapFlags.Mmapable });
        try
        {
            var insns = new BpfAssembler()
                .Mov64(R6, R1)
                // The low half of bpf_get_current_pid_tgid is the thread id (the event's common fields are not readable).
                .Call(BpfHelper.GetCurrentPidTgid)
                .Mov32(R7, R0)
                .StoreImm(R10, -4, 0, BpfSize.W)
                .Mov64(R2, R10).Add64(R2, -4)
                .LoadMapFd(R1, _record)
                .Call(BpfHelper.MapLookupElem)
                .JumpIf(JumpOp.Eq, R0, 0, "out")
                .Load(R1, R0, 0, BpfSize.DW)
                .JumpIf(JumpOp.Ne, R1, R7, "out")
                .Load(R8, R6, cmdOffset, BpfSize.DW)
                .Load(R3, R0, 8, BpfSize.DW)
                .JumpIf(JumpOp.Ge, R3, Slots, "out")
                .Mov64(R4, R3).Add64(R4, 1)
                .Store(R0, 8, R4, BpfSize.DW)
                .Lsh64(R3, 3)
                .Add64(R0, R3)
                .Store(R0, 16, R8, BpfSize.DW)
                .Label("out").Mov64(R0, 0).Exit()
                .Build();
            _program = BpfProgram.Load(BpfProgramType.Tracepoint, insns, new() { Name = "bpf_witness" });
            _link = _program.AttachTracepoint("syscalls", "sys_enter_bpf");
            _memory = _record.MapMemory();
        }
        catch
        {
            _link?.Dispose();
            _program?.Dispose();
            _record.Dispose();
            throw;
        }
    }

    /// <summary>The bpf(2) commands <paramref name="action"/> made on the calling thread, in order.</summary>
    internal IReadOnlyList<BpfCommand> Record(Action action)
    {
        _memory.Span.Clear();
        Volatile.Write(ref _memory.As<ulong>(0), (ulong)gettid());
        try
        {
            action();
        }
        finally
        {
            Volatile.Write(ref _memory.As<ulong>(0), 0);
        }
        int count = (int)Volatile.Read(ref _memory.As<ulong>(8));
        if (count >= Slots) throw new InvalidOperationException($"the witness recorded more than {Slots - 1} calls");
        return Enumerable.Range(0, count).Select(i => (BpfCommand)_memory.As<ulong>(16 + 8 * i)).ToList();
    }

    private static short FieldOffset(string[] format, string field)
    {
        // "\tfield:int cmd;\toffset:16;\tsize:8;\tsigned:0;"
        var line = format.First(l => l.Contains($" {field};", StringComparison.Ordinal));
        int at = line.IndexOf("offset:", StringComparison.Ordinal) + "offset:".Length;
        return short.Parse(line[at..line.IndexOf(';', at)]);
    }

    [LibraryImport("libc")]
    private static partial int gettid();

    public void Dispose()
    {
        _memory.Dispose();
        _link.Dispose();
        _program.Dispose();
        _record.Dispose();
    }
}
