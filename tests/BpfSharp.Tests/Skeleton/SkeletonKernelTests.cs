using System.Runtime.InteropServices;
using BpfSharp.Events;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Skeleton;

/// <summary>The generated skeleton against the kernel: .rodata set before load filters, typed maps and globals read what the program wrote, ring buffer records decode into the generated struct, and Attach()'s owner detaches.</summary>
public sealed partial class SkeletonKernelTests
{
    [LibraryImport("libc")]
    private static partial int getpid();

    private static void CallGetpid()
    {
        for (int i = 0; i < 20; i++) getpid();
    }

    [Fact]
    public void SkeletonLoadsAttachesAndReadsTypedData()
    {
        TestKernel.RequireRoot();
        using var skeleton = LayoutSkeleton.Open();
        skeleton.Variables.FilterPid = (uint)Environment.ProcessId;
        skeleton.Load();
        Assert.Throws<InvalidOperationException>(() => skeleton.Variables.FilterPid = 1); // .rodata is frozen
        Assert.Equal((uint)Environment.ProcessId, skeleton.Variables.FilterPid);
        Assert.Equal("bpf", skeleton.Variables.Prefix.ToString());
        Assert.Equal("tracepoint/syscalls/sys_enter_getpid", skeleton.Programs.OnGetpid.SectionName);
        Assert.NotNull(skeleton.Programs.OnGetpid.Program);

        using var events = new RingBufferReader(skeleton.Maps.Events.Map);
        var records = new List<LayoutSkeleton.Record>();
        using (skeleton.Attach())
        {
            CallGetpid();
            events.Poll(TimeSpan.FromSeconds(2), r => records.Add(MemoryMarshal.Read<LayoutSkeleton.Record>(r)));
        }
        ulong hits = skeleton.Variables.Hits;
        Assert.True(hits >= 20, $"hits = {hits}");
        Assert.NotEmpty(records);
        Assert.All(records, r => Assert.Equal((uint)Environment.ProcessId, r.pid));
        Assert.All(records, r => Assert.NotEmpty(r.CommString)); // the calling thread's comm, decoded from char[16]

        // Per-CPU counters: one value per possible CPU, summed.
        Span<ulong> perCpu = new ulong[BpfMap.PossibleCpuCount];
        Assert.True(skeleton.Maps.PerCpu.TryLookup(0u, perCpu));
        ulong total = 0;
        foreach (var v in perCpu) total += v;
        Assert.Equal(hits, total);

        // Detached: no more hits.
        CallGetpid();
        Assert.Equal(hits, skeleton.Variables.Hits);
    }

    [Fact]
    public void TypedHashMapRoundTripsTheGeneratedStruct()
    {
        TestKernel.RequireRoot();
        using var skeleton = LayoutSkeleton.OpenAndLoad();
        var value = new LayoutSkeleton.LayoutValue { id = 7, as_uint = 0x00020001, color = LayoutSkeleton.Color.BLUE, CommString = "hello" };
        value.grid[2][4] = 99;
        value.bits.negative = -2;
        value.named.NameString = "named";
        skeleton.Maps.Values.Update(3u, value);
        var back = skeleton.Maps.Values.Lookup(3u);
        Assert.Equal(1, back.lo);
        Assert.Equal(2, back.hi);
        Assert.Equal(99, back.grid[2][4]);
        Assert.Equal(-2, back.bits.negative);
        Assert.Equal("hello", back.CommString);
        Assert.Equal("named", back.named.NameString);
        Assert.Equal(LayoutSkeleton.Color.BLUE, back.color);
        Assert.True(skeleton.Maps.Values.Delete(3u));
        Assert.False(skeleton.Maps.Values.TryLookup(3u, out _));
    }
}
