using System.Runtime.InteropServices;
using BpfSharp.Asm;
using BpfSharp.Events;
using BpfSharp.Interop;
using BpfSharp.Tests.Support;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.Tests.Events;

/// <summary>
/// A real producer: a raw tracepoint program on <c>sys_enter</c>, attached with BPF_RAW_TRACEPOINT_OPEN
/// directly (the link API lives elsewhere), writes a record for each getppid(2) this process makes.
/// </summary>
public partial class TracepointProducerTests
{
    [LibraryImport("libc")]
    private static partial int getppid();

    [LibraryImport("libc")]
    private static partial int gettid();

    private static int GetppidNumber => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 173 : 110;

    [Fact]
    public unsafe void SysEnterProgram_WritesOneRecordPerSyscall()
    {
        TestKernel.RequireRoot();
        using var ring = BpfMap.Create(BpfMapType.RingBuf, 0, 0, 16 * 1024, new() { Name = "t_rb_tp" });
        // ctx is struct bpf_raw_tracepoint_args: args[0] the registers, args[1] the syscall number.
        var insns = new BpfAssembler()
            .Mov64(R6, R1)
            .Call(BpfHelper.GetCurrentPidTgid)
            .Mov64(R7, R0)
            .Rsh64(R0, 32)
            .JumpIf(JumpOp.Ne, R0, Environment.ProcessId, "out")
            .Load(R8, R6, 8, BpfSize.DW)
            .JumpIf(JumpOp.Ne, R8, GetppidNumber, "out")
            .Store(R10, -16, R8, BpfSize.DW)
            .Store(R10, -8, R7, BpfSize.DW)
            .LoadMapFd(R1, ring)
            .Mov64(R2, R10).Add64(R2, -16)
            .Mov64(R3, 16)
            .Mov64(R4, 0)
            .Call(BpfHelper.RingbufOutput)
            .Label("out").Mov64(R0, 0).Exit()
            .Build();
        using var prog = BpfProgram.Load(BpfProgramType.RawTracepoint, insns, new() { Name = "t_sys_enter" });
        using var reader = new RingBufferReader(ring);

        var name = Bpf.CString("sys_enter");
        using var use = new HandleUse(prog.Handle);
        fixed (byte* p = name)
        {
            var attr = new RawTracepointOpenAttr { name = (ulong)p, prog_fd = use.Fd };
            using var link = Bpf.CallForFd(BpfCommand.BPF_RAW_TRACEPOINT_OPEN, ref attr, "sys_enter");

            int tid = gettid();
            for (int i = 0; i < 10; i++) getppid();

            var records = new List<(long Id, long PidTgid)>();
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (records.Count < 10 && DateTime.UtcNow < deadline)
                reader.Poll(100, record => records.Add((MemoryMarshal.Read<long>(record), MemoryMarshal.Read<long>(record[8..]))));
            Assert.Equal(10, records.Count);
            Assert.All(records, r =>
            {
                Assert.Equal(GetppidNumber, r.Id);
                Assert.Equal(Environment.ProcessId, (int)(r.PidTgid >> 32));
                Assert.Equal(tid, (int)r.PidTgid);
            });
        }
    }
}
