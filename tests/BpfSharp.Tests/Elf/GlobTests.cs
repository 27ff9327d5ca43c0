using BpfSharp.Elf;
using Xunit;

namespace BpfSharp.Tests.Elf;

public class GlobTests
{
    [Theory]
    [InlineData("malloc", "malloc", true)]
    [InlineData("malloc", "malloc2", false)]
    [InlineData("mall*", "malloc", true)]
    [InlineData("mall*", "mall", true)]
    [InlineData("*alloc", "calloc", true)]
    [InlineData("*alloc", "alloca", false)]
    [InlineData("m?lloc", "malloc", true)]
    [InlineData("m?lloc", "mlloc", false)]
    [InlineData("*", "", true)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("__libc_*_*", "__libc_start_main", true)]
    public void MatchesLikeTheShell(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Glob.IsMatch(pattern, text));
}
