using System.Buffers.Binary;
using BpfSharp.Asm;
using BpfSharp.Btf;
using BpfSharp.Interop;
using BpfSharp.Links;
using BpfSharp.Tests.Btf;
using BpfSharp.Tests.Support;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.Tests.Links;

/// <summary>
/// freplace: an extension program takes the place of a target program's global function. Both programs are
/// assembled here with a BTF of their own (the kernel matches the two signatures by their func info).
/// Extensions run through BPF trampolines: where the kernel refuses those, the tests skip with the probe's reason.
/// </summary>
public sealed class FreplaceLinkTests : IDisposable
{
    private readonly SafeFdHandle? _btf;
    private readonly int _main, _double, _triple;

    public FreplaceLinkTests()
    {
        var b = new BtfBlobBuilder();
        int i32 = b.Int("int", 4, BtfIntEncoding.Signed);
        int ctx = b.Pointer(b.Struct("__sk_buff", 192));
        _main = b.Func("target_main", b.FuncProto(i32, false, ("ctx", ctx)));
        int intOfInt = b.FuncProto(i32, false, ("x", i32));
        _double = b.Func("global_double", intOfInt);
        _triple = b.Func("triple", intOfInt);
        if (Environment.UserName == "root") _btf = BtfLoader.Load(b.Build(), "freplace test BTF");
    }

    public void Dispose() => _btf?.Dispose();

    private static void RequireTrampolines()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Fentry); // freplace runs on BPF trampolines too
    }

    private static byte[] FuncInfo(params (uint Instruction, int Type)[] records)
    {
        var bytes = new byte[records.Length * 8];
        for (int i = 0; i < records.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 8), records[i].Instruction);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 8 + 4), (uint)records[i].Type);
        }
        return bytes;
    }

    /// <summary>A sched_cls program returning global_double(3), global_double(x) being 2 * x: 6.</summary>
    private BpfProgram Target(string name) => BpfProgram.Load(BpfProgramType.SchedCls, new BpfAssembler()
        .Mov64(R1, 3).CallFunction("double").Exit()
        .Label("double").Mov64(R0, R1).Mul64(R0, 2).Exit()
        .Build(), new BpfProgramLoadOptions { Name = name, Btf = _btf, FuncInfo = FuncInfo((0, _main), (3, _double)), FuncInfoRecordSize = 8 });

    /// <summary>An extension computing 3 * x, loaded for <paramref name="target"/>'s global_double.</summary>
    private BpfProgram Triple(BpfProgram target) => BpfProgram.Load(BpfProgramType.Ext, new BpfAssembler()
        .Mov64(R0, R1).Mul64(R0, 3).Exit()
        .Build(), new BpfProgramLoadOptions
        {
            Name = "triple",
            AttachProgram = target,
            AttachTarget = "global_double",
            Btf = _btf,
            FuncInfo = FuncInfo((0, _triple)),
            FuncInfoRecordSize = 8,
        });

    private static uint Run(BpfProgram program) => program.TestRun(new byte[64]);

    [Fact]
    public void AttachFreplace_ReplacesTheFunctionOfAnotherTarget_UntilDisposed()
    {
        RequireTrampolines();
        using var loadTarget = Target("t_first");
        using var other = Target("t_second");
        using var ext = Triple(loadTarget);
        Assert.Equal(6u, Run(other));

        var link = ext.AttachFreplace(other, "global_double");
        uint id = link.Id;
        try
        {
            Assert.Equal(9u, Run(other));
            Assert.Equal(6u, Run(loadTarget));
            var info = Assert.IsType<TracingLinkInfo>(link.GetInfo());
            Assert.Equal(ext.Id, info.ProgramId);
            Assert.Equal(other.Id, info.TargetObjectId);
            Assert.Equal((uint)_double, info.TargetBtfId);
            Assert.Throws<NotSupportedException>(link.Detach);
        }
        finally
        {
            link.Dispose();
        }
        Assert.True(Eventually.Holds(() => Run(other) == 6));
        Assert.True(Eventually.LinkGone(id));
    }

    [Fact]
    public void AttachTrace_UsesTheLoadTarget()
    {
        RequireTrampolines();
        using var target = Target("t_first");
        using var ext = Triple(target);
        using (var link = ext.AttachTrace())
        {
            Assert.IsType<TracingLink>(link);
            Assert.Equal(9u, Run(target));
        }
        Assert.True(Eventually.Holds(() => Run(target) == 6));
    }

    [Fact]
    public void AMissingFunction_FailsClearly()
    {
        RequireTrampolines();
        using var target = Target("t_first");
        using var ext = Triple(target);
        var e = Assert.Throws<BpfException>(() => ext.AttachFreplace(target, "no_such_function"));
        Assert.Contains("no_such_function", e.Message);
        Assert.Contains("BPF_LINK_CREATE", e.Message);
        Assert.Equal("ENOENT", e.ErrnoName); // libbpf: the function is not in the target program's BTF
    }

    [Fact]
    public void OnlyExtensionPrograms_ReplaceAFunction()
    {
        TestKernel.RequireRoot();
        using var target = Target("t_first");
        var e = Assert.Throws<InvalidOperationException>(() => target.AttachFreplace(target, "global_double"));
        Assert.Contains("extension", e.Message);
    }
}
