using BpfSharp.Links;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests;

/// <summary>A pin opened as the wrong kind of object is refused by name, not wrapped as if it were one.</summary>
public class PinnedObjectKindTests
{
    [Fact]
    public void AMapPin_OpenedAsALinkOrProgram_IsRefused_AndLeaksNoFd()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        using var map = BpfMap.Create(BpfMapType.Array, 4, 8, 1, new() { Name = "kind_check" });
        map.Pin(dir["map"]);
        int fds = Directory.GetFiles("/proc/self/fd").Length;

        var asLink = Assert.Throws<BpfException>(() => BpfLink.OpenPinned(dir["map"]));
        Assert.Contains("expected a BPF link, found a BPF map", asLink.Message);
        var asProgram = Assert.Throws<BpfException>(() => BpfProgram.OpenPinned(dir["map"]));
        Assert.Contains("expected a BPF program, found a BPF map", asProgram.Message);
        Assert.Equal(fds, Directory.GetFiles("/proc/self/fd").Length);

        using var reopened = BpfMap.OpenPinned(dir["map"]);
        Assert.Equal(map.Id, reopened.Id);
    }
}
