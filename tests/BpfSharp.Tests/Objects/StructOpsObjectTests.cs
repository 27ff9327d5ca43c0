using BpfSharp.Links;
using BpfSharp.Btf;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Objects;

/// <summary>
/// struct_ops maps of an object: a TCP congestion control whose callbacks are the object's programs. The kernel
/// is the witness: it lists the congestion control in /proc while it is registered.
/// </summary>
public class StructOpsObjectTests
{
    private static bool Registered() => CongestionControls.IsRegistered("bpfsharp_fx");

    [Fact]
    public void Open_VariableBecomesAStructOpsMap_AndItsProgramsAreBoundToMembers()
    {
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("struct_ops.bpf.o"));
        var map = obj.Maps["fx_cc"];
        Assert.Equal((BpfMapType.StructOps, BpfMapFlags.Link, ".struct_ops.link"), (map.Type, map.Flags, map.SectionName));
        Assert.Equal(3, obj.Programs.Values.Count(p => p.Type == BpfProgramType.StructOps && p.Autoload));
    }

    [Fact]
    public void Load_CreatesTheMapWithTheKernelsValueType_WithoutRegistering()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.StructOpsLinks);
        var kernel = BtfSpec.LoadKernel();
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("struct_ops.bpf.o"));
        obj.Load();
        var info = obj.Maps["fx_cc"].Map!.GetInfo();
        Assert.Equal(BpfMapType.StructOps, info.Type);
        Assert.Equal((uint)kernel.Find<BtfStruct>("bpf_struct_ops_tcp_congestion_ops").Id, info.BtfVmlinuxValueTypeId);
        Assert.Equal(kernel.Find<BtfStruct>("bpf_struct_ops_tcp_congestion_ops").Size, info.ValueSize);
        // Each callback is loaded against the kernel's struct, at its member's index.
        var ops = kernel.Find<BtfStruct>("tcp_congestion_ops");
        foreach (var (prog, member) in new[] { ("fx_ssthresh", "ssthresh"), ("fx_undo_cwnd", "undo_cwnd") })
        {
            var progInfo = obj.Programs[prog].Program!.GetInfo();
            Assert.Equal((uint)ops.Id, progInfo.AttachBtfId);
            Assert.Equal(ops.Members.Select(m => m.Name).ToList().IndexOf(member), (int)obj.Programs[prog].ExpectedAttachType!.Value);
        }
        Assert.False(Registered());
    }

    [Fact]
    public void RegisterByUpdate_AppearsInTheKernel_AndDeletingTheElementUnregisters()
    {
        TestKernel.RequireRoot();
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("struct_ops_update.bpf.o"));
        obj.Load();
        var map = obj.Maps["fx_cc"].Map!;
        Assert.False(Registered());
        using (var registration = obj.RegisterStructOps("fx_cc"))
        {
            Assert.True(Registered());
            Assert.Equal(map.Id, registration.GetInfo().MapId);
        }
        Assert.True(Eventually.Holds(() => !Registered()), "bpfsharp_fx unregistered");
    }

    [Fact]
    public void LinkMode_AttachStructOpsRegisters_AndDisposingTheLinkUnregisters()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.StructOpsLinks);
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("struct_ops.bpf.o"));
        obj.Load();
        using (var link = obj.Maps["fx_cc"].Map!.AttachStructOps())
        {
            Assert.True(Registered());
            Assert.Equal(obj.Maps["fx_cc"].Map!.Id, link.GetInfo().MapId);
        }
        Assert.True(Eventually.Holds(() => !Registered()), "bpfsharp_fx unregistered");
    }

    /// <summary>As libbpf's skeleton attach: a .struct_ops.link map is attached with the programs, its callbacks skipped as programs.</summary>
    [Fact]
    public void AttachAll_RegistersTheStructOpsLinkMap_AndDisposingItsLinkUnregisters()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.StructOpsLinks);
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("struct_ops.bpf.o"));
        obj.Load();
        var skipped = new List<string>();
        var links = obj.AttachAll(skipped.Add);
        try
        {
            var link = Assert.IsType<StructOpsLink>(Assert.Single(links));
            Assert.Equal(obj.Maps["fx_cc"].Map!.Id, link.GetInfo().MapId);
            Assert.True(Registered());
            // The callbacks run through the map: they are neither attached as programs nor reported as skipped.
            Assert.Empty(skipped);
        }
        finally
        {
            foreach (var l in links) l.Dispose();
        }
        Assert.True(Eventually.Holds(() => !Registered()), "bpfsharp_fx unregistered");
    }

    [Fact]
    public void RegisterStructOps_BeforeLoadOrOnAnotherMap_Throws()
    {
        TestKernel.RequireRoot();
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("struct_ops_update.bpf.o"));
        Assert.Throws<InvalidOperationException>(() => obj.RegisterStructOps("fx_cc"));
    }
}
