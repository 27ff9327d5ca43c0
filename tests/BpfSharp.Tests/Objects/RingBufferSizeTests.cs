using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Objects;

/// <summary>
/// An object's ring buffer size is rounded up to a power-of-two number of pages before the map is created, as libbpf
/// does (the kernel refuses any other size with EINVAL; the kernel selftest test_ringbuf_multi declares 1000 bytes).
/// </summary>
public class RingBufferSizeTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(4096, 1)]
    [InlineData(4097, 2)]
    [InlineData(3 * 4096, 4)]
    [InlineData(256 * 1024, 64)]
    public void Size_IsRoundedUpToAPowerOfTwoNumberOfPages(int requested, int pagesOf4K)
    {
        int page = Environment.SystemPageSize;
        int expected = requested == 0 ? 0 : Math.Max(page, pagesOf4K * 4096);
        Assert.Equal(expected, BpfObjectMap.RingBufferSize(requested));
    }

    [Fact]
    public void ASizeTheKernelWouldRefuse_IsRoundedBeforeTheMapIsCreated()
    {
        TestKernel.RequireRoot();
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("maps.bpf.o"));
        obj.Maps["ringbuf"].MaxEntries = 1000;
        obj.Load();
        int page = Environment.SystemPageSize;
        Assert.Equal(page, obj.Maps["ringbuf"].MaxEntries);
        Assert.Equal(page, obj.Maps["ringbuf"].Map!.GetInfo().MaxEntries);
    }
}
