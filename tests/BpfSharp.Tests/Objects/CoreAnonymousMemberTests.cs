using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using BpfSharp.Btf;
using BpfSharp.Links;
using BpfSharp.Tests.Btf;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Objects;

/// <summary>
/// CO-RE through anonymous structs and unions (Fixtures/core_anon.bpf.c): the fixture's local views of sock_common,
/// dentry/qstr, file, sk_buff and bpf_iter__task place fields inside and outside anonymous members differently from
/// the kernel. Relocated values are checked against offsets found by walking the kernel's BTF here, values read by the
/// programs against the real file, socket, packet and threads, and the relocated instructions against libbpf's.
/// </summary>
public partial class CoreAnonymousMemberTests
{
    private const string Object = "core_anon.bpf.o";

    private static BpfObject Load(string fixture = Object)
    {
        var obj = BpfObject.Open(ObjectLoadTests.Fixture(fixture));
        try
        {
            obj.Load();
            return obj;
        }
        catch
        {
            obj.Dispose();
            throw;
        }
    }

    /// <summary>The probe for core_anon_skb.bpf.o: the kfunc it calls is in the kernel's BTF.</summary>
    private static bool HasCastToKernelContext(BtfSpec kernel) => kernel.FindAll("bpf_cast_to_kern_ctx").OfType<BtfFunc>().Any();

    private static ulong V(BpfObject obj, string name) => obj.Variables[name].Get<ulong>();

    /// <summary>
    /// A member's bit offset and the member itself, found by name the way C scopes them: members of anonymous structs
    /// and unions count as members of the enclosing one. Written here, independently of the library's lookups.
    /// </summary>
    private static (long Bits, BtfMember Member) Walk(BtfSpec kernel, string type, string path)
    {
        int id = kernel.Find<BtfStruct>(type).Id;
        long bits = 0;
        BtfMember member = default;
        foreach (string name in path.Split('.'))
        {
            var c = (BtfComposite)kernel[kernel.SkipModifiers(id)];
            (long inner, member) = Search(kernel, c, name) ?? throw new KeyNotFoundException($"{type}.{path}: no {name}");
            bits += inner;
            id = member.TypeId;
        }
        return (bits, member);

        static (long, BtfMember)? Search(BtfSpec spec, BtfComposite c, string name)
        {
            foreach (var m in c.Members)
            {
                if (m.Name == name) return (m.BitOffset, m);
                if (m.Name.Length == 0 && spec[spec.SkipModifiers(m.TypeId)] is BtfComposite inner && Search(spec, inner, name) is var (bits, found))
                    return (m.BitOffset + bits, found);
            }
            return null;
        }
    }

    private static ulong ByteOffset(BtfSpec kernel, string type, string path) => (ulong)(Walk(kernel, type, path).Bits / 8);

    [Fact]
    public void FieldAndTypeRelocations_ThroughAnonymousMembers_AreTheKernelsLayout()
    {
        TestKernel.RequireRoot();
        var kernel = BtfSpec.LoadKernel();
        using var obj = Load();
        obj.Programs["read_fds"].Program!.TestRun(new BpfTestRunOptions { Context = new byte[16] });

        Assert.Equal(ByteOffset(kernel, "sock", "__sk_common.skc_daddr"), V(obj, "daddr_offset"));
        Assert.Equal(ByteOffset(kernel, "sock", "__sk_common.skc_dport"), V(obj, "dport_offset"));
        Assert.Equal(ByteOffset(kernel, "sock", "__sk_common.skc_num"), V(obj, "num_offset"));
        Assert.Equal(ByteOffset(kernel, "sock", "__sk_common.skc_addrpair"), V(obj, "addrpair_offset"));
        var (_, addrpair) = Walk(kernel, "sock", "__sk_common.skc_addrpair");
        Assert.Equal((ulong)kernel.SizeOf(kernel.SkipModifiers(addrpair.TypeId)), V(obj, "addrpair_size"));
        var (_, dport) = Walk(kernel, "sock", "__sk_common.skc_dport");
        Assert.Equal((ulong)kernel.SizeOf(kernel.SkipModifiers(dport.TypeId)), V(obj, "dport_size"));
        Assert.Equal(0UL, V(obj, "dport_signed"));   // __be16
        Assert.Equal(0UL, V(obj, "family_signed"));  // unsigned short
        Assert.Equal(1UL, V(obj, "daddr_exists"));
        Assert.Equal(0UL, V(obj, "missing_exists")); // skc_not_in_kernel, inside a local anonymous struct
        Assert.Equal(ByteOffset(kernel, "file", "f_path.dentry"), V(obj, "dentry_offset"));
        Assert.Equal(ByteOffset(kernel, "dentry", "d_name.name"), V(obj, "name_offset"));
        Assert.Equal(ByteOffset(kernel, "dentry", "d_name.len"), V(obj, "len_offset"));

        // Type relocations of types with anonymous members: the local qstr (a subset, anonymous union and struct
        // included) matches the kernel's; the local sock_common (a field the kernel lacks) does not.
        Assert.Equal(1UL, V(obj, "qstr_matches"));
        Assert.Equal(0UL, V(obj, "sock_common_matches"));
        Assert.Equal((ulong)kernel.SizeOf(kernel.Find<BtfStruct>("qstr").Id), V(obj, "qstr_size"));
        Assert.Equal(1UL, V(obj, "dentry_exists"));
    }

    [Fact]
    public void ReadsThroughAnonymousMembers_AreTheFileNameAndTheSocketsAddresses()
    {
        TestKernel.RequireRoot();
        string name = $"bpfsharp-core-{Environment.ProcessId}";
        string path = Path.Combine(Path.GetTempPath(), name);
        using var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
        client.Connect(listener.LocalEndPoint!);
        int serverPort = ((IPEndPoint)listener.LocalEndPoint!).Port, clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;

        using var obj = Load();
        var context = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(context, (ulong)file.SafeFileHandle.DangerousGetHandle());
        BinaryPrimitives.WriteUInt64LittleEndian(context.AsSpan(8), (ulong)client.SafeHandle.DangerousGetHandle());
        obj.Programs["read_fds"].Program!.TestRun(new BpfTestRunOptions { Context = context });

        var read = obj.Variables["file_name"].GetBytes();
        Assert.Equal(name, Encoding.ASCII.GetString(read, 0, Array.IndexOf(read, (byte)0)));
        Assert.Equal((ulong)name.Length, V(obj, "file_name_len"));
        Assert.Equal((ulong)AddressFamily.InterNetwork, V(obj, "family"));
        // skc_dport and the addresses are in network byte order; skc_num in host order.
        Assert.Equal((ulong)BinaryPrimitives.ReverseEndianness((ushort)serverPort), V(obj, "dport"));
        Assert.Equal((ulong)clientPort, V(obj, "num"));
        Assert.Equal((ulong)BitConverter.ToUInt32(IPAddress.Parse("127.0.0.2").GetAddressBytes()), V(obj, "daddr"));
        Assert.Equal((ulong)BitConverter.ToUInt32(IPAddress.Parse("127.0.0.3").GetAddressBytes()), V(obj, "rcv_saddr"));
    }

    [Fact]
    public void KernelSkBuffBitfield_BehindAnonymousMembers_IsThePacketType()
    {
        TestKernel.RequireRoot();
        var kernel = BtfSpec.LoadKernel();
        if (!HasCastToKernelContext(kernel)) Assert.Skip("the kernel lacks the kfunc bpf_cast_to_kern_ctx (Linux 6.3)");
        using var obj = Load("core_anon_skb.bpf.o");
        var program = obj.Programs["read_pkt_type"].Program!;
        // eth_type_trans on the test run's loopback device: its own (zero) address is PACKET_HOST, a multicast address
        // PACKET_MULTICAST (ff:ff:ff:ff:ff:ff too: loopback's broadcast address is zero), another host's PACKET_OTHERHOST.
        foreach (var (destination, packetType) in new[] { ("000000000000", 0UL), ("ffffffffffff", 2UL), ("020000000001", 3UL) })
        {
            var packet = new byte[64];
            Convert.FromHexString(destination).CopyTo(packet, 0);
            packet[12] = 0x08; // IPv4
            program.TestRun(packet);
            Assert.Equal((packetType, packetType), (V(obj, "pkt_type"), V(obj, "uapi_pkt_type")));
        }

        var (bits, member) = Walk(kernel, "sk_buff", "pkt_type");
        ulong offset = V(obj, "pkt_type_offset"), size = V(obj, "pkt_type_size");
        Assert.True(offset * 8 <= (ulong)bits && (ulong)bits + (ulong)member.BitfieldSize <= (offset + size) * 8);
        Assert.Equal(64UL - (ulong)member.BitfieldSize, V(obj, "pkt_type_rshift"));
        Assert.Equal(64UL - ((ulong)bits + (ulong)member.BitfieldSize - offset * 8), V(obj, "pkt_type_lshift"));
        Assert.Equal(1UL, V(obj, "pkt_type_exists"));
    }

    [Fact]
    public void TaskIterator_ReadsMetaAndTaskThroughTheKernelsAnonymousUnions()
    {
        TestKernel.RequireRoot();
        var kernel = BtfSpec.LoadKernel();
        using var obj = Load();
        var before = Threads();
        byte[] output;
        using (var link = obj.Programs["dump_tasks"].Program!.AttachIter(new IterAttachOptions { ProcessId = Environment.ProcessId }))
        using (var stream = link.OpenIterator())
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            output = copy.ToArray();
        }
        var stable = before.Intersect(Threads()).ToHashSet();
        var records = Enumerable.Range(0, output.Length / 16)
            .Select(i => (SeqNum: BitConverter.ToUInt64(output, i * 16), Tid: (int)BitConverter.ToUInt64(output, i * 16 + 8))).ToList();
        // meta->seq_num counts the objects shown; task->pid is each thread of this process.
        Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (ulong)i), records.Select(r => r.SeqNum));
        Assert.Contains(Environment.ProcessId, records.Select(r => r.Tid));
        Assert.Subset(records.Select(r => r.Tid).ToHashSet(), stable);

        Assert.Equal(ByteOffset(kernel, "bpf_iter__task", "meta"), V(obj, "meta_offset"));
        Assert.Equal(ByteOffset(kernel, "bpf_iter__task", "task"), V(obj, "task_offset"));
        Assert.Equal(ByteOffset(kernel, "bpf_iter_meta", "seq_num"), V(obj, "seq_num_offset"));

        static HashSet<int> Threads() => Directory.GetDirectories("/proc/self/task").Select(d => int.Parse(Path.GetFileName(d))).ToHashSet();
    }

    [Fact]
    public void RelocatedInstructions_AreTheSameAsLibbpfs()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var dir = new TempBpfFsDir();
        using var obj = Load();
        Directory.CreateDirectory(dir.Path);
        TestKernel.Run(bpftool, "prog", "loadall", ObjectLoadTests.Fixture(Object), dir["progs"], "pinmaps", dir["maps"]);
        foreach (var name in new[] { "read_fds", "dump_tasks" })
            Assert.Equal(Xlated(bpftool, "pinned", dir[$"progs/{name}"]), Xlated(bpftool, "id", obj.Programs[name].Program!.Id.ToString()));
        if (!HasCastToKernelContext(BtfSpec.LoadKernel())) return;
        using var skb = Load("core_anon_skb.bpf.o");
        TestKernel.Run(bpftool, "prog", "loadall", ObjectLoadTests.Fixture("core_anon_skb.bpf.o"), dir["skb"], "pinmaps", dir["skb_maps"]);
        Assert.Equal(Xlated(bpftool, "pinned", dir["skb/read_pkt_type"]), Xlated(bpftool, "id", skb.Programs["read_pkt_type"].Program!.Id.ToString()));
    }

    /// <summary>A program's instructions as the kernel holds them; map ids differ between two loads, nothing else may.</summary>
    private static string Xlated(string bpftool, string how, string which) =>
        MapId().Replace(TestKernel.Run(bpftool, "prog", "dump", "xlated", how, which), "map[id:N]");

    [GeneratedRegex(@"map\[id:\d+\]")]
    private static partial Regex MapId();

    [Fact]
    public void AccessPathEndingAtAnAnonymousMember_RelocatesAsItsLastNamedMember()
    {
        // libbpf's rule: only named members (and array indices) are looked for in the target, so a path whose last
        // step is an anonymous union is relocated as the named member holding it (here sock.__sk_common).
        var kernel = BtfSpec.LoadKernel();
        var b = new BtfBlobBuilder();
        int u32 = b.Int("unsigned int", 4);
        int u64 = b.Int("unsigned long long", 8);
        int pair = b.Struct("", 8, ("skc_daddr", u32, 0), ("skc_rcv_saddr", u32, 32));
        int union = b.Union("", 8, ("skc_addrpair", u64, 0), ("", pair, 0));
        int common = b.Struct("sock_common___local", 16, ("skc_hash", u32, 0), ("", union, 64));
        int sock = b.Struct("sock___local", 16, ("__sk_common", common, 0));
        int endsAtUnion = b.Str("0:0:1"), throughUnion = b.Str("0:0:1:1:1");
        var local = BtfSpec.Parse(b.Build());
        var relocator = new CoreRelocator(local, [kernel]);
        CoreResult Relocate(int access, CoreRelocationKind kind) => relocator.Relocate(new BtfCoreRelocation(0, sock, access, (int)kind));

        Assert.Equal((1UL, 1UL), (Relocate(endsAtUnion, CoreRelocationKind.FieldExists).LocalValue, Relocate(endsAtUnion, CoreRelocationKind.FieldExists).TargetValue));
        var offset = Relocate(endsAtUnion, CoreRelocationKind.FieldByteOffset);
        Assert.False(offset.Poison);
        Assert.Equal(8UL, offset.LocalValue);
        Assert.Equal(ByteOffset(kernel, "sock", "__sk_common"), offset.TargetValue);
        // The named member after the anonymous ones is found inside the kernel's anonymous members.
        var saddr = Relocate(throughUnion, CoreRelocationKind.FieldByteOffset);
        Assert.Equal((12UL, ByteOffset(kernel, "sock", "__sk_common.skc_rcv_saddr")), (saddr.LocalValue, saddr.TargetValue));
    }
}
