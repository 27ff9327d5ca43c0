using System.Diagnostics;
using System.Text.RegularExpressions;
using BpfSharp.Asm;
using Xunit;

namespace BpfSharp.Tests.Asm;

public sealed partial class BpfHelperTests
{
    private const string Bpftool = "/usr/sbin/bpftool";
    private const string VmlinuxBtf = "/sys/kernel/btf/vmlinux";

    [Fact]
    public void WellKnownIds()
    {
        Assert.Equal(1, (int)BpfHelper.MapLookupElem);
        Assert.Equal(2, (int)BpfHelper.MapUpdateElem);
        Assert.Equal(3, (int)BpfHelper.MapDeleteElem);
        Assert.Equal(4, (int)BpfHelper.ProbeRead);
        Assert.Equal(5, (int)BpfHelper.KtimeGetNs);
        Assert.Equal(6, (int)BpfHelper.TracePrintk);
        Assert.Equal(7, (int)BpfHelper.GetPrandomU32);
        Assert.Equal(8, (int)BpfHelper.GetSmpProcessorId);
        Assert.Equal(130, (int)BpfHelper.RingbufOutput);
        Assert.Equal(209, (int)BpfHelper.UserRingbufDrain);
    }

    [Fact]
    public void IdsAreDenseFromZero()
    {
        // The kernel numbers helpers consecutively; a gap would mean a line lost in generation.
        var values = Enum.GetValues<BpfHelper>().Select(h => (int)h).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, values.Length), values);
    }

    [Fact]
    public void MatchesTheRunningKernel()
    {
        if (!File.Exists(VmlinuxBtf))
            Assert.Skip($"{VmlinuxBtf} is absent: the kernel has no BTF to compare with.");
        if (!File.Exists(Bpftool))
            Assert.Skip($"{Bpftool} is absent.");

        var kernel = KernelHelpers();
        Assert.NotEmpty(kernel);
        foreach (var (snakeName, id) in kernel)
        {
            string name = PascalCase(snakeName);
            Assert.True(Enum.TryParse<BpfHelper>(name, out var helper),
                $"BPF_FUNC_{snakeName} = {id} has no BpfHelper.{name}; regenerate BpfHelper.cs from this kernel.");
            Assert.Equal(id, (int)helper);
        }
        // A newer enum than the kernel is fine; an older one shows up above.
        Assert.True(Enum.GetValues<BpfHelper>().Length >= kernel.Count);
    }

    private static List<(string Name, int Id)> KernelHelpers()
    {
        var start = new ProcessStartInfo(Bpftool, ["btf", "dump", "file", VmlinuxBtf, "format", "c"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"bpftool failed: {stderr.Result}");

        return FuncIdLine().Matches(output).Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value))).ToList();
    }

    private static string PascalCase(string snake) =>
        string.Concat(snake.Split('_').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    [GeneratedRegex(@"^\s*BPF_FUNC_([a-z0-9_]+) = (\d+),", RegexOptions.Multiline)]
    private static partial Regex FuncIdLine();
}
