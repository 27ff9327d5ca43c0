using System.Buffers.Binary;
using BpfSharp.Events;
using BpfSharp.Tests.Support;
using static BpfSharp.Tests.Events.EventTestPrograms;

namespace BpfSharp.Tests.Events;

public class UserRingBufferWriterTests
{
    private static BpfMap CreateUserRing(int size = 4096) =>
        BpfMap.Create(BpfMapType.UserRingBuf, 0, 0, size, new() { Name = "t_urb" });

    private static void RequireUserRingBuf()
    {
        TestKernel.RequireRoot();
        var feature = BpfFeatures.MapType(BpfMapType.UserRingBuf);
        TestKernel.RequireFeature(feature);
    }

    [Fact]
    public void ProgramDrainsWhatWasWritten_AndChecksIt()
    {
        RequireUserRingBuf();
        using var ring = CreateUserRing();
        using var drain = UserRingbufDrain(ring);
        using var writer = new UserRingBufferWriter(ring);

        ulong expected = 0;
        for (int i = 0; i < 100; i++)
        {
            ulong value = (ulong)i * 1_000_003 + 17;
            expected += value;
            // Sizes 8 to 24: the program sums the first 8 bytes of each.
            var r = writer.Reserve(8 + i % 3 * 8, TimeSpan.FromSeconds(1));
            r.Span.Fill(0xee);
            BinaryPrimitives.WriteUInt64LittleEndian(r.Span, value);
            Assert.True(r.IsPending);
            r.Submit();
            Assert.False(r.IsPending);
            Assert.True(r.Span.IsEmpty);
        }
        Assert.Equal(new DrainResult(expected, 100, 100), Drain(drain));
        var positions = writer.GetPositions();
        Assert.Equal(positions.ProducerPosition, positions.ConsumerPosition);
        Assert.Equal(0, positions.PendingBytes);
        Assert.Equal(new DrainResult(0, 0, 0), Drain(drain));
    }

    [Fact]
    public void DiscardedRecord_IsSkippedByTheKernel()
    {
        RequireUserRingBuf();
        using var ring = CreateUserRing();
        using var drain = UserRingbufDrain(ring);
        using var writer = new UserRingBufferWriter(ring);

        Assert.True(writer.TryWrite(5UL));
        Assert.True(writer.TryReserve(8, out var discarded));
        BinaryPrimitives.WriteUInt64LittleEndian(discarded.Span, 1000);
        discarded.Discard();
        bool completedTwice;
        try { discarded.Submit(); completedTwice = true; }
        catch (InvalidOperationException) { completedTwice = false; }
        Assert.False(completedTwice);
        Assert.True(writer.TryWrite(7UL));
        Assert.Equal(new DrainResult(12, 2, 2), Drain(drain));
    }

    [Fact]
    public void PendingReservation_HoldsBackTheRecordsAfterIt()
    {
        RequireUserRingBuf();
        using var ring = CreateUserRing();
        using var drain = UserRingbufDrain(ring);
        using var writer = new UserRingBufferWriter(ring);

        Assert.True(writer.TryReserve(8, out var first));
        Assert.True(writer.TryWrite(2UL));
        Assert.Equal(new DrainResult(0, 0, 0), Drain(drain));
        BinaryPrimitives.WriteUInt64LittleEndian(first.Span, 1);
        first.Submit();
        Assert.Equal(new DrainResult(3, 2, 2), Drain(drain));
    }

    [Fact]
    public void SmallRing_WrapsManyTimes()
    {
        RequireUserRingBuf();
        using var ring = CreateUserRing(4096);
        using var drain = UserRingbufDrain(ring);
        using var writer = new UserRingBufferWriter(ring);

        ulong written = 0, sum = 0, count = 0;
        var record = new byte[200];
        for (int batch = 0; batch < 300; batch++)
        {
            // Fill until full with sizes that do not divide the ring (8 to 197 bytes), then drain.
            for (int i = 0; ; i++)
            {
                int size = 8 + (int)(written * 37 % 190);
                BinaryPrimitives.WriteUInt64LittleEndian(record, written);
                if (!writer.TryWrite(record.AsSpan(0, size))) break;
                sum += written++;
            }
            var result = Drain(drain);
            count += result.Count;
            Assert.Equal((long)result.Count, result.Drained);
        }
        Assert.Equal(written, count);
        Assert.True(writer.GetPositions().ConsumerPosition > 250 * 4096UL);
        Assert.Equal(written * (written - 1) / 2, sum);
    }

    [Fact]
    public void Reserve_WaitsUntilTheKernelDrains()
    {
        RequireUserRingBuf();
        using var ring = CreateUserRing(4096);
        using var drain = UserRingbufDrain(ring);
        using var writer = new UserRingBufferWriter(ring);

        // 4096 / 1032 = 3 records of 1024 bytes fit.
        var big = new byte[1024];
        for (int i = 0; i < 3; i++) Assert.True(writer.TryWrite(big));
        Assert.False(writer.TryReserve(1024, out _));
        Assert.False(writer.TryReserve(1024, TimeSpan.FromMilliseconds(50), out _));
        Assert.Throws<TimeoutException>(() => writer.Reserve(1024, TimeSpan.Zero));

        var blocked = new BackgroundCall<bool>(() =>
        {
            var r = writer.Reserve(1024, TimeSpan.FromSeconds(30));
            BinaryPrimitives.WriteUInt64LittleEndian(r.Span, 99);
            r.Submit();
            return true;
        });
        Assert.False(blocked.Join(TimeSpan.FromMilliseconds(200)), "Reserve returned while the ring was full");
        Assert.Equal(3, Drain(drain).Drained);
        Assert.True(blocked.Join(TimeSpan.FromSeconds(5)), "Reserve was not woken by the drain");
        Assert.True(blocked.Result);
        Assert.Equal(new DrainResult(99, 1, 1), Drain(drain));
    }

    [Fact]
    public void Dispose_WhileAnotherThreadWaitsInReserve_ThrowsThere()
    {
        RequireUserRingBuf();
        using var ring = CreateUserRing(4096);
        var writer = new UserRingBufferWriter(ring);
        Assert.True(writer.TryWrite(new byte[4000]));
        var blocked = new BackgroundCall<bool>(() => writer.TryReserve(1024, Timeout.InfiniteTimeSpan, out _));
        blocked.WaitUntilBlocked();
        writer.Dispose();
        Assert.True(blocked.Join(TimeSpan.FromSeconds(5)), "Reserve did not return after Dispose");
        Assert.IsType<ObjectDisposedException>(blocked.Error);
        Assert.Throws<ObjectDisposedException>(() => writer.TryWrite(1UL));
    }

    [Fact]
    public void PendingReservation_KeepsTheMemoryMappedAfterDispose()
    {
        RequireUserRingBuf();
        using var ring = CreateUserRing(4096);
        using var drain = UserRingbufDrain(ring);
        var writer = new UserRingBufferWriter(ring);
        Assert.True(writer.TryReserve(8, out var r));
        writer.Dispose();
        // Still mapped: the reservation holds it until it is completed.
        BinaryPrimitives.WriteUInt64LittleEndian(r.Span, 41);
        r.Submit();
        Assert.Equal(new DrainResult(41, 1, 1), Drain(drain));
    }

    [Fact]
    public void Sizes_AreChecked()
    {
        RequireUserRingBuf();
        using var ring = CreateUserRing(4096);
        using var writer = new UserRingBufferWriter(ring);
        Assert.Equal(4088, writer.MaxRecordSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.TryReserve(4089, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.TryReserve(-1, out _));
        Assert.True(writer.TryReserve(4088, out var all));
        all.Discard();
        using var array = BpfMap.Create(BpfMapType.RingBuf, 0, 0, 4096);
        Assert.Throws<ArgumentException>(() => new UserRingBufferWriter(array));
    }
}
