using System.Text.Json;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary><c>bpfsharp usdt list</c>: the probes readelf -n lists, decoded; by file and by process.</summary>
public class CliUsdtTests
{
    [Fact]
    public void List_MatchesReadelfNotes_AndDecodesArguments()
    {
        string binary = UsdtFixtures.Path("usdt_app_O2");
        var result = BpfSharpTool.Run("usdt", "list", binary, "--json");
        Assert.Equal(0, result.ExitCode);
        var sites = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToList();
        // readelf -n prints one "Arguments:" line per site note.
        string readelf = TestKernel.Run("readelf", "-n", binary);
        var expected = readelf.Split('\n').Where(l => l.TrimStart().StartsWith("Arguments:", StringComparison.Ordinal))
            .Select(l => l.Trim()["Arguments:".Length..].Trim()).Order().ToList();
        Assert.Equal(expected, sites.Select(s => s.GetProperty("arguments").GetString()!).Order().ToList());
        var global = sites.Single(s => s.GetProperty("name").GetString() == "global");
        Assert.Equal(["s64 at threshold"], global.GetProperty("decoded").EnumerateArray().Select(d => d.GetString()));
        Assert.Contains("segment", sites.Single(s => s.GetProperty("name").GetString() == "tls").GetProperty("error").GetString());
        Assert.NotEqual(0, sites.Single(s => s.GetProperty("name").GetString() == "guarded").GetProperty("semaphore_offset").GetInt64());
    }

    [Fact]
    public void List_ByPid_IncludesTheProcesssLibraries()
    {
        using var app = new UsdtFixtures.Running("usdt_app_O0");
        var result = BpfSharpTool.Run("usdt", "list", "--pid", app.Pid.ToString());
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("bpfsharp_lib:call", result.Stdout);
        Assert.Contains("bpfsharp:args", result.Stdout);
        Assert.Contains("libstdcxx", BpfSharpTool.Run("usdt", "list", "libstdc++.so.6").Stdout);
    }
}
