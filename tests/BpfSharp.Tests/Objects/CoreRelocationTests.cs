using System.Text.RegularExpressions;
using BpfSharp.Btf;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Objects;

/// <summary>
/// CO-RE against the running kernel: a fixture whose local task_struct is reordered, has a field the kernel
/// lacks, bitfields and a flavoured enum. Results are checked against the kernel's own BTF (read with
/// BpfSharp's reader), against the calling thread, and against libbpf (bpftool loads the same object).
/// </summary>
public partial class CoreRelocationTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", name);

    [System.Runtime.InteropServices.LibraryImport("libc")]
    private static partial int gettid();

    private static BpfObject LoadAndRun(out int tid)
    {
        var obj = BpfObject.Open(Fixture("core_reloc.bpf.o"));
        obj.Load();
        tid = 0;
        int t = 0;
        // Raw tracepoint test runs execute in the calling thread's context.
        var thread = new Thread(() =>
        {
            t = gettid();
            foreach (var name in new[] { "core_fields", "core_bitfields", "core_types" })
                obj.Programs[name].Program!.TestRun(new BpfTestRunOptions { Context = new byte[8] });
        });
        thread.Start();
        thread.Join();
        tid = t;
        return obj;
    }

    private static ulong V(BpfObject obj, string name) => obj.Variables[name].Get<ulong>();

    [Fact]
    public void ReorderedLocalTaskStruct_ReadsThePidAndTgidOfTheCallingThread()
    {
        TestKernel.RequireRoot();
        using var obj = LoadAndRun(out int tid);
        Assert.Equal((ulong)tid, V(obj, "pid"));
        Assert.Equal((ulong)Environment.ProcessId, V(obj, "tgid"));
        int ppid = int.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("PPid:")).Split('\t')[1]);
        Assert.Equal((ulong)ppid, V(obj, "ppid_seen"));
    }

    [Fact]
    public void FieldRelocations_MatchTheKernelsBtf()
    {
        TestKernel.RequireRoot();
        var kernel = BtfSpec.LoadKernel();
        var task = kernel.Find<BtfStruct>("task_struct");
        using var obj = LoadAndRun(out _);
        Assert.Equal((ulong)kernel.FindMember(task, "pid").ByteOffset, V(obj, "pid_offset"));
        Assert.Equal((ulong)kernel.FindMember(task, "tgid").ByteOffset, V(obj, "tgid_offset"));
        Assert.Equal(4UL, V(obj, "pid_size"));
        Assert.Equal(1UL, V(obj, "pid_signed"));
        Assert.Equal(1UL, V(obj, "pid_exists"));
        Assert.Equal((ulong)kernel.SizeOf(task.Id), V(obj, "type_size"));
    }

    [Fact]
    public void Bitfield_OffsetAndShiftsExtractTheKernelsBits()
    {
        TestKernel.RequireRoot();
        var kernel = BtfSpec.LoadKernel();
        var member = kernel.FindMember(kernel.Find<BtfStruct>("task_struct"), "sched_migrated");
        Assert.NotEqual(0, member.BitfieldSize);
        using var obj = LoadAndRun(out _);
        ulong offset = V(obj, "bf_offset"), size = V(obj, "bf_size");
        // The load [offset, offset+size) covers the bitfield, and the shifts isolate exactly its bits.
        Assert.True(offset * 8 <= (ulong)member.BitOffset && (ulong)member.BitOffset + (ulong)member.BitfieldSize <= (offset + size) * 8);
        Assert.Equal(64UL - (ulong)member.BitfieldSize, V(obj, "bf_rshift"));
        Assert.Equal(64UL - ((ulong)member.BitOffset + (ulong)member.BitfieldSize - offset * 8), V(obj, "bf_lshift"));
        Assert.True(V(obj, "bf_value") <= 1);
        Assert.Equal(1UL, V(obj, "bf_exists"));
    }

    [Fact]
    public void ExistenceChecks_AnswerFalseForFabricatedNames_AndTheFallbackBranchRuns()
    {
        TestKernel.RequireRoot();
        using var obj = LoadAndRun(out _);
        Assert.Equal(0UL, V(obj, "missing_exists"));
        Assert.Equal(12345UL, V(obj, "missing_read"));
        Assert.Equal(1UL, V(obj, "type_exists"));
        Assert.Equal(0UL, V(obj, "missing_type_exists"));
        Assert.Equal(1UL, V(obj, "enum_exists"));
        Assert.Equal(0UL, V(obj, "missing_enum_exists"));
        // The flavoured local enumerator (1000) takes the kernel's value.
        Assert.Equal((ulong)BpfMapType.RingBuf, V(obj, "enum_value"));
    }

    [Fact]
    public void ReachedUnresolvableRelocation_FailsNamingTheRelocation()
    {
        TestKernel.RequireRoot();
        using var obj = BpfObject.Open(Fixture("core_missing.bpf.o"));
        var e = Assert.Throws<BpfVerifierException>(obj.Load);
        Assert.Contains("CO-RE relocation", e.Message);
        Assert.Contains("task_struct___local", e.Message);
        Assert.Contains("0:1", e.Message); // the access string of not_in_kernel
        Assert.Contains("195896080", e.VerifierLog);
    }

    [Fact]
    public void RelocatedInstructions_AreTheSameAsLibbpfs()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var dir = new TempBpfFsDir();
        using var obj = BpfObject.Open(Fixture("core_reloc.bpf.o"));
        obj.Load();
        Directory.CreateDirectory(dir.Path);
        TestKernel.Run(bpftool, "prog", "loadall", Fixture("core_reloc.bpf.o"), dir["progs"], "pinmaps", dir["maps"]);
        foreach (var name in new[] { "core_fields", "core_bitfields", "core_types" })
        {
            string ours = Normalize(TestKernel.Run(bpftool, "prog", "dump", "xlated", "id", obj.Programs[name].Program!.Id.ToString()));
            string libbpf = Normalize(TestKernel.Run(bpftool, "prog", "dump", "xlated", "pinned", dir[$"progs/{name}"]));
            Assert.Equal(libbpf, ours);
        }
    }

    /// <summary>Map ids differ between the two loads; everything else must be identical.</summary>
    private static string Normalize(string xlated) => MapId().Replace(xlated, "map[id:N]");

    [GeneratedRegex(@"map\[id:\d+\]")]
    private static partial Regex MapId();

    [Fact]
    public void AnotherKernelsBtf_CanBeSupplied()
    {
        TestKernel.RequireRoot();
        // A BTF without task_struct: field reads are poisoned, existence checks answer 0.
        var tiny = BtfSpec.Parse(MinimalBtf());
        using var obj = BpfObject.Open(Fixture("core_reloc.bpf.o"), new BpfObjectOptions { KernelBtf = tiny });
        var e = Assert.Throws<BpfVerifierException>(obj.Load);
        Assert.Contains("CO-RE relocation", e.Message);
    }

    /// <summary>A valid BTF blob with one int type and nothing else.</summary>
    private static byte[] MinimalBtf()
    {
        var blob = new List<byte>();
        void U16(ushort v) => blob.AddRange(BitConverter.GetBytes(v));
        void U32(uint v) => blob.AddRange(BitConverter.GetBytes(v));
        U16(0xEB9F); blob.Add(1); blob.Add(0); U32(24);
        U32(0); U32(16); U32(16); U32(5); // type section 16 bytes at 0, strings 5 bytes at 16
        U32(1); U32(1u << 24); U32(4); U32((1u << 24) | 32); // int "int" 4 bytes signed
        blob.AddRange("\0int\0"u8.ToArray());
        return blob.ToArray();
    }
}
