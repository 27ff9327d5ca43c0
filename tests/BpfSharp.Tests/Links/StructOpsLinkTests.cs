using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using BpfSharp.Asm;
using BpfSharp.Btf;
using BpfSharp.Interop;
using BpfSharp.Links;
using BpfSharp.Tests.Btf;
using BpfSharp.Tests.Support;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.Tests.Links;

/// <summary>
/// struct_ops links: a TCP congestion control whose callbacks are programs assembled here, its map value laid
/// out from the kernel's BTF (struct bpf_struct_ops_tcp_congestion_ops), registered by BPF_LINK_CREATE.
/// </summary>
public class StructOpsLinkTests
{
    /// <summary>A registered-able tcp_congestion_ops named <see cref="Name"/>: its programs and its map.</summary>
    private sealed class CongestionControl : IDisposable
    {
        private readonly List<IDisposable> _owned = [];

        public string Name { get; }
        public BpfMap Map { get; }

        private readonly byte[] _value;

        /// <summary>The map's value: the programs' fds and the name, laid out as the kernel's struct says.</summary>
        public ReadOnlySpan<byte> Value => _value;

        public CongestionControl(bool link = true, string? algorithm = null)
        {
            Name = algorithm ?? $"bsx{Guid.NewGuid():N}"[..15];
            var kernel = BtfSpec.LoadKernel();
            Assert.True(kernel.TryFindId("tcp_congestion_ops", BtfKind.Struct, out int opsId));
            Assert.True(kernel.TryFindId("bpf_struct_ops_tcp_congestion_ops", BtfKind.Struct, out int valueId));
            var ops = (BtfComposite)kernel[opsId];
            var value = (BtfComposite)kernel[valueId];
            Assert.True(value.TryGetMember("data", out var data));

            // The map wants some BTF of the caller's (the value's type is vmlinux's): an int will do.
            var b = new BtfBlobBuilder();
            b.Int("int", 4, BtfIntEncoding.Signed);
            var btf = Own(BtfLoader.Load(b.Build(), "struct_ops test BTF"));
            Map = Own(BpfMap.Create(BpfMapType.StructOps, 4, value.Size, 1, new BpfMapCreateOptions
            {
                Name = "t_cc",
                Flags = link ? BpfMapFlags.Link : BpfMapFlags.None,
                Btf = btf,
                BtfVmlinuxValueTypeId = (uint)valueId,
            }));

            var bytes = new byte[value.Size];
            foreach (var (member, result) in new[] { ("ssthresh", 2), ("undo_cwnd", 10), ("cong_avoid", 0) })
            {
                int index = ops.Members.IndexOf(ops.Members.First(m => m.Name == member));
                var prog = Own(BpfProgram.Load(BpfProgramType.StructOps, new BpfAssembler().Mov64(R0, result).Exit().Build(), new BpfProgramLoadOptions
                {
                    Name = "t_" + member,
                    AttachBtfId = (uint)opsId,
                    ExpectedAttachType = (BpfAttachType)index,
                }));
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(data.ByteOffset + ops.Members[index].ByteOffset), (long)prog.Handle.DangerousGetHandle());
            }
            Assert.True(ops.TryGetMember("name", out var name));
            Encoding.ASCII.GetBytes(Name).CopyTo(bytes.AsSpan(data.ByteOffset + name.ByteOffset));
            _value = bytes;
            // With a link, setting the value only prepares the map; without, it registers (RegisterStructOps).
            if (link) Map.Update(stackalloc byte[4], bytes);
        }

        private T Own<T>(T disposable) where T : IDisposable
        {
            _owned.Add(disposable);
            return disposable;
        }

        public bool IsRegistered => CongestionControls.IsRegistered(Name);

        public void Dispose()
        {
            for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        }
    }

    [Fact]
    public void Link_RegistersTheCongestionControl_ASocketCanUseIt_AndDisposeUnregisters()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.StructOpsLinks);
        using var ns = TestNetns.Create();
        using var cc = new CongestionControl();
        Assert.False(cc.IsRegistered);

        var link = cc.Map.AttachStructOps();
        uint id = link.Id;
        try
        {
            Assert.True(cc.IsRegistered);
            var info = link.GetInfo();
            Assert.Equal(BpfLinkType.StructOps, info.Type);
            Assert.Equal(cc.Map.Id, info.MapId);
            Assert.Contains(id, BpfLink.EnumerateIds());
            // The kernel hands the registered algorithm to a socket that asks for it by name.
            string chosen = ns.Run(() =>
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.SetRawSocketOption(6 /* IPPROTO_TCP */, 13 /* TCP_CONGESTION */, Encoding.ASCII.GetBytes(cc.Name));
                var buffer = new byte[16];
                int length = socket.GetRawSocketOption(6, 13, buffer);
                return Encoding.ASCII.GetString(buffer, 0, length).TrimEnd('\0');
            });
            Assert.Equal(cc.Name, chosen);
            Assert.Throws<NotSupportedException>(() => link.Update(null!));
        }
        finally
        {
            link.Dispose();
        }
        Assert.True(Eventually.Holds(() => !cc.IsRegistered));
        Assert.True(Eventually.LinkGone(id));
    }

    [Fact]
    public void Detach_Unregisters_AndLeavesMapIdZero()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.StructOpsLinks);
        using var cc = new CongestionControl();
        using var link = cc.Map.AttachStructOps();
        Assert.True(cc.IsRegistered);
        link.Detach();
        Assert.True(Eventually.Holds(() => !cc.IsRegistered));
        Assert.Equal(0u, link.GetInfo().MapId);
    }

    [Fact]
    public void Pin_KeepsItRegistered_UntilUnpinned()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.StructOpsLinks);
        using var dir = new TempBpfFsDir();
        using var cc = new CongestionControl();
        uint id;
        using (var link = cc.Map.AttachStructOps())
        {
            link.Pin(dir["cc"]);
            id = link.Id;
        }
        Assert.True(cc.IsRegistered);
        using (var pinned = BpfLink.OpenPinned(dir["cc"]))
        {
            Assert.Equal(cc.Map.Id, Assert.IsType<StructOpsLink>(pinned).GetInfo().MapId);
            pinned.Unpin();
        }
        Assert.True(Eventually.LinkGone(id));
        Assert.True(Eventually.Holds(() => !cc.IsRegistered));
    }

    [Fact]
    public void RegisterByUpdate_LivesWithoutAnyFd_UntilDisposed()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        using var cc = new CongestionControl(link: false);
        Assert.Throws<InvalidOperationException>(() => cc.Map.AttachStructOps());
        using var registration = cc.Map.RegisterStructOps(cc.Value);
        Assert.Equal(BpfLinkKind.StructOpsMap, registration.Kind);
        Assert.Equal(cc.Map.Id, registration.GetInfo().MapId);
        Assert.True(cc.IsRegistered);
        Assert.Throws<NotSupportedException>(() => registration.Pin(dir["x"]));

        registration.Dispose();
        registration.Dispose();
        Assert.True(Eventually.Holds(() => !cc.IsRegistered));

        // A struct_ops map registers once. Disconnected, another stays registered after every fd of ours is closed.
        Assert.Equal("EBUSY", Assert.Throws<BpfException>(() => cc.Map.RegisterStructOps(cc.Value)).ErrnoName);
        uint mapId;
        string name;
        using (var other = new CongestionControl(link: false))
        {
            var kept = other.Map.RegisterStructOps(other.Value);
            kept.Disconnect();
            kept.Dispose();
            (mapId, name) = (other.Map.Id, other.Name);
        }
        bool deleted;
        try
        {
            Assert.True(CongestionControls.IsRegistered(name));
        }
        finally
        {
            // Unregister it even when the assertion failed: nothing else ever would.
            using var again = BpfMap.FromId(mapId);
            deleted = again.Delete(0u);
        }
        Assert.True(deleted);
        Assert.True(Eventually.Holds(() => !CongestionControls.IsRegistered(name)));
    }

    [Fact]
    public void RegisterByUpdate_UnregisteredBySomeoneElse_DetachAndDisposeDoNotThrow()
    {
        TestKernel.RequireRoot();
        using var cc = new CongestionControl(link: false);
        using var registration = cc.Map.RegisterStructOps(cc.Value);
        Assert.True(cc.IsRegistered);
        // What bpftool struct_ops unregister does: delete the element through another fd of the map.
        using (var other = BpfMap.FromId(cc.Map.Id)) Assert.True(other.Delete(0u));
        Assert.True(Eventually.Holds(() => !cc.IsRegistered));
        // The kernel answers a second delete with EINPROGRESS: already unregistered, not a failure.
        using (var other = BpfMap.FromId(cc.Map.Id))
            Assert.Equal("EINPROGRESS", Assert.Throws<BpfException>(() => other.Delete(0u)).ErrnoName);
        registration.Detach();
        registration.Dispose();
    }

    [Fact]
    public void UpdateMap_SwapsTheRegisteredMap_AndComparesTheOldOne()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.StructOpsLinks);
        using var first = new CongestionControl();
        // The kernel swaps a congestion control only for one of the same name.
        using var second = new CongestionControl(algorithm: first.Name);
        using var link = first.Map.AttachStructOps();
        var e = Assert.Throws<BpfException>(() => link.UpdateMap(second.Map, expectedOld: second.Map));
        Assert.Equal("EPERM", e.ErrnoName);
        Assert.Contains("BPF_LINK_UPDATE", e.Message);
        Assert.Equal(first.Map.Id, link.GetInfo().MapId);

        link.UpdateMap(second.Map, expectedOld: first.Map);
        Assert.Equal(second.Map.Id, link.GetInfo().MapId);
        Assert.True(first.IsRegistered);
    }

    [Fact]
    public void OnlyStructOpsMaps_Register()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Array, 4, 8, 1);
        Assert.Throws<InvalidOperationException>(() => map.AttachStructOps());
    }
}
