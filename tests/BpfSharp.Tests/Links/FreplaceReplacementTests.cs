using BpfSharp.Asm;
using BpfSharp.Btf;
using BpfSharp.Links;
using BpfSharp.Tests.Btf;
using BpfSharp.Tests.Support;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.Tests.Links;

/// <summary>
/// freplace: an extension program replaces a global function of a loaded program (subprogs.bpf.o's
/// global_double, called by xdp_two) while the link lives. Runs where the kernel allows BPF trampolines
/// (the 6.1 guest); this host refuses them.
/// </summary>
public class FreplaceReplacementTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", name);

    /// <summary>xdp_two on a packet starting with 3: nested(3) + global_double(3) = 8 + 6.</summary>
    private const uint Original = 14;

    /// <summary>With global_double(x) replaced by x + 100: 8 + 103.</summary>
    private const uint Replaced = 111;

    private static uint RunXdpTwo(BpfProgram program)
    {
        var packet = new byte[64];
        packet[0] = 3;
        return program.TestRun(packet);
    }

    /// <summary>
    /// Loads "int new_double(int x) { return x + 100; }" as an extension of <paramref name="target"/>'s
    /// global_double. The kernel insists on BTF for an extension (its prototype must match the target's).
    /// </summary>
    private static BpfProgram LoadExtension(BpfProgram target)
    {
        var b = new BtfBlobBuilder();
        int intType = b.Int("int", 4, BtfIntEncoding.Signed);
        int proto = b.FuncProto(intType, false, ("x", intType));
        int func = b.Func("new_double", proto);
        using var btf = BpfSharp.Interop.BtfLoader.Load(b.Build(), "the extension's BTF");
        var funcInfo = new byte[8];
        BitConverter.TryWriteBytes(funcInfo.AsSpan(4), (uint)func); // insn_off 0, type_id
        var insns = new BpfAssembler().Mov64(R0, R1).Add64(R0, 100).Exit().Build();
        return BpfProgram.Load(BpfProgramType.Ext, insns, new()
        {
            Name = "t_freplace",
            AttachProgram = target,
            AttachTarget = "global_double",
            Btf = btf,
            FuncInfo = funcInfo,
            FuncInfoRecordSize = 8,
        });
    }

    [Fact]
    public void Freplace_ReplacesTheFunctionWhileAttached_AndDisposeRestoresIt()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Fentry);
        using var obj = BpfObject.Open(Fixture("subprogs.bpf.o"));
        obj.Load();
        var target = obj.Programs["xdp_two"].Program!;
        Assert.Equal(Original, RunXdpTwo(target));

        using var ext = LoadExtension(target);
        Assert.Equal(BpfProgramType.Ext, ext.Type);
        var link = ext.AttachTrace();
        try
        {
            Assert.IsType<TracingLink>(link);
            Assert.Equal(BpfLinkType.Tracing, link.LinkType);
            Assert.Equal(Replaced, RunXdpTwo(target));
            var info = Assert.IsType<TracingLinkInfo>(link.GetInfo());
            Assert.Equal(ext.Id, info.ProgramId);
            // An extension's trampoline is keyed by the target program's id and the function's BTF id.
            Assert.Equal(target.Id, info.TargetObjectId);
            Assert.Equal(ext.AttachBtfId, info.TargetBtfId);
            Assert.Throws<NotSupportedException>(link.Detach);
        }
        finally
        {
            link.Dispose();
        }
        Assert.Equal(Original, RunXdpTwo(target));
    }

    [Fact]
    public void Freplace_PinnedOutlivesDispose_UntilUnpinned()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Fentry);
        using var dir = new TempBpfFsDir();
        using var obj = BpfObject.Open(Fixture("subprogs.bpf.o"));
        obj.Load();
        var target = obj.Programs["xdp_two"].Program!;
        using var ext = LoadExtension(target);
        var link = ext.AttachTrace();
        link.Pin(dir["freplace"]);
        link.Dispose();
        Assert.Equal(Replaced, RunXdpTwo(target));
        using (var pinned = BpfLink.OpenPinned(dir["freplace"]))
        {
            Assert.IsType<TracingLink>(pinned);
            pinned.Unpin();
        }
        Assert.Equal(Original, RunXdpTwo(target));
    }
}
