using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>freplace argument checks (a replacing attach needs an extension program loaded with BTF).</summary>
public class FreplaceLinkTests
{
    [Fact]
    public void OnlyExtensionPrograms_ReplaceAFunction()
    {
        TestKernel.RequireRoot();
        using var counts = BpfSharp.TestChild.TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        var e = Assert.Throws<InvalidOperationException>(() => prog.AttachFreplace(prog, "global_double"));
        Assert.Contains("extension", e.Message);
    }
}
