using System.Diagnostics;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>bpfsharp.sh</c>: it builds the native tool only when a source changed since the last build, then execs it. Run
/// in a copy of the script inside a scratch tree whose <c>dotnet</c> (first on the PATH) and set-up are stand-ins
/// that log their calls, so the test sees every build without spending a NativeAOT publish on each.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BpfSharpScriptTests : IDisposable
{
    private readonly DirectoryInfo _tree = Directory.CreateTempSubdirectory("bpfsharp-helper-script-");

    private string P(string relative) => Path.Combine(_tree.FullName, relative);

    private string Log => File.Exists(P("calls.log")) ? File.ReadAllText(P("calls.log")) : "";

    public BpfSharpScriptTests()
    {
        File.Copy(Path.Combine(Support.Repository.Root, "bpfsharp.sh"), P("bpfsharp.sh"));
        foreach (var dir in new[] { "scripts", "fakebin", "src/BpfSharp", "src/BpfSharp.Cli/bin", "src/BpfSharp.Generators/Skeleton" })
            Directory.CreateDirectory(P(dir));
        File.WriteAllText(P("src/BpfSharp/Lib.cs"), "// library");
        File.WriteAllText(P("src/BpfSharp.Cli/Program.cs"), "// tool");
        File.WriteAllText(P("Directory.Build.props"), "<Project />");
        File.WriteAllText(P("Directory.Build.targets"), "<Project />");
        Script("scripts/setup-machine.sh", $"echo setup >> '{P("calls.log")}'");
        // The stand-in publish writes an "executable" that prints its arguments.
        Script("fakebin/dotnet", $$"""
            echo publish >> '{{P("calls.log")}}'
            while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
            mkdir -p "$out"; printf '#!/bin/sh\necho native "$@"\n' > "$out/BpfSharp.Cli"; chmod +x "$out/BpfSharp.Cli"
            """);
        File.SetUnixFileMode(P("bpfsharp.sh"), (UnixFileMode)0b111_101_101);
    }

    private void Script(string relative, string body)
    {
        File.WriteAllText(P(relative), "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(P(relative), (UnixFileMode)0b111_101_101);
    }

    private BpfSharpTool.Result Run(params string[] args)
    {
        var psi = new ProcessStartInfo(P("bpfsharp.sh"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PATH"] = P("fakebin") + ":" + Environment.GetEnvironmentVariable("PATH");
        var r = BpfSharpTool.RunProcess(psi, 60, "bpfsharp.sh");
        Assert.True(r.ExitCode == 0, $"bpfsharp.sh {string.Join(' ', args)}: {r.Stderr}");
        return r;
    }

    private static void Later() => Thread.Sleep(20); // file times must move past the stamp's

    [Fact]
    public void BuildsOnlyWhenASourceChanged_ThenExecsTheNativeTool()
    {
        Assert.Equal("native prog list", Run("prog", "list").Stdout.Trim());
        Assert.Equal("setup\npublish\n", Log);

        Assert.Equal("native -j map show 3", Run("-j", "map", "show", "3").Stdout.Trim());
        Assert.Equal("setup\npublish\n", Log); // nothing changed: no set-up, no build

        Later();
        File.AppendAllText(P("src/BpfSharp/Lib.cs"), "// edited");
        Run("prog", "list");
        Assert.Equal(2, Log.Split('\n').Count(l => l == "publish"));

        Later();
        File.Delete(P("src/BpfSharp.Cli/Program.cs")); // a deleted file changes its directory
        Run("prog", "list");
        Assert.Equal(3, Log.Split('\n').Count(l => l == "publish"));

        Later();
        File.WriteAllText(P("src/BpfSharp.Cli/bin/output.dll"), "build output"); // bin/ and obj/ do not count
        Run("prog", "list");
        Assert.Equal(3, Log.Split('\n').Count(l => l == "publish"));
    }

    [Fact]
    public void InstallCopiesTheExecutable_BuildPrintsItsPath()
    {
        Directory.CreateDirectory(P("installed"));
        Run("--install", P("installed"));
        Assert.True(File.Exists(P("installed/bpfsharp")));
        string path = Run("--build").Stdout.Trim();
        Assert.Equal(P("artifacts/bpfsharp/bpfsharp"), path);
        Assert.Single(Log.Split('\n'), l => l == "publish");
    }

    public void Dispose() => _tree.Delete(recursive: true);
}
