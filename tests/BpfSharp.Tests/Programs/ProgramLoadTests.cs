using System.Text.Json;
using BpfSharp.Asm;
using BpfSharp.Tests.Support;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.Tests.Programs;

public class ProgramLoadTests
{
    [Fact]
    public void AssembledXdpProgram_ReturnsWhatItComputes()
    {
        TestKernel.RequireRoot();
        // r0 = (data_end - data) + 2, i.e. the packet length plus 2, with a branch on the way.
        var insns = new BpfAssembler()
            .Load(R2, R1, 0, BpfSize.W)        // xdp_md->data
            .Load(R3, R1, 4, BpfSize.W)        // xdp_md->data_end
            .Mov64(R0, R3).Sub64(R0, R2)
            .JumpIf(JumpOp.Gt, R0, 1000, "big")
            .Add64(R0, 2).Exit()
            .Label("big").Mov64(R0, 1).Exit()
            .Build();
        using var prog = BpfProgram.Load(BpfProgramType.Xdp, insns, new() { Name = "t_len" });
        var result = prog.TestRun(new BpfTestRunOptions { Data = new byte[64], Repeat = 10 });
        Assert.Equal(66u, result.ReturnValue);
        Assert.Equal(64, result.Data.Length);
        Assert.Equal(1u, prog.TestRun(new byte[1500]));
    }

    [Fact]
    public void ProgramWritesItsMap_AndTestRunRepeatCountsEveryRun()
    {
        TestKernel.RequireRoot();
        using var counts = BpfMap.Create(BpfMapType.Array, 4, 8, 1, new() { Name = "t_counts" });
        var insns = new BpfAssembler()
            .StoreImm(R10, -4, 0, BpfSize.W)
            .Mov64(R2, R10).Add64(R2, -4)
            .LoadMapFd(R1, counts)
            .Call(BpfHelper.MapLookupElem)
            .JumpIf(JumpOp.Eq, R0, 0, "out")
            .Mov64(R1, 1)
            .AtomicAdd(R0, 0, R1, BpfSize.DW)
            .Label("out").Mov64(R0, 2).Exit()
            .Build();
        using var prog = BpfProgram.Load(BpfProgramType.Xdp, insns, new() { Name = "t_count" });
        Assert.Equal(2u, prog.TestRun(new byte[14], repeat: 1000));
        Assert.Equal(1000L, counts.Lookup<int, long>(0));

        // The kernel lists the map among the program's maps.
        var info = prog.GetInfo();
        Assert.Equal([counts.Id], info.MapIds);
    }

    [Fact]
    public void VerifierRejection_CarriesTheLogInTheMessage()
    {
        TestKernel.RequireRoot();
        // Reads r2 before it is written: the verifier refuses with "R2 !read_ok".
        var insns = new BpfAssembler().Mov64(R0, R2).Exit().Build();
        var e = Assert.Throws<BpfVerifierException>(() => BpfProgram.Load(BpfProgramType.Xdp, insns, new() { Name = "t_bad" }));
        Assert.Equal("EACCES", e.ErrnoName);
        Assert.Contains("R2 !read_ok", e.VerifierLog);
        Assert.Contains("R2 !read_ok", e.Message);
        Assert.Contains("BPF_PROG_LOAD", e.Message);
        Assert.Contains("t_bad", e.Message);
    }

    [Fact]
    public void VerifierLog_GrowsUntilTheWholeLogFits()
    {
        TestKernel.RequireRoot();
        // A long straight program with level 2 logging produces far more than the first 4 KiB buffer.
        var asm = new BpfAssembler().Mov64(R0, 0);
        for (int i = 0; i < 2000; i++) asm.Add64(R0, 1);
        var insns = asm.Exit().Build();
        using var prog = BpfProgram.Load(BpfProgramType.Xdp, insns, new() { LogLevel = 2, LogSize = 4096 });
        Assert.NotNull(prog.VerifierLog);
        Assert.True(prog.VerifierLog!.Length > 4096, $"log has {prog.VerifierLog.Length} chars");
        Assert.Contains("processed 2002 insns", prog.VerifierLog);
    }

    [Fact]
    public void UnknownHelper_IsRejectedWithEinvalAndLog()
    {
        TestKernel.RequireRoot();
        var insns = new BpfAssembler().Call((BpfHelper)100000).Mov64(R0, 0).Exit().Build();
        var e = Assert.Throws<BpfVerifierException>(() => BpfProgram.Load(BpfProgramType.SocketFilter, insns));
        Assert.Equal("EINVAL", e.ErrnoName);
        Assert.Contains("invalid func", e.VerifierLog);
    }

    [Fact]
    public void Pin_FromId_EnumerateIds_GetInfo_AgreeWithBpftool()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var dir = new TempBpfFsDir();
        var insns = new BpfAssembler().Mov64(R0, 0).Exit().Build();
        using var prog = BpfProgram.Load(BpfProgramType.SocketFilter, insns, new() { Name = "t_ident", License = "Dual MIT/GPL" });
        uint id = prog.Id;
        Assert.Contains(id, BpfProgram.EnumerateIds());

        var info = prog.GetInfo();
        Assert.Equal(BpfProgramType.SocketFilter, info.Type);
        Assert.Equal("t_ident", info.Name);
        Assert.True(info.GplCompatible);
        Assert.Equal(2u, info.VerifiedInstructions);

        var json = JsonDocument.Parse(TestKernel.Run(bpftool, "prog", "show", "id", id.ToString(), "-j")).RootElement;
        Assert.Equal("t_ident", json.GetProperty("name").GetString());
        Assert.Equal("socket_filter", json.GetProperty("type").GetString());
        Assert.Equal(info.Tag, json.GetProperty("tag").GetString());
        Assert.True(json.GetProperty("gpl_compatible").GetBoolean());

        prog.Pin(dir["prog"]);
        using var pinned = BpfProgram.OpenPinned(dir["prog"]);
        Assert.Equal(id, pinned.Id);
        using var byId = BpfProgram.FromId(id);
        Assert.Equal("t_ident", byId.Name);
        Assert.Equal(BpfProgramType.SocketFilter, byId.Type);
        pinned.Unpin();
        Assert.False(File.Exists(dir["prog"]));
    }

    [Fact]
    public void ProprietaryLicense_CannotCallGplOnlyHelpers()
    {
        TestKernel.RequireRoot();
        // bpf_ktime_get_ns is open to all; bpf_probe_read_kernel is GPL-only.
        var insns = new BpfAssembler()
            .Mov64(R1, R10).Add64(R1, -8).Mov64(R2, 8).Mov64(R3, 0)
            .Call(BpfHelper.ProbeReadKernel).Mov64(R0, 0).Exit().Build();
        var e = Assert.Throws<BpfVerifierException>(() => BpfProgram.Load(BpfProgramType.Kprobe, insns, new() { License = "Proprietary" }));
        Assert.Contains("GPL", e.VerifierLog);
        using var gpl = BpfProgram.Load(BpfProgramType.Kprobe, insns, new() { License = "GPL" });
    }

    [Fact]
    public void RunTimeStatistics_CountRunsWhileEnabled()
    {
        TestKernel.RequireRoot();
        var insns = new BpfAssembler().Mov64(R0, 1).Exit().Build();
        using var prog = BpfProgram.Load(BpfProgramType.Xdp, insns);
        using (BpfProgram.EnableRunTimeStatistics())
        {
            // Test runs go through the same accounting as hook runs.
            Assert.Equal(1u, prog.TestRun(new byte[14], repeat: 10));
            var info = prog.GetInfo();
            Assert.Equal(10UL, info.RunCount);
            Assert.True(info.RunTime > TimeSpan.Zero);
        }
        // Unless the system enables statistics by sysctl, runs after the handle is closed are not counted.
        if (File.ReadAllText("/proc/sys/kernel/bpf_stats_enabled").Trim() == "0")
        {
            prog.TestRun(new byte[14], repeat: 10);
            Assert.Equal(10UL, prog.GetInfo().RunCount);
        }
    }

    [Fact]
    public void SyscallProgram_ReadsAndWritesItsContext()
    {
        TestKernel.RequireRoot();
        // ctx is a user buffer: *(u64 *)(ctx + 8) = *(u64 *)ctx * 2; return 7.
        var insns = new BpfAssembler()
            .Load(R2, R1, 0, BpfSize.DW).Lsh64(R2, 1).Store(R1, 8, R2, BpfSize.DW)
            .Mov64(R0, 7).Exit().Build();
        using var prog = BpfProgram.Load(BpfProgramType.Syscall, insns, new() { Flags = BpfProgramFlags.Sleepable });
        var ctx = new byte[16];
        BitConverter.TryWriteBytes(ctx, 21L);
        var result = prog.TestRun(new BpfTestRunOptions { Context = ctx });
        Assert.Equal(7u, result.ReturnValue);
        Assert.Equal(42L, BitConverter.ToInt64(result.Context, 8));
    }
}
