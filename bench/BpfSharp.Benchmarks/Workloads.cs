using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Btf;
using BpfSharp.Events;

namespace BpfSharp.Benchmarks;

/// <summary>
/// The workloads of issue 9, each the twin of the function of the same name in bench/native/bench.c: the same
/// map shapes, operation counts, objects and producers. Only the timed parts differ in library.
/// </summary>
internal sealed class Workloads : IDisposable
{
    // Keep these equal to bench/native/bench.c.
    private const int MapKeys = 1024;
    private const int MapCapacity = 4096;
    private const int MapOps = 100_000;
    private const int IterEntries = 100_000;
    private const int IterWalks = 2;
    private const int Batch = 4096;
    private const int ObjectLoads = 4;
    private const int BtfParses = 8;
    // Producer runs (each followed by one timed drain) per measurement: more for larger records, whose drains are short.
    private static int EventFills(int size) => size switch { 16 => 4, 128 => 8, _ => 32 };
    private const int PerfPages = 2048;
    private const string VmlinuxPath = "/sys/kernel/btf/vmlinux";

    private static int RawTpLinks => EnvInt("BENCH_RAW_TP_LINKS", 1000);
    private static int TracepointLinks => EnvInt("BENCH_TRACEPOINT_LINKS", 1000);

    public sealed record Workload(string Name, Action<Workloads, bool> Run, string? Baseline = null);

    /// <summary>Every workload; the bool asks for a short warm-up run whose result is not printed.</summary>
    public static readonly Workload[] All =
    [
        new("hash_lookup_8B", (w, warm) => w.Lookup("hash_lookup_8B", w.Hash8, warm)),
        new("hash_update_8B", (w, warm) => w.Update("hash_update_8B", w.Hash8, warm)),
        new("hash_delete_8B", (w, warm) => w.Delete("hash_delete_8B", w.Hash8, warm)),
        new("hash_lookup_64B", (w, warm) => w.Lookup("hash_lookup_64B", w.Hash64, warm)),
        new("hash_update_64B", (w, warm) => w.Update("hash_update_64B", w.Hash64, warm)),
        new("hash_delete_64B", (w, warm) => w.Delete("hash_delete_64B", w.Hash64, warm)),
        new("array_lookup_8B", (w, warm) => w.Lookup("array_lookup_8B", w.Array8, warm)),
        new("percpu_array_lookup_8B", (w, warm) => w.Lookup("percpu_array_lookup_8B", w.PerCpu8, warm)),
        new("hash_lookup_8B_generic", (w, warm) => w.LookupGeneric(warm), "hash_lookup_8B"),
        new("iter_next_key_100k", (w, warm) => w.IterNextKey(warm)),
        new("iter_get_entries_100k", (w, warm) => w.IterGetEntries(warm), "iter_next_key_100k"),
        new("iter_batch_100k", (w, warm) => w.IterBatch(warm)),
        new("ringbuf_16B", (w, warm) => w.RingBuffer(16, warm)),
        new("ringbuf_128B", (w, warm) => w.RingBuffer(128, warm)),
        new("ringbuf_1024B", (w, warm) => w.RingBuffer(1024, warm)),
        new("ringbuf_16B_async", (w, warm) => w.RingBufferAsync(warm), "ringbuf_16B"),
        new("ringbuf_16B_async_batch", (w, warm) => w.RingBufferBatches(16, warm), "ringbuf_16B"),
        new("ringbuf_128B_async_batch", (w, warm) => w.RingBufferBatches(128, warm), "ringbuf_128B"),
        new("perfbuf_16B", (w, warm) => w.PerfBuffer(16, warm)),
        new("perfbuf_128B", (w, warm) => w.PerfBuffer(128, warm)),
        new("perfbuf_1024B", (w, warm) => w.PerfBuffer(1024, warm)),
        new("perfbuf_16B_async_batch", (w, warm) => w.PerfBufferBatches(16, warm), "perfbuf_16B"),
        new("perfbuf_128B_async_batch", (w, warm) => w.PerfBufferBatches(128, warm), "perfbuf_128B"),
        new("object_open_load_large", (w, warm) => w.ObjectLoad(freshKernelBtf: false, warm)),
        new("object_open_load_large_fresh_btf", (w, warm) => w.ObjectLoad(freshKernelBtf: true, warm), "object_open_load_large"),
        new("btf_vmlinux_parse", (w, warm) => w.BtfParse(warm)),
        new("raw_tp_link_churn", (w, warm) => w.Links("raw_tp_link_churn", "churn_raw_tp", "keep_raw_tp",
            static p => p.AttachRawTracepoint("task_rename"), RawTpLinks, warm)),
        new("tracepoint_link_churn", (w, warm) => w.Links("tracepoint_link_churn", "churn_tp", "keep_tp",
            static p => p.AttachTracepoint("task", "task_rename"), TracepointLinks, warm)),
        new("compat_corpus_open_load", (w, warm) => w.CompatCorpus(warm)),
        new("skeleton_hash_lookup_16B", (w, warm) => w.SkeletonLookup(warm)),
        new("skeleton_hash_update_16B", (w, warm) => w.SkeletonUpdate(warm)),
        new("skeleton_ringbuf_16B", (w, warm) => w.SkeletonRingBuffer(warm)),
        new("skeleton_global_read", (w, warm) => w.SkeletonGlobalRead(warm)),
    ];

    /// <summary>The workloads this run can do: compat_corpus_open_load only when bench/compare.sh found the compatibility corpora.</summary>
    public static IEnumerable<Workload> Available =>
        All.Where(w => w.Name != "compat_corpus_open_load" || Environment.GetEnvironmentVariable("BENCH_COMPAT_OBJECTS") is not null);

    private readonly string _objects;
    private readonly HashSet<string> _warmed = [];
    private BpfMap? _hash8, _hash64, _array8, _perCpu8, _big;
    private BpfObject? _events;

    public Workloads(string objects) => _objects = objects;

    /// <summary>Runs a workload (warming it up the first time); false when there is no such workload.</summary>
    public bool Run(string name)
    {
        var w = Array.Find(All, x => x.Name == name);
        if (w is null) return false;
        if (_warmed.Add(name)) w.Run(this, true);
        w.Run(this, false);
        return true;
    }

    // ---- measurement ----

    /// <summary>
    /// Accumulates the time, the managed allocations and (with <c>userTime</c>) the thread's user-mode CPU time of the
    /// timed sections of one measurement.
    /// </summary>
    private struct Clock(bool userTime, bool allThreads = false)
    {
        private long _startTicks, _startBytes, _startUser;
        public long Ticks, Bytes, UserNs;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Start()
        {
            if (userTime) _startUser = Rusage.ThreadUserNanoseconds();
            _startBytes = allThreads ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread();
            _startTicks = Stopwatch.GetTimestamp();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Stop()
        {
            long t = Stopwatch.GetTimestamp();
            Ticks += t - _startTicks;
            Bytes += (allThreads ? GC.GetTotalAllocatedBytes(precise: true) : GC.GetAllocatedBytesForCurrentThread()) - _startBytes;
            if (userTime) UserNs += Rusage.ThreadUserNanoseconds() - _startUser;
        }

        public readonly bool HasUserTime => userTime;

        public readonly double Nanoseconds => Ticks * 1e9 / Stopwatch.Frequency;
    }

    private static void Report(bool warm, string workload, string unit, double value, bool lowerIsBetter, long ops, in Clock clock, string? baseline = null)
    {
        if (warm) return;
        var inv = CultureInfo.InvariantCulture;
        string extra = (clock.HasUserTime ? string.Create(inv, $",\"user_ns_per_op\":{(double)clock.UserNs / ops:G4}") : "")
            + (baseline is null ? "" : $",\"baseline\":\"{baseline}\"");
        Console.WriteLine(string.Create(inv,
            $"{{\"impl\":\"bpfsharp\",\"workload\":\"{workload}\",\"unit\":\"{unit}\",\"value\":{value:G6},\"lower_is_better\":{(lowerIsBetter ? "true" : "false")},\"ops\":{ops},\"alloc_per_op\":{(double)clock.Bytes / ops:G4}{extra}}}"));
    }

    private static int Scaled(int n, bool warm) => warm ? Math.Max(1, n / 8) : n;

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int v) && v > 0 ? v : fallback;

    // ---- 1. element operations ----

    private BpfMap Hash8 => _hash8 ??= CreateMap(BpfMapType.Hash, "hash8", 8);
    private BpfMap Hash64 => _hash64 ??= CreateMap(BpfMapType.Hash, "hash64", 64);
    private BpfMap Array8 => _array8 ??= CreateMap(BpfMapType.Array, "array8", 8);
    private BpfMap PerCpu8 => _perCpu8 ??= CreateMap(BpfMapType.PerCpuArray, "percpu8", 8);

    private static BpfMap CreateMap(BpfMapType type, string name, int valueSize)
    {
        var map = BpfMap.Create(type, 4, valueSize, type == BpfMapType.Hash ? MapCapacity : MapKeys, new BpfMapCreateOptions { Name = name });
        var value = new byte[map.ValueBufferSize];
        Span<byte> key = stackalloc byte[4];
        for (uint k = 0; k < MapKeys; k++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(key, k);
            map.Update(key, value);
        }
        return map;
    }

    private void Lookup(string workload, BpfMap map, bool warm)
    {
        int ops = Scaled(MapOps, warm);
        Span<byte> key = stackalloc byte[4];
        Span<byte> value = stackalloc byte[map.ValueBufferSize];
        var clock = new Clock(userTime: true);
        clock.Start();
        for (int i = 0; i < ops; i++)
        {
            MemoryMarshal.Write(key, (uint)(i & (MapKeys - 1)));
            if (!map.TryLookup(key, value)) throw new InvalidOperationException($"{workload}: key {i & (MapKeys - 1)} missing");
        }
        clock.Stop();
        Report(warm, workload, "ns/op", clock.Nanoseconds / ops, true, ops, clock);
    }

    private void LookupGeneric(bool warm)
    {
        int ops = Scaled(MapOps, warm);
        var map = Hash8;
        ulong sum = 0;
        var clock = new Clock(userTime: true);
        clock.Start();
        for (int i = 0; i < ops; i++)
        {
            if (!map.TryLookup((uint)(i & (MapKeys - 1)), out ulong value)) throw new InvalidOperationException("key missing");
            sum += value;
        }
        clock.Stop();
        GC.KeepAlive(sum);
        Report(warm, "hash_lookup_8B_generic", "ns/op", clock.Nanoseconds / ops, true, ops, clock, baseline: "hash_lookup_8B");
    }

    private void Update(string workload, BpfMap map, bool warm)
    {
        int ops = Scaled(MapOps, warm);
        Span<byte> key = stackalloc byte[4];
        Span<byte> value = stackalloc byte[map.ValueSize];
        value[0] = 1;
        var clock = new Clock(userTime: true);
        clock.Start();
        for (int i = 0; i < ops; i++)
        {
            MemoryMarshal.Write(key, (uint)(i & (MapKeys - 1)));
            map.Update(key, value);
        }
        clock.Stop();
        Report(warm, workload, "ns/op", clock.Nanoseconds / ops, true, ops, clock);
    }

    /// <summary>Deletes every existing key (timed), puts them back (not timed), until MapOps deletions.</summary>
    private void Delete(string workload, BpfMap map, bool warm)
    {
        int passes = Scaled(MapOps, warm) / MapKeys;
        Span<byte> key = stackalloc byte[4];
        Span<byte> value = stackalloc byte[map.ValueSize];
        var clock = new Clock(userTime: true);
        for (int pass = 0; pass < passes; pass++)
        {
            clock.Start();
            for (uint k = 0; k < MapKeys; k++)
            {
                MemoryMarshal.Write(key, k);
                if (!map.Delete(key)) throw new InvalidOperationException($"{workload}: key {k} missing");
            }
            clock.Stop();
            for (uint k = 0; k < MapKeys; k++)
            {
                MemoryMarshal.Write(key, k);
                map.Update(key, value, BpfMapUpdateFlags.NoExist);
            }
        }
        long ops = (long)passes * MapKeys;
        Report(warm, workload, "ns/op", clock.Nanoseconds / ops, true, ops, clock);
    }

    // ---- 2. iteration ----

    private BpfMap Big
    {
        get
        {
            if (_big is not null) return _big;
            var map = BpfMap.Create(BpfMapType.Hash, 4, 8, IterEntries, new BpfMapCreateOptions { Name = "big" });
            var keys = new uint[IterEntries];
            var values = new ulong[IterEntries];
            for (uint i = 0; i < IterEntries; i++)
            {
                keys[i] = unchecked(i * 2654435761u); // spread over the buckets, as the C side does
                values[i] = i;
            }
            if (map.UpdateBatch<uint, ulong>(keys, values) != IterEntries) throw new InvalidOperationException("fill big");
            return _big = map;
        }
    }

    private void IterNextKey(bool warm)
    {
        var map = Big;
        int walks = warm ? 1 : IterWalks;
        Span<byte> key = stackalloc byte[4];
        Span<byte> next = stackalloc byte[4];
        Span<byte> value = stackalloc byte[8];
        ulong sum = 0;
        long elements = 0;
        var clock = new Clock(userTime: true);
        clock.Start();
        for (int walk = 0; walk < walks; walk++)
        {
            bool more = map.TryGetNextKey(ReadOnlySpan<byte>.Empty, next);
            while (more)
            {
                if (map.TryLookup(next, value))
                {
                    sum += MemoryMarshal.Read<ulong>(value);
                    elements++;
                }
                next.CopyTo(key);
                more = map.TryGetNextKey(key, next);
            }
        }
        clock.Stop();
        Check(elements, walks, "next-key walk");
        GC.KeepAlive(sum);
        Report(warm, "iter_next_key_100k", "ms", clock.Nanoseconds / walks / 1e6, true, elements, clock);
    }

    private void IterGetEntries(bool warm)
    {
        var map = Big;
        int walks = warm ? 1 : IterWalks;
        ulong sum = 0;
        long elements = 0;
        var clock = new Clock(userTime: true);
        clock.Start();
        for (int walk = 0; walk < walks; walk++)
        {
            foreach (var (_, value) in map.GetEntries<uint, ulong>())
            {
                sum += value;
                elements++;
            }
        }
        clock.Stop();
        Check(elements, walks, "GetEntries walk");
        GC.KeepAlive(sum);
        Report(warm, "iter_get_entries_100k", "ms", clock.Nanoseconds / walks / 1e6, true, elements, clock, baseline: "iter_next_key_100k");
    }

    private readonly uint[] _batchKeys = new uint[Batch];
    private readonly ulong[] _batchValues = new ulong[Batch];

    private void IterBatch(bool warm)
    {
        var map = Big;
        int walks = warm ? 1 : IterWalks;
        ulong sum = 0;
        long elements = 0;
        var cursor = new BpfMapBatchCursor();
        var clock = new Clock(userTime: true);
        clock.Start();
        for (int walk = 0; walk < walks; walk++)
        {
            cursor.Reset();
            do
            {
                int n = map.LookupBatch<uint, ulong>(cursor, _batchKeys, _batchValues);
                for (int i = 0; i < n; i++) sum += _batchValues[i];
                elements += n;
            }
            while (!cursor.IsDone);
        }
        clock.Stop();
        Check(elements, walks, "batch walk");
        GC.KeepAlive(sum);
        Report(warm, "iter_batch_100k", "ms", clock.Nanoseconds / walks / 1e6, true, elements, clock);
    }

    private static void Check(long elements, int walks, string what)
    {
        if (elements != (long)walks * IterEntries) throw new InvalidOperationException($"{what} saw {elements} elements");
    }

    // ---- 3, 4. events ----

    private BpfObject Events
    {
        get
        {
            if (_events is not null) return _events;
            var obj = BpfObject.Open(Path.Combine(_objects, "events.bpf.o"));
            obj.Load();
            return _events = obj;
        }
    }

    private BpfProgram Program(string name) => Events.Programs[name].Program!;

    private static readonly byte[] Packet = new byte[64];

    private static void Produce(BpfProgram producer, int records)
    {
        uint ret = producer.TestRun(Packet, repeat: (uint)records);
        if (ret != 2) throw new InvalidOperationException($"{producer.Name} returned {ret}");
    }

    /// <summary>The handler both sides run per record: add the record's first u64 (its sequence number) to a sum.</summary>
    private struct SumHandler : IRecordHandler
    {
        public ulong Sum;
        public long Records;

        public void OnRecord(int source, ReadOnlySpan<byte> record)
        {
            Sum += MemoryMarshal.Read<ulong>(record);
            Records++;
        }
    }

    // Records per producer run: about half of the ring (8 MiB of the 16 MiB ring; 4 MiB of a CPU's 8 MiB).
    private static int RingRecords(int size) => size switch { 16 => 262144, 128 => 49152, _ => 8192 };
    private static int PerfRecords(int size) => size switch { 16 => 131072, 128 => 32768, _ => 4096 };

    // One reader per map for the whole run, as an application keeps it (bench.c does the same).
    private RingBufferReader? _ringReader;
    private PerfBufferReader? _perfReader;

    private RingBufferReader RingReader => _ringReader ??= new RingBufferReader(Events.Maps["rb"].Map!);

    private PerfBufferReader PerfReader => _perfReader ??= new PerfBufferReader(Events.Maps["pb"].Map!, new PerfBufferOptions
    {
        PagesPerCpu = PerfPages,
        LostSamplesCallback = static (cpu, n) => throw new InvalidOperationException($"perf buffer lost {n} records on CPU {cpu}"),
    });

    /// <summary>
    /// Warms an event reader's consumer loop up the way a long-running consumer is: many small drains (so that the
    /// JIT's call counting promotes it to optimised code), then a pause for the background compilation.
    /// </summary>
    private static void WarmEvents(BpfProgram producer, int records, Func<int> drain)
    {
        for (int i = 0; i < 200; i++)
        {
            Produce(producer, 64);
            drain();
        }
        Thread.Sleep(250);
        // One full-size fill touches every page of the ring, as bench.c's warm-up run does.
        Produce(producer, records);
        drain();
    }

    private void RingBuffer(int size, bool warm)
    {
        var producer = Program($"rb_{size}");
        var reader = RingReader;
        if (warm)
        {
            var h = new SumHandler();
            WarmEvents(producer, RingRecords(size), () => reader.Consume(ref h));
            return;
        }
        int records = RingRecords(size);
        var handler = new SumHandler();
        var clock = new Clock(userTime: false);
        for (int fill = 0; fill < EventFills(size); fill++)
        {
            Produce(producer, records);
            clock.Start();
            int n = reader.Consume(ref handler);
            clock.Stop();
            if (n != records) throw new InvalidOperationException($"ringbuf_{size}B: consumed {n} of {records}");
        }
        Report(warm, $"ringbuf_{size}B", "Mev/s", handler.Records / (clock.Nanoseconds / 1e9) / 1e6, false, handler.Records, clock);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Record16
    {
        public ulong Sequence, Payload;
    }

    /// <summary>
    /// The async stream (ReadAllAsync, consumed with await foreach) on the same producer as ringbuf_16B, with its own
    /// reader, disposed afterwards so that it never competes with the span reader. The producer writes without
    /// wake-ups (BPF_RB_NO_WAKEUP), so each fill is followed by <see cref="EventReader.Wake"/>, as the span
    /// workloads follow it by a Consume.
    /// </summary>
    private void RingBufferAsync(bool warm)
    {
        var producer = Program("rb_16");
        int records = RingRecords(16);
        int fills = warm ? 1 : EventFills(16);
        using var reader = new RingBufferReader(Events.Maps["rb"].Map!);
        // The stream's pump thread and the pool threads allocate too: count every thread's bytes.
        var clock = new Clock(userTime: false, allThreads: true);
        long consumed = Task.Run(async () =>
        {
            long n = 0;
            ulong sum = 0;
            int fill = 0;
            void Fill()
            {
                Produce(producer, records);
                clock.Start();
                reader.Wake();
            }
            Fill();
            await foreach (var record in reader.ReadAllAsync<Record16>(4096))
            {
                sum += record.Sequence;
                if (++n % records != 0) continue;
                clock.Stop();
                if (++fill == fills) break;
                Fill();
            }
            GC.KeepAlive(sum);
            return n;
        }).GetAwaiter().GetResult();
        Report(warm, "ringbuf_16B_async", "Mev/s", consumed / (clock.Nanoseconds / 1e9) / 1e6, false, consumed, clock, "ringbuf_16B");
    }

    /// <summary>
    /// The zero-copy async stream (ReadBatchesAsync, await foreach over batches read in place) on the ring buffer
    /// producers of ringbuf_16B/128B, with its own reader; the consumer does the span handler's work per record.
    /// </summary>
    private void RingBufferBatches(int size, bool warm)
    {
        using var reader = new RingBufferReader(Events.Maps["rb"].Map!);
        BatchStream($"ringbuf_{size}B_async_batch", reader, Program($"rb_{size}"), RingRecords(size), EventFills(size), $"ringbuf_{size}B", warm);
    }

    /// <summary>The same on the perf buffer producers of perfbuf_16B/128B.</summary>
    private void PerfBufferBatches(int size, bool warm)
    {
        // The timed reader is the span rows' one (disposing a perf reader clears the map's slots); no span row runs meanwhile.
        BatchStream($"perfbuf_{size}B_async_batch", PerfReader, Program($"pb_{size}"), PerfRecords(size), EventFills(size), $"perfbuf_{size}B", warm);
    }

    /// <summary>
    /// Consumes <paramref name="fills"/> producer runs through <see cref="EventReader.ReadBatchesAsync"/>: each run is
    /// followed by <see cref="EventReader.Wake"/> (the producers write without wake-ups), and the clock runs from the
    /// wake to the end of the stream after the run's last record. Warm-up: small runs, then a pause, so that the loop is compiled optimised, as WarmEvents.
    /// </summary>
    private static void BatchStream(string workload, EventReader reader, BpfProgram producer, int records, int fills, string baseline, bool warm)
    {
        if (warm)
        {
            // Each producer run is an XDP test run with an RCU grace period: 40 small ones are enough for the call counts.
            ConsumeBatches(reader, producer, 64, 40);
            Thread.Sleep(250);
            ConsumeBatches(reader, producer, records, 1);
            return;
        }
        var (consumed, clock) = ConsumeBatches(reader, producer, records, fills);
        Report(warm, workload, "Mev/s", consumed / (clock.Nanoseconds / 1e9) / 1e6, false, consumed, clock, baseline);
    }

    private static (long Consumed, Clock Clock) ConsumeBatches(EventReader reader, BpfProgram producer, int records, int fills)
    {
        // The stream's waiting thread and the pool threads may allocate too: count every thread's bytes.
        var clock = new Clock(userTime: false, allThreads: true);
        long consumed = Task.Run(async () =>
        {
            long n = 0;
            ulong sum = 0;
            // One stream per producer run, its start timed: the run fills half a ring, and a stream holds its last batch
            // until it is asked for the next one, so a run written while the stream holds the one before would not fit
            // (the kernel drops the last records: back-pressure). A long-lived consumer pays the start once.
            for (int fill = 0; fill < fills; fill++)
            {
                Produce(producer, records);
                clock.Start();
                reader.Wake();
                long target = (long)records * (fill + 1);
                await foreach (var batch in reader.ReadBatchesAsync())
                {
                    // The span handler's work: add each record's first u64.
                    foreach (ulong sequence in batch.As<ulong>())
                    {
                        sum += sequence;
                        n++;
                    }
                    if (n >= target) break;
                }
                clock.Stop();
                if (n != target) throw new InvalidOperationException($"consumed {n} records after {fill + 1} runs of {records}");
            }
            GC.KeepAlive(sum);
            return n;
        }).GetAwaiter().GetResult();
        return (consumed, clock);
    }

    private void PerfBuffer(int size, bool warm)
    {
        var producer = Program($"pb_{size}");
        var reader = PerfReader;
        if (warm)
        {
            var h = new SumHandler();
            WarmEvents(producer, PerfRecords(size), () => reader.Consume(ref h));
            return;
        }
        int records = PerfRecords(size);
        var handler = new SumHandler();
        var clock = new Clock(userTime: false);
        for (int fill = 0; fill < EventFills(size); fill++)
        {
            long before = handler.Records;
            Produce(producer, records);
            clock.Start();
            reader.Consume(ref handler);
            clock.Stop();
            if (handler.Records - before != records) throw new InvalidOperationException($"perfbuf_{size}B: consumed {handler.Records - before} of {records}");
        }
        Report(warm, $"perfbuf_{size}B", "Mev/s", handler.Records / (clock.Nanoseconds / 1e9) / 1e6, false, handler.Records, clock);
    }

    // ---- 5. objects and BTF ----

    /// <summary>
    /// Open + load + dispose of the large object. By default BpfSharp relocates against the process's parsed vmlinux
    /// BTF (<see cref="BtfSpec.LoadKernel"/>, parsed once); libbpf parses vmlinux BTF again in every load. With
    /// <paramref name="freshKernelBtf"/> each load parses it too, as libbpf does.
    /// </summary>
    private void ObjectLoad(bool freshKernelBtf, bool warm)
    {
        string path = Path.Combine(_objects, "large.bpf.o");
        int loads = warm ? 1 : ObjectLoads;
        var clock = new Clock(userTime: false);
        clock.Start();
        for (int i = 0; i < loads; i++)
        {
            var options = freshKernelBtf ? new BpfObjectOptions { KernelBtf = BtfSpec.Load(VmlinuxPath) } : null;
            using var obj = BpfObject.Open(path, options);
            obj.Load();
        }
        clock.Stop();
        string name = freshKernelBtf ? "object_open_load_large_fresh_btf" : "object_open_load_large";
        Report(warm, name, "ms", clock.Nanoseconds / loads / 1e6, true, loads, clock,
            baseline: freshKernelBtf ? "object_open_load_large" : null);
    }

    /// <summary>
    /// Open + load + dispose of every object of the compatibility corpora that both libraries load (the list, one path
    /// a line, is BENCH_COMPAT_OBJECTS, written by bench/compare.sh from compat/compat.py's last results), as bench.c.
    /// </summary>
    private void CompatCorpus(bool warm)
    {
        string list = Environment.GetEnvironmentVariable("BENCH_COMPAT_OBJECTS")
            ?? throw new InvalidOperationException("compat_corpus_open_load: BENCH_COMPAT_OBJECTS names no list");
        string[] paths = [.. File.ReadAllLines(list).Where(l => l.Length > 0)];
        int loads = Scaled(paths.Length, warm);
        var clock = new Clock(userTime: false);
        clock.Start();
        for (int i = 0; i < loads; i++)
        {
            using var obj = BpfObject.Open(paths[i]);
            obj.Load();
        }
        clock.Stop();
        Report(warm, "compat_corpus_open_load", "ms/object", clock.Nanoseconds / loads / 1e6, true, loads, clock);
    }

    private void BtfParse(bool warm)
    {
        int parses = warm ? 1 : BtfParses;
        long types = 0;
        var clock = new Clock(userTime: false);
        clock.Start();
        for (int i = 0; i < parses; i++) types += BtfSpec.Load(VmlinuxPath).Count;
        clock.Stop();
        GC.KeepAlive(types);
        Report(warm, "btf_vmlinux_parse", "ms", clock.Nanoseconds / parses / 1e6, true, parses, clock);
    }

    // ---- 6. links ----

    /// <summary>
    /// Attach one link, destroy it, <paramref name="count"/> times, while another program (the keeper) stays attached
    /// to the same tracepoint, as in bench.c: a tracepoint losing its last probe makes the kernel wait for an RCU
    /// grace period, which is not what this measures.
    /// </summary>
    private void Links(string workload, string program, string keeper, Func<BpfProgram, Links.BpfLink> attach, int count, bool warm)
    {
        int links = Scaled(count, warm);
        var p = Program(program);
        using var keep = attach(Program(keeper));
        var clock = new Clock(userTime: false);
        clock.Start();
        for (int i = 0; i < links; i++) attach(p).Dispose();
        clock.Stop();
        Report(warm, workload, "us/link", clock.Nanoseconds / links / 1e3, true, links, clock);
    }

    // ---- 7. a generated skeleton: BpfSharp.Build's (FlowsSkeleton, from bench/objects/flows.bpf.c) ----

    private FlowsSkeleton? _flows;
    private RingBufferReader? _flowReader;

    /// <summary>The committed flows.bpf.o (the object libbpf's skeleton embeds) through the generated skeleton, loaded once.</summary>
    private FlowsSkeleton Flows
    {
        get
        {
            if (_flows is not null) return _flows;
            var skeleton = FlowsSkeleton.Open(Path.Combine(_objects, FlowsSkeleton.ObjectFileName));
            skeleton.Load();
            var stats = new FlowsSkeleton.FlowStats();
            for (uint k = 0; k < MapKeys; k++) skeleton.Maps.Flows.Update(FlowKey(k), stats);
            return _flows = skeleton;
        }
    }

    /// <summary>The i-th key of the flows map; bench.c's flow_key_of builds the same keys.</summary>
    private static FlowsSkeleton.FlowKey FlowKey(uint i) => new() { saddr = i, daddr = 0x0100007f, sport = (ushort)i, dport = 443, proto = 6 };

    private void SkeletonLookup(bool warm)
    {
        int ops = Scaled(MapOps, warm);
        var flows = Flows.Maps.Flows;
        ulong sum = 0;
        var clock = new Clock(userTime: true);
        clock.Start();
        for (int i = 0; i < ops; i++)
        {
            if (!flows.TryLookup(FlowKey((uint)(i & (MapKeys - 1))), out var stats)) throw new InvalidOperationException("skeleton_hash_lookup_16B: key missing");
            sum += stats.packets;
        }
        clock.Stop();
        GC.KeepAlive(sum);
        Report(warm, "skeleton_hash_lookup_16B", "ns/op", clock.Nanoseconds / ops, true, ops, clock);
    }

    private void SkeletonUpdate(bool warm)
    {
        int ops = Scaled(MapOps, warm);
        var flows = Flows.Maps.Flows;
        var clock = new Clock(userTime: true);
        clock.Start();
        for (int i = 0; i < ops; i++)
            flows.Update(FlowKey((uint)(i & (MapKeys - 1))), new FlowsSkeleton.FlowStats { packets = (ulong)i, bytes = 64 });
        clock.Stop();
        Report(warm, "skeleton_hash_update_16B", "ns/op", clock.Nanoseconds / ops, true, ops, clock);
    }

    /// <summary>
    /// The handler of skeleton_ringbuf_16B: each record read as the generated <c>struct flow_event</c>, its sequence
    /// number summed. A copy by MemoryMarshal.Read, as the examples do: a reference by MemoryMarshal.AsRef measured
    /// about 8 % fewer records per second here.
    /// </summary>
    private struct FlowEventHandler : IRecordHandler
    {
        public ulong Sum;
        public long Records;

        public void OnRecord(int source, ReadOnlySpan<byte> record)
        {
            Sum += MemoryMarshal.Read<FlowsSkeleton.FlowEvent>(record).seq;
            Records++;
        }
    }

    private void SkeletonRingBuffer(bool warm)
    {
        var skeleton = Flows;
        var producer = skeleton.Programs.FlowEvents.Program!;
        var reader = _flowReader ??= new RingBufferReader(skeleton.Maps.Events.Map);
        int records = RingRecords(16);
        if (warm)
        {
            var h = new FlowEventHandler();
            WarmEvents(producer, records, () => reader.Consume(ref h));
            return;
        }
        var handler = new FlowEventHandler();
        var clock = new Clock(userTime: false);
        for (int fill = 0; fill < EventFills(16); fill++)
        {
            Produce(producer, records);
            clock.Start();
            int n = reader.Consume(ref handler);
            clock.Stop();
            if (n != records) throw new InvalidOperationException($"skeleton_ringbuf_16B: consumed {n} of {records}");
        }
        GC.KeepAlive(handler.Sum);
        Report(warm, "skeleton_ringbuf_16B", "Mev/s", handler.Records / (clock.Nanoseconds / 1e9) / 1e6, false, handler.Records, clock);
    }

    /// <summary>A .bss global read through the skeleton's typed property (libbpf's: <c>skel->bss->seq</c>).</summary>
    private void SkeletonGlobalRead(bool warm)
    {
        var variables = Flows.Variables;
        if (warm)
        {
            // A measurement is 100,000 reads of a few nanoseconds: without this, it would run before the JIT's tiering
            // had compiled the property optimised (the map rows' system calls hide that; this row's do not). Call
            // counting starts once the tiering delay has passed (the first pause); with dynamic PGO a method then
            // goes through an instrumented tier before the optimised one, each compiled in the background after
            // 30 calls (the next pauses).
            for (int round = 0; round < 4; round++)
            {
                for (int i = 0; i < 200; i++) ReadGlobal(variables, 1000);
                Thread.Sleep(250);
            }
            return;
        }
        var (nanoseconds, clock) = ReadGlobal(variables, MapOps);
        Report(warm, "skeleton_global_read", "ns/op", nanoseconds / MapOps, true, MapOps, clock);
    }

    private static (double Nanoseconds, Clock Clock) ReadGlobal(FlowsSkeleton.VariableSet variables, int ops)
    {
        ulong sum = 0;
        var clock = new Clock(userTime: false);
        clock.Start();
        for (int i = 0; i < ops; i++) sum += variables.Seq;
        clock.Stop();
        GC.KeepAlive(sum);
        return (clock.Nanoseconds, clock);
    }

    public void Dispose()
    {
        _flowReader?.Dispose();
        _flows?.Dispose();
        _hash8?.Dispose();
        _hash64?.Dispose();
        _array8?.Dispose();
        _perCpu8?.Dispose();
        _big?.Dispose();
        _ringReader?.Dispose();
        _perfReader?.Dispose();
        _events?.Dispose();
    }
}
