namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>bpfsharp run --attach PROGRAM=WHERE</c> given what it cannot use: one line naming the option and the value,
/// exit code 1, nothing attached. (Its real attachments are proven by the javagc and gethostlatency twins, kprobes by the fs tools' twins in the guests.)
/// </summary>
public sealed class CliRunAttachTests
{
    [Theory]
    [InlineData("on_usdt", "expected PROGRAM=WHERE")]
    [InlineData("on_usdt=tp:sched:sched_switch", "unknown kind 'tp'")]
    [InlineData("on_usdt=fentry:", "fentry:FUNCTION")]
    [InlineData("on_usdt=fentry:vfs_read", "is a Kprobe program, not fentry")]
    [InlineData("on_usdt=kprobe:", "kprobe:FUNCTION[+OFFSET]")]
    [InlineData("on_usdt=kretprobe:/bin/true:main", "kretprobe:FUNCTION[+OFFSET]")]
    [InlineData("on_usdt=kprobe:vfs_read+x1", "offset 'x1' is not a number")]
    [InlineData("on_usdt=usdt:bpfsharp", "usdt:[BINARY]:PROVIDER:NAME")]
    [InlineData("on_usdt=uprobe:/bin/true", "uprobe:BINARY:FUNCTION")]
    [InlineData("on_usdt=uprobe:/bin/true:main+zz", "offset 'zz' is not a number")]
    [InlineData("nosuch=uprobe:/bin/true:main", "has no loaded program nosuch")]
    [InlineData("on_usdt=usdt::bpfsharp:args", "give --pid")]
    public void BadPlace_OneLineNamingIt(string value, string expected)
    {
        var r = BpfSharpTool.Run("run", BpfSharpTool.Fixture("usdt.bpf.o"), "--attach", value, "-d", "1s");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(expected, r.Stderr, StringComparison.Ordinal);
        Assert.Contains("--attach", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("attached on_usdt", r.Stderr, StringComparison.Ordinal);
    }
}
