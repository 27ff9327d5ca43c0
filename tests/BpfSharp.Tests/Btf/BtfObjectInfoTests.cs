using BpfSharp.Btf;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Btf;

/// <summary><see cref="BtfObjectInfo"/>: the kernel's BTF objects, listed and described.</summary>
public sealed class BtfObjectInfoTests
{
    [Fact]
    public void TheKernelsOwnBtfIsListedWithItsSize()
    {
        TestKernel.RequireRoot();
        var vmlinux = BtfObjectInfo.EnumerateIds().Select(BtfObjectInfo.FromId).First(b => b.Name == "vmlinux");
        Assert.True(vmlinux.IsKernel);
        Assert.Equal(new FileInfo("/sys/kernel/btf/vmlinux").Length, vmlinux.Size);
        Assert.Equal(vmlinux, BtfObjectInfo.FromId(vmlinux.Id));
    }

    [Fact]
    public void AMapsBtfIsNotTheKernels()
    {
        TestKernel.RequireRoot();
        using var obj = BpfObject.Open(Path.Combine(AppContext.BaseDirectory, "Examples", "pktcount.bpf.o"));
        obj.Load();
        var info = obj.Maps["counts"].Map!.GetInfo();
        var btf = BtfObjectInfo.FromId(info.BtfId);
        Assert.Equal(info.BtfId, btf.Id);
        Assert.False(btf.IsKernel);
        Assert.Contains(btf.Id, BtfObjectInfo.EnumerateIds());
        var gone = Assert.Throws<BpfException>(() => BtfObjectInfo.FromId(uint.MaxValue - 1));
        Assert.Equal("ENOENT", gone.ErrnoName);
    }
}
