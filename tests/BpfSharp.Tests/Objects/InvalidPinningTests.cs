namespace BpfSharp.Tests.Objects;

/// <summary>A map whose pinning is neither LIBBPF_PIN_NONE nor LIBBPF_PIN_BY_NAME is refused at open, as libbpf does.</summary>
public class InvalidPinningTests
{
    [Fact]
    public void APinningLibbpfDoesNotKnow_IsRefusedAtOpen_NamingTheMap()
    {
        var e = Assert.Throws<BpfFormatException>(() => BpfObject.Open(ObjectLoadTests.Fixture("pinning_invalid.bpf.o")));
        Assert.Contains("pinned_twice", e.Message);
        Assert.Contains("pinning 2", e.Message);
    }
}
