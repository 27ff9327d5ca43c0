using BpfSharp.Btf;

namespace BpfSharp.Tests.Btf;

/// <summary>The essential name of a CO-RE type, as libbpf's <c>bpf_core_essential_name_len</c> cuts it.</summary>
public class CoreFlavorTests
{
    [Theory]
    [InlineData("task_struct___old", "task_struct")]
    [InlineData("task_struct", "task_struct")]
    // The last separator starts the flavour: a flavour of a flavoured name keeps the first.
    [InlineData("bpf_iter__task___local___v2", "bpf_iter__task___local")]
    // Four underscores are not a separator; neither are three at either end.
    [InlineData("a____b", "a____b")]
    [InlineData("___x", "___x")]
    [InlineData("x___", "x___")]
    [InlineData("x___y", "x")]
    [InlineData("", "")]
    public void TheFlavourIsCutAtTheLastSeparator(string name, string essential) =>
        Assert.Equal(essential, CoreRelocator.EssentialName(name));
}
