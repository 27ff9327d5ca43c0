using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Links;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Objects;

/// <summary>
/// Every fixture object loaded into the running kernel and its programs run with BPF_PROG_TEST_RUN; the
/// expected results are those of Fixtures/README.md, which libbpf reproduces (scripts/verify-fixtures.sh).
/// What the kernel reports is read back, and bpftool is the independent witness for names, types and ids.
/// </summary>
public partial class ObjectLoadTests
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", name);

    private static BpfObject Load(string fixture, Action<BpfObject>? beforeLoad = null)
    {
        var obj = BpfObject.Open(Fixture(fixture));
        try
        {
            beforeLoad?.Invoke(obj);
            obj.Load();
            return obj;
        }
        catch
        {
            obj.Dispose();
            throw;
        }
    }

    private static uint Run(BpfObject obj, string program, params byte[] packetStart)
    {
        var packet = new byte[64];
        packetStart.CopyTo(packet, 0);
        return obj.Programs[program].Program!.TestRun(packet);
    }

    private static BpfMap MapOf(BpfObject obj, string name) => obj.Maps[name].Map!;

    private static JsonElement Bpftool(params string[] args) => TestKernel.Bpftool(null, args);

    [Fact]
    public void Maps_EveryDefinitionReachesTheKernel()
    {
        TestKernel.RequireRoot();
        using var obj = Load("maps.bpf.o");
        Assert.Equal(31, obj.Maps.Count);
        void Expect(string name, BpfMapType type, int key, int value, int entries, BpfMapFlags flags = BpfMapFlags.None, ulong extra = 0)
        {
            var info = MapOf(obj, name).GetInfo();
            Assert.Equal((type, key, value, entries, flags, extra, name),
                (info.Type, info.KeySize, info.ValueSize, info.MaxEntries, info.Flags, info.MapExtra, info.Name));
        }
        Expect("hash_map", BpfMapType.Hash, 4, 8, 16);
        Expect("array_map", BpfMapType.Array, 4, 8, 4);
        Expect("percpu_hash", BpfMapType.PerCpuHash, 4, 8, 8);
        Expect("lru_percpu_hash", BpfMapType.LruPerCpuHash, 4, 8, 16);
        Expect("lpm_trie", BpfMapType.LpmTrie, 8, 4, 16, BpfMapFlags.NoPrealloc);
        Expect("queue", BpfMapType.Queue, 0, 4, 8);
        Expect("bloom_filter", BpfMapType.BloomFilter, 0, 4, 16, extra: 3);
        Expect("ringbuf", BpfMapType.RingBuf, 0, 0, 65536);
        Expect("perf_events", BpfMapType.PerfEventArray, 4, 4, global::BpfSharp.Interop.Cpus.PossibleCount);
        Expect("array_of_maps", BpfMapType.ArrayOfMaps, 4, 4, 2);
        Expect("stack_traces", BpfMapType.StackTrace, 4, 1016, 16);
        Expect("reuseport_array", BpfMapType.ReuseportSockArray, 4, 4, 4);
        Expect("task_storage", BpfMapType.TaskStorage, 4, 8, 0, BpfMapFlags.NoPrealloc);
        Expect("sized_array", BpfMapType.Array, 4, 8, 2);
        Expect("mmap_array", BpfMapType.Array, 4, 8, 4, BpfMapFlags.Mmapable);
        Expect("numa_hash", BpfMapType.Hash, 4, 8, 8, BpfMapFlags.NumaNode);

        // BTF key/value types where the kernel takes them, none where it refuses them.
        var hash = MapOf(obj, "hash_map").GetInfo();
        Assert.NotEqual(0u, hash.BtfId);
        Assert.NotEqual(0u, hash.BtfKeyTypeId);
        Assert.NotEqual(0u, hash.BtfValueTypeId);
        Assert.NotEqual(0u, MapOf(obj, "task_storage").GetInfo().BtfValueTypeId);
        foreach (var refused in new[] { "queue", "stack", "devmap", "sockmap", "cgroup_array" })
            Assert.Equal(0u, MapOf(obj, refused).GetInfo().BtfValueTypeId);
        Assert.Equal(0u, MapOf(obj, "sized_array").GetInfo().BtfValueTypeId);
    }

    [Fact]
    public void Maps_ProgramWritesEveryMapType()
    {
        TestKernel.RequireRoot();
        using var obj = Load("maps.bpf.o");
        Assert.Equal(2u, Run(obj, "touch_maps"));

        Assert.Equal(100UL, MapOf(obj, "hash_map").Lookup<uint, ulong>(1));
        Assert.Equal(200UL, MapOf(obj, "array_map").Lookup<uint, ulong>(0));
        Assert.Equal(500UL, MapOf(obj, "lru_hash").Lookup<uint, ulong>(3));
        var perCpu = new ulong[global::BpfSharp.Interop.Cpus.PossibleCount];
        Assert.True(MapOf(obj, "percpu_hash").TryLookupPerCpu<uint, ulong>(2, perCpu));
        Assert.Equal((300UL, 1), (perCpu.Aggregate(0UL, (a, b) => a + b), perCpu.Count(v => v != 0)));
        Assert.True(MapOf(obj, "percpu_array").TryLookupPerCpu<uint, ulong>(0, perCpu));
        Assert.Equal(400UL, perCpu.Aggregate(0UL, (a, b) => a + b));

        var lpm = MapOf(obj, "lpm_trie");
        Assert.Equal(700u, lpm.Lookup<ulong, uint>(LpmKey(32, 10, 0, 0, 42)));
        Assert.False(lpm.TryLookup<ulong, uint>(LpmKey(32, 10, 0, 1, 42), out _));

        var queue = MapOf(obj, "queue");
        Assert.True(queue.TryPop(out uint q1));
        Assert.True(queue.TryPop(out uint q2));
        Assert.False(queue.TryPop(out uint _));
        Assert.Equal((11u, 22u), (q1, q2));
        var stack = MapOf(obj, "stack");
        Assert.True(stack.TryPop(out uint s1));
        Assert.True(stack.TryPop(out uint s2));
        Assert.Equal((44u, 33u), (s1, s2));

        // A bloom filter is asked with a NULL key and the value: ENOENT means "certainly absent".
        Assert.True(MapOf(obj, "bloom_filter").TryLookup(default, BitConverter.GetBytes(1234u)));
        Assert.False(MapOf(obj, "bloom_filter").TryLookup(default, BitConverter.GetBytes(4321u)));
        Assert.Equal(0x1122334455667788UL, MapOf(obj, "sized_array").Lookup<uint, ulong>(1));
        Assert.Equal(0UL, MapOf(obj, "sized_array").Lookup<uint, ulong>(0));
        Assert.Equal(900UL, MapOf(obj, "mmap_array").Lookup<uint, ulong>(0));
        using (var memory = MapOf(obj, "mmap_array").MapMemory(writable: false))
            Assert.Equal(900UL, MemoryMarshal.Read<ulong>(memory.Span));
        Assert.Equal(800UL, MapOf(obj, "numa_hash").Lookup<uint, ulong>(5));

        using var ring = new global::BpfSharp.Events.RingBufferReader(MapOf(obj, "ringbuf"));
        var records = new List<ulong>();
        ring.Consume(record => records.Add(BinaryPrimitives.ReadUInt64LittleEndian(record)));
        Assert.Equal([0xcafef00dUL], records);
    }

    private static ulong LpmKey(uint prefix, byte a, byte b, byte c, byte d) =>
        prefix | (ulong)a << 32 | (ulong)b << 40 | (ulong)c << 48 | (ulong)d << 56;

    [Fact]
    public void Maps_QueueAndStackFillUpAfterEightRuns()
    {
        TestKernel.RequireRoot();
        using var obj = Load("maps.bpf.o");
        var results = Enumerable.Range(0, 5).Select(_ => Run(obj, "touch_maps")).ToArray();
        Assert.Equal([2u, 2u, 2u, 2u, 0u], results);
    }

    [LibraryImport("libc", EntryPoint = "pidfd_open", SetLastError = true)]
    private static partial int PidfdOpen(int pid, uint flags);

    [LibraryImport("libc")]
    private static partial int gettid();

    [LibraryImport("libc")]
    private static partial int close(int fd);

    [Fact]
    public void Maps_TaskStorageIsKeyedByTheCallingThread()
    {
        TestKernel.RequireRoot();
        using var obj = Load("maps.bpf.o");
        var context = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(context.AsSpan(8), 42);
        uint result = 0;
        ulong stored = 0;
        int errno = 0;
        // A raw_tp test run executes in the calling thread; a thread pidfd (PIDFD_THREAD = O_EXCL) names that task.
        var thread = new Thread(() =>
        {
            result = obj.Programs["touch_task"].Program!.TestRun(new BpfTestRunOptions { Context = context }).ReturnValue;
            int pidfd = PidfdOpen(gettid(), 0x80);
            if (pidfd < 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return;
            }
            try { stored = MapOf(obj, "task_storage").Lookup<int, ulong>(pidfd); }
            finally { close(pidfd); }
        });
        thread.Start();
        thread.Join();
        if (errno == 22 /* EINVAL */) Assert.Skip("pidfd_open of a thread (PIDFD_THREAD) needs Linux 6.9: the test cannot name its thread's task");
        Assert.True(errno == 0, $"pidfd_open: errno {errno}");
        Assert.Equal(1u, result);
        Assert.Equal(42UL, stored);
    }

    [Fact]
    public void Maps_BpftoolSeesTheSameProgramAndMaps()
    {
        TestKernel.RequireRoot();
        using var obj = Load("maps.bpf.o");
        var prog = obj.Programs["touch_maps"].Program!;
        var info = prog.GetInfo();
        var shown = Bpftool("prog", "show", "id", info.Id.ToString());
        Assert.Equal("touch_maps", shown.GetProperty("name").GetString());
        Assert.Equal("xdp", shown.GetProperty("type").GetString());
        Assert.Equal(info.BtfId, shown.GetProperty("btf_id").GetUInt32());
        var mapIds = shown.GetProperty("map_ids").EnumerateArray().Select(e => e.GetUInt32()).Order().ToArray();
        Assert.Equal(info.MapIds.Order().ToArray(), mapIds);
        // Every map the program references is one the object created.
        var objectMapIds = obj.Maps.Values.Select(m => m.Map!.Id).ToHashSet();
        Assert.All(mapIds, id => Assert.Contains(id, objectMapIds));
        Assert.Contains(MapOf(obj, "hash_map").Id, mapIds);

        var lpm = Bpftool("map", "show", "id", MapOf(obj, "lpm_trie").Id.ToString());
        Assert.Equal(("lpm_trie", "lpm_trie", 8, 4, 16), (lpm.GetProperty("name").GetString(), lpm.GetProperty("type").GetString(),
            lpm.GetProperty("bytes_key").GetInt32(), lpm.GetProperty("bytes_value").GetInt32(), lpm.GetProperty("max_entries").GetInt32()));
        // The object's BTF is one object in the kernel, shared by programs and maps.
        Assert.Equal(info.BtfId, MapOf(obj, "hash_map").GetInfo().BtfId);
    }

    [Fact]
    public void LegacyMaps_DefinitionsFromTheMapsSection()
    {
        TestKernel.RequireRoot();
        using var obj = Load("legacy_maps.bpf.o");
        var counters = MapOf(obj, "counters").GetInfo();
        var hash = MapOf(obj, "legacy_hash").GetInfo();
        Assert.Equal((BpfMapType.Array, 4, 4, 2), (counters.Type, counters.KeySize, counters.ValueSize, counters.MaxEntries));
        Assert.Equal((BpfMapType.Hash, 4, 8, 8, BpfMapFlags.NoPrealloc), (hash.Type, hash.KeySize, hash.ValueSize, hash.MaxEntries, hash.Flags));

        Assert.Equal(0u, Run(obj, "legacy_get"));
        for (int i = 0; i < 3; i++) Assert.Equal(2u, Run(obj, "legacy_count"));
        Assert.Equal(3u, Run(obj, "legacy_get"));
        MapOf(obj, "counters").Update<uint, uint>(1, 2);
        Assert.Equal(203u, Run(obj, "legacy_get"));
        Assert.Equal(0x1234UL, MapOf(obj, "legacy_hash").Lookup<uint, ulong>(7));
    }

    [Fact]
    public void MapInMap_OuterMapsHoldTheirInitialInnerMaps()
    {
        TestKernel.RequireRoot();
        using var obj = Load("map_in_map.bpf.o");
        Assert.Equal(0u, Run(obj, "lookup_array", 0));
        Assert.Equal(0u, Run(obj, "fill_inner"));
        Assert.Equal([111u, 238u, 222u, 238u], new byte[] { 0, 1, 2, 3 }.Select(k => Run(obj, "lookup_array", k)));
        Assert.Equal([238u, 222u, 238u, 111u], new byte[] { 0, 1, 2, 3 }.Select(k => Run(obj, "lookup_hash", k)));
        // The slots hold the inner maps' ids, as the kernel reports them.
        Assert.Equal(MapOf(obj, "inner_a").Id, MapOf(obj, "outer_array").Lookup<uint, uint>(0));
        Assert.Equal(MapOf(obj, "inner_b").Id, MapOf(obj, "outer_hash").Lookup<uint, uint>(1));
    }

    [Fact]
    public void MapInMap_InnerTemplatesCarryTheirBtf_TimersAndTaskStorage()
    {
        TestKernel.RequireRoot();
        // Created without BTF, the timer template differs from the timers map stored in slot 0 (EINVAL from the
        // update) and the task storage template cannot be created at all (EINVAL), as libbpf never fails.
        using var obj = Load("map_in_map_btf.bpf.o");
        Assert.Equal(MapOf(obj, "timers").Id, MapOf(obj, "outer_timers").Lookup<uint, uint>(0));
        Assert.Equal([1u, 0u], new byte[] { 0, 1 }.Select(k => Run(obj, "has_timer_map", k)));
    }

    [Fact]
    public void AnObjectWithoutALicense_DeclaresNone_SoGplOnlyHelpersAreRefused()
    {
        TestKernel.RequireRoot();
        using (var obj = Load("no_license.bpf.o", o => o.Programs["gpl_helper"].Autoload = false))
        {
            Assert.Equal(7u, Run(obj, "plain"));
            Assert.False(obj.Programs["plain"].Program!.GetInfo().GplCompatible);
        }
        // As libbpf: the verifier refuses bpf_trace_printk to a program that declares no GPL-compatible license.
        var e = Assert.Throws<BpfVerifierException>(() => Load("no_license.bpf.o"));
        Assert.Equal("EINVAL", e.ErrnoName);
        Assert.Contains("GPL", e.VerifierLog);
    }

    [Fact]
    public void TailCalls_ProgramArrayIsFilledAfterLoading()
    {
        TestKernel.RequireRoot();
        using var obj = Load("tail_calls.bpf.o");
        Assert.Equal(10u, Run(obj, "entry", 0));
        Assert.Equal(20u, Run(obj, "entry", 1));
        Assert.Equal(10u, Run(obj, "entry", 1, 0xaa));
        Assert.Equal([1u, 1u, 1u], new byte[] { 2, 3, 255 }.Select(k => Run(obj, "entry", k)));
        Assert.Equal(obj.Programs["prog_b"].Program!.GetInfo().Id, MapOf(obj, "jump_table").Lookup<uint, uint>(1));
    }

    private static (uint Ret, byte[] Snapshot) ReadGlobals(BpfObject obj)
    {
        var result = obj.Programs["read_globals"].Program!.TestRun(new BpfTestRunOptions { Context = new byte[80] });
        return (result.ReturnValue, result.Context);
    }

    private static uint U32(byte[] b, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(offset));
    private static ulong U64(byte[] b, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(offset));

    [Fact]
    public void Globals_SectionsBecomeMapsWithTheirInitialValues()
    {
        TestKernel.RequireRoot();
        using var obj = Load("globals.bpf.o");
        void Expect(string name, int size, BpfMapFlags flags)
        {
            var info = MapOf(obj, name).GetInfo();
            Assert.Equal((BpfMapType.Array, 4, size, 1, flags), (info.Type, info.KeySize, info.ValueSize, info.MaxEntries, info.Flags));
        }
        Expect("globals.data", 52, BpfMapFlags.Mmapable);
        Expect("globals.bss", 80, BpfMapFlags.Mmapable);
        Expect("globals.rodata", 32, BpfMapFlags.Mmapable | BpfMapFlags.ReadOnlyProgram);
        Expect(".data.counters", 8, BpfMapFlags.Mmapable);
        Expect(".rodata.limits", 4, BpfMapFlags.Mmapable | BpfMapFlags.ReadOnlyProgram);

        var (ret, s) = ReadGlobals(obj);
        Assert.Equal(26u, ret);
        Assert.Equal((7u, 9u, 10UL, 10u, 20u), (U32(s, 0), U32(s, 4), U64(s, 8), U32(s, 16), U32(s, 20)));
        Assert.Equal((0u, 0u, 0UL), (U32(s, 24), U32(s, 28), U64(s, 32)));
        Assert.Equal((3u, 2u, 0x0123456789abcdefUL, 5u, 1000u), (U32(s, 40), U32(s, 44), U64(s, 48), U32(s, 56), U32(s, 60)));
        Assert.Equal("hello\0\0\0", System.Text.Encoding.ASCII.GetString(s, 64, 8));
        Assert.Equal((2u, 1u), (U32(s, 72), U32(s, 76)));

        Assert.Equal(2u, Run(obj, "xdp_action"));
        Assert.Equal(1u, obj.Programs["xdp_action"].Program!.TestRun(new byte[1001]));
        Assert.Equal(2u, obj.Programs["xdp_action"].Program!.TestRun(new byte[1000]));
    }

    [Fact]
    public void Globals_ProgramWritesAreVisibleThroughVariables_AndUserWritesThroughPrograms()
    {
        TestKernel.RequireRoot();
        using var obj = Load("globals.bpf.o");
        Assert.Equal(1u, obj.Programs["bump_globals"].Program!.TestRun(new BpfTestRunOptions()).ReturnValue);
        var (ret, s) = ReadGlobals(obj);
        Assert.Equal(30u, ret);
        Assert.Equal((8u, 10u, 20UL, 21u, 1u, 2u, 77UL, 6u), (U32(s, 0), U32(s, 4), U64(s, 8), U32(s, 20), U32(s, 24), U32(s, 28), U64(s, 32), U32(s, 56)));

        Assert.Equal(8u, obj.Variables["data_int"].Get<uint>());
        Assert.Equal(1u, obj.Variables["bss_int"].Get<uint>());
        Assert.Equal(6u, obj.Variables["counter"].Get<uint>());
        Assert.Equal(3u, obj.Variables["ro_mult"].Get<uint>());
        // The map itself (not just the mapping) holds the same bytes.
        var data = new byte[52];
        MapOf(obj, "globals.data").Lookup(BitConverter.GetBytes(0), data);
        Assert.Equal(8u, U32(data, 0));

        obj.Variables["data_int"].Set(100u);
        Assert.Equal(100u * 3 + 6, ReadGlobals(obj).Ret);
        Assert.Throws<InvalidOperationException>(() => obj.Variables["ro_mult"].Set(4u));
        // Frozen: not even the map update path can change .rodata.
        var ex = Assert.Throws<BpfException>(() => MapOf(obj, "globals.rodata").Update(BitConverter.GetBytes(0), new byte[32]));
        Assert.Equal("EPERM", ex.ErrnoName);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Config { public uint Mult, Action; public ulong Magic; }

    [Fact]
    public void Globals_ReadOnlyValuesSetBeforeLoad_ChangeWhatTheProgramsSee()
    {
        TestKernel.RequireRoot();
        using var obj = Load("globals.bpf.o", o =>
        {
            Assert.Equal(3u, o.Variables["ro_mult"].Get<uint>());
            o.Variables["ro_mult"].Set(5u);
            var config = o.Variables["ro_config"].Get<Config>();
            Assert.Equal(0x0123456789abcdefUL, config.Magic);
            o.Variables["ro_config"].Set(config with { Action = 3 });
            o.Variables["limit"].Set(100u);
            o.Variables["counter"].Set(50u);
        });
        Assert.Equal(85u, ReadGlobals(obj).Ret);
        Assert.Equal(3u, Run(obj, "xdp_action"));
        Assert.Equal(1u, obj.Programs["xdp_action"].Program!.TestRun(new byte[101]));
        Assert.Equal(5u, obj.Variables["ro_mult"].Get<uint>());
    }

    [Fact]
    public void Globals_VariablesDescribeTheirSections()
    {
        using var obj = BpfObject.Open(Fixture("globals.bpf.o"));
        var v = obj.Variables;
        Assert.Equal((".data", 8, 32), (v["data_array"].SectionName, v["data_array"].Offset, v["data_array"].Size));
        Assert.Equal((".bss", 16, 64), (v["bss_array"].SectionName, v["bss_array"].Offset, v["bss_array"].Size));
        Assert.Equal((".rodata", 24, 8), (v["ro_greeting"].SectionName, v["ro_greeting"].Offset, v["ro_greeting"].Size));
        Assert.Equal(".rodata.limits", v["limit"].SectionName);
        Assert.Equal("hello\0\0\0", System.Text.Encoding.ASCII.GetString(v["ro_greeting"].GetBytes()));
        Assert.Throws<ArgumentException>(() => v["limit"].Set(1UL));
    }

    [Fact]
    public void Subprograms_StaticGlobalAndCallbacks()
    {
        TestKernel.RequireRoot();
        using var obj = Load("subprogs.bpf.o");
        Assert.Equal((8u, 2u), (Run(obj, "xdp_one", 3), Run(obj, "xdp_one", 0)));
        Assert.Equal((14u, 2u), (Run(obj, "xdp_two", 3), Run(obj, "xdp_two", 0)));
        Assert.Equal(45u, Run(obj, "loop_sum"));
        Assert.Equal(104u, Run(obj, "for_each_sum"));
        var values = MapOf(obj, "values");
        Assert.Equal([10UL, 20UL, 30UL, 40UL], Enumerable.Range(0, 4).Select(i => values.Lookup<uint, ulong>((uint)i)));
    }

    [Fact]
    public void HiddenGlobalSubprograms_AreStaticInTheLoadedBtf_AndVerifiedInTheCallersContext()
    {
        TestKernel.RequireRoot();
        using var obj = Load("hidden_funcs.bpf.o");
        // hidden_add and weak_hidden_add dereference their argument unchecked: the kernel accepts them only when
        // it verifies them as static functions, in the caller's context.
        Assert.Equal(127u, Run(obj, "call_hidden"));

        static Dictionary<string, BtfLinkage> Linkages(BtfSpec btf) =>
            btf.Types.OfType<BtfFunc>().ToDictionary(f => f.Name, f => f.Linkage);
        const BtfLinkage global = BtfLinkage.Global, local = BtfLinkage.Static;
        // clang wrote every one global; the BTF the kernel holds (read back by the program's BTF id) has the hidden ones static.
        Assert.Equal([global, global, global, global],
            new[] { "hidden_add", "weak_hidden_add", "visible_add", "call_hidden" }.Select(n => Linkages(obj.Btf!)[n]));
        var loaded = Linkages(BtfSpec.LoadFromKernelId(obj.Programs["call_hidden"].Program!.GetInfo().BtfId));
        Assert.Equal([local, local, global, global],
            new[] { "hidden_add", "weak_hidden_add", "visible_add", "call_hidden" }.Select(n => loaded[n]));
    }

    [Fact]
    public void VerifierReject_AutoloadOffByQuestionMark_AndTheLogNamesTheSourceLine()
    {
        TestKernel.RequireRoot();
        using (var obj = Load("verifier_reject.bpf.o"))
        {
            Assert.False(obj.Programs["bad_packet_read"].Autoload);
            Assert.Null(obj.Programs["bad_packet_read"].Program);
            Assert.Equal(2u, Run(obj, "good_pass"));
        }

        using var rejected = BpfObject.Open(Fixture("verifier_reject.bpf.o"), new BpfObjectOptions { LogLevel = 1 });
        rejected.Programs["bad_packet_read"].Autoload = true;
        // The BPF and BTF fds by target: a finalizer of an earlier test may close some meanwhile (the whole count
        // once fell by 94 during the load), but none may be added.
        var kernelFdsBefore = FdLeakCheck.Snapshot();
        var ex = Assert.Throws<BpfVerifierException>(rejected.Load);
        Assert.Equal("EACCES", ex.ErrnoName);
        Assert.Contains("; return *(__u32 *)data;", ex.VerifierLog);
        // Kernels since 6.4 also name the file and line of each source annotation.
        if (TestKernel.Version >= new Version(6, 4)) Assert.Contains("; return *(__u32 *)data; @ verifier_reject.bpf.c:16", ex.VerifierLog);
        Assert.Contains("invalid access to packet, off=0 size=4", ex.VerifierLog);
        Assert.Contains("bad_packet_read", ex.Message);
        // A failed load releases everything it created (the other program, the BTF).
        Assert.False(rejected.IsLoaded);
        Assert.Null(rejected.Programs["good_pass"].Program);
        var added = FdLeakCheck.Snapshot().Where(kv => kv.Value > kernelFdsBefore.GetValueOrDefault(kv.Key)).Select(kv => kv.Key);
        Assert.Empty(added);
    }

    [Fact]
    public void Large_SixtyFourProgramsAndTwentyFourMaps()
    {
        TestKernel.RequireRoot();
        using var obj = Load("large.bpf.o");
        Assert.Equal((64, 24), (obj.Programs.Count, obj.Maps.Count));
        for (int n = 0; n < 64; n++)
        {
            var prog = obj.Programs[$"prog_{n:00}"];
            Assert.Equal(n % 2 == 0 ? BpfProgramType.Xdp : BpfProgramType.SchedCls, prog.Type);
            Assert.Equal((uint)n, Run(obj, prog.Name));
        }
        Assert.Equal(5u, Run(obj, "prog_05"));
        for (int n = 0; n < 64; n++)
            Assert.Equal(n == 5 ? 12UL : (ulong)n + 1, MapOf(obj, $"map_{n % 24:00}").Lookup<uint, ulong>((uint)n));
        Assert.Equal(BpfMapType.Array, MapOf(obj, "map_00").GetInfo().Type);
        Assert.Equal(BpfMapType.Hash, MapOf(obj, "map_01").GetInfo().Type);
    }

    [Fact]
    public void Dispose_ReleasesEveryProgramAndMap()
    {
        TestKernel.RequireRoot();
        uint[] progIds, mapIds;
        using (var obj = Load("large.bpf.o"))
        {
            progIds = obj.Programs.Values.Select(p => p.Program!.GetInfo().Id).ToArray();
            mapIds = obj.Maps.Values.Select(m => m.Map!.Id).ToArray();
            Assert.Subset(BpfProgram.EnumerateIds().ToHashSet(), progIds.ToHashSet());
        }
        Assert.True(Eventually.Holds(() => !BpfProgram.EnumerateIds().Intersect(progIds).Any()), "the object's programs are freed");
        Assert.True(Eventually.Holds(() => !BpfMap.EnumerateIds().Intersect(mapIds).Any()), "the object's maps are freed");
    }

    [Fact]
    public void TakeProgramAndMap_OutliveTheObject()
    {
        TestKernel.RequireRoot();
        BpfProgram prog;
        BpfMap map;
        using (var obj = Load("subprogs.bpf.o"))
        {
            prog = obj.TakeProgram("for_each_sum");
            map = obj.TakeMap("values");
            using var unloaded = BpfObject.Open(Fixture("subprogs.bpf.o"));
            Assert.Throws<InvalidOperationException>(() => unloaded.TakeMap("values"));
        }
        using (prog)
        using (map)
        {
            Assert.Equal(104u, prog.TestRun(new byte[64]));
            Assert.Equal(40UL, map.Lookup<uint, ulong>(3));
        }
    }

    [Fact]
    public void AttachAll_AttachesWhatTheSectionsName_AndTheProgramsFire()
    {
        TestKernel.RequireRoot();
        using var obj = Load("core_reloc.bpf.o");
        var links = obj.AttachAll();
        try
        {
            Assert.Equal(3, links.Count);
            var progIds = obj.Programs.Values.Select(p => p.Program!.GetInfo().Id).ToHashSet();
            Assert.All(links, l => Assert.Contains(l.GetInfo().ProgramId, progIds));
            Assert.Subset(BpfLink.EnumerateIds().ToHashSet(), links.Select(l => l.Id).ToHashSet());
            // Any syscall of this process runs core_fields: it records a pid of this process.
            Assert.True(Eventually.Holds(() =>
            {
                File.Exists("/proc/self/status");
                return obj.Variables["tgid"].Get<ulong>() == (ulong)Environment.ProcessId;
            }), "sys_enter programs ran");
        }
        finally
        {
            foreach (var l in links) l.Dispose();
        }
        var ids = links.Select(l => l.Id).ToArray();
        Assert.True(Eventually.Holds(() => !BpfLink.EnumerateIds().Intersect(ids).Any()), "the links are gone");
    }

    /// <summary>A section that does not say where is skipped, never thrown for: the callback names it, why, and its method.</summary>
    [Fact]
    public void AttachAll_SkipsASectionThatDoesNotSayWhere_AndSaysWhichMethodAttachesIt()
    {
        TestKernel.RequireRoot();
        using var obj = Load("hosting.bpf.o");
        var skipped = new List<string>();
        var links = obj.AttachAll(skipped.Add);
        try
        {
            // raw_tp/sys_enter attaches; xdp does not say which interface.
            var link = Assert.Single(links);
            Assert.Equal(obj.Programs["count_syscalls"].Program!.Id, link.GetInfo().ProgramId);
            var reason = Assert.Single(skipped);
            Assert.Contains("program count_packets", reason);
            Assert.Contains("section 'xdp' does not say where to attach; attach it with AttachXdp(interface)", reason);
        }
        finally
        {
            foreach (var l in links) l.Dispose();
        }
    }

    [Fact]
    public void AttachAll_BeforeLoad_Throws()
    {
        using var obj = BpfObject.Open(Fixture("subprogs.bpf.o"));
        Assert.Throws<InvalidOperationException>(() => obj.AttachAll());
    }

    [Fact]
    public void PinByName_SecondObjectReusesThePinnedMap_AndAMismatchIsRefused()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        Directory.CreateDirectory(dir.Path);
        var options = new BpfObjectOptions { PinRoot = dir.Path };
        BpfObject Open(Action<BpfObjectMap>? change = null)
        {
            var obj = BpfObject.Open(Fixture("subprogs.bpf.o"), options);
            obj.Maps["values"].Pinning = BpfMapPinning.ByName;
            change?.Invoke(obj.Maps["values"]);
            obj.Load();
            return obj;
        }

        using var first = Open();
        Assert.True(File.Exists(dir["values"]));
        Assert.Equal(104u, Run(first, "for_each_sum"));
        using (var second = Open())
        {
            Assert.Equal(MapOf(first, "values").Id, MapOf(second, "values").Id);
            Assert.Equal(40UL, MapOf(second, "values").Lookup<uint, ulong>(3));
        }
        var ex = Assert.Throws<BpfException>(() => Open(m => m.MaxEntries = 8));
        Assert.Contains("max entries 4 vs 8", ex.Message);
        Assert.Contains(dir["values"], ex.Message);
        // The pin outlives both objects; only its owner removes it.
        Assert.True(File.Exists(dir["values"]));
    }

    [Fact]
    public void PinByName_GlobalDataMaps_ArePinnedWithoutTheDotBpffsRefuses()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        using var obj = BpfObject.Open(Fixture("globals.bpf.o"), new BpfObjectOptions { PinRoot = dir.Path });
        obj.Maps["globals.bss"].Pinning = BpfMapPinning.ByName;
        obj.Load();
        using var pinned = BpfMap.OpenPinned(dir["globals_bss"]);
        Assert.Equal(obj.Maps["globals.bss"].Map!.Id, pinned.Id);
    }

    [Fact]
    public void PinPath_PinsWhereAsked_AndAFailedLoadLeavesNoPin()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        using (var obj = BpfObject.Open(ObjectLoadTests.Fixture("subprogs.bpf.o")))
        {
            obj.Maps["values"].PinPath = dir["nested/values"];
            obj.Load();
            using var pinned = BpfMap.OpenPinned(dir["nested/values"]);
            Assert.Equal(obj.Maps["values"].Map!.Id, pinned.Id);
        }
        Assert.True(File.Exists(dir["nested/values"]));

        // A load that fails after the map was pinned must not leave a pin it created behind.
        using var rejected = BpfObject.Open(Fixture("core_missing.bpf.o"));
        rejected.Maps.Values.First().PinPath = dir["rejected"];
        Assert.Throws<BpfVerifierException>(rejected.Load);
        Assert.False(File.Exists(dir["rejected"]));
    }

    [Fact]
    public void Load_Twice_Throws_AndUseAfterDispose_Throws()
    {
        TestKernel.RequireRoot();
        var obj = Load("subprogs.bpf.o");
        Assert.Throws<InvalidOperationException>(obj.Load);
        obj.Dispose();
        Assert.Throws<ObjectDisposedException>(obj.Load);
        Assert.Null(obj.Programs["xdp_one"].Program);
    }
}
