using System.Diagnostics;
using BpfSharp.Tests.Cli;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Build;

/// <summary>
/// The .NET workflow as a user meets it: BpfSharp, BpfSharp.Build and the templates packed into a folder feed, a
/// project outside the repository made by <c>dotnet new bpfsharp-app</c> with a second BPF C file added, <c>dotnet build</c> (clang runs, vmlinux.h is
/// written, skeletons are generated), a second build that does not run clang, the app run as root printing
/// events, and a C syntax error failing the build with the file and line.
/// </summary>
public sealed class BuildPackageEndToEndTests
{
    private const int Minutes = 60;

    [Fact]
    public void PackedBuildPackageCompilesBpfCGeneratesSkeletonsAndRuns()
    {
        TestKernel.RequireRoot();
        string work = Path.Combine(Path.GetTempPath(), $"bpfsharp-e2e-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        string feed = Path.Combine(work, "feed"), app = Path.Combine(work, "app");
        // A version of this run's own: the packages folder below is private too, so nothing stale is restored.
        string version = $"0.0.0-e2e.{Environment.ProcessId}";
        Directory.CreateDirectory(app);
        try
        {
            foreach (var project in new[] { "src/BpfSharp", "src/BpfSharp.Build" })
            {
                Dotnet(Repository.Root, "pack", project, "-c", Repository.Configuration, "--no-build", "-o", feed, $"-p:Version={version}", "-nologo", "-v:q");
            }
            Dotnet(Repository.Root, "pack", "templates/BpfSharp.Templates", "-o", feed, $"-p:Version={version}", "-nologo", "-v:q");
            File.WriteAllText(Path.Combine(work, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources><clear /><add key="local" value="{feed}" /></packageSources>
                </configuration>
                """);

            // The template, installed into a template hive of the test's own (the user's is left alone).
            string hive = Path.Combine(work, "hive");
            Dotnet(work, "new", "--debug:custom-hive", hive, "install", Path.Combine(feed, $"BpfSharp.Templates.{version}.nupkg"));
            Dotnet(work, "new", "--debug:custom-hive", hive, "bpfsharp-app", "-n", "E2eApp", "-o", app, "--BpfSharpVersion", version);
            Assert.True(File.Exists(Path.Combine(app, "probe.bpf.c")), "the template wrote no probe.bpf.c");

            // A second BPF C file is picked up by the template's BpfSource glob; the program drives both.
            string fixtures = Path.Combine(AppContext.BaseDirectory, "Build", "Fixtures", "App");
            File.Copy(Path.Combine(fixtures, "second.bpf.c"), Path.Combine(app, "second.bpf.c"));
            File.Copy(Path.Combine(fixtures, "Program.cs.txt"), Path.Combine(app, "Program.cs"), overwrite: true);
            string[] build = ["build", "--packages", Path.Combine(work, "packages"), "-nologo", "-v:n", "-p:UseSharedCompilation=false", "-nodeReuse:false"];

            var first = Dotnet(app, build);
            Assert.Contains("-target bpf -D__TARGET_ARCH_", first.Stdout);
            string obj = Path.Combine(app, "obj", "Debug", "net10.0", "bpf");
            Assert.True(File.Exists(Path.Combine(obj, "vmlinux.h")), "vmlinux.h was not generated for probe.bpf.c, which includes it");
            string probeObject = Path.Combine(obj, "probe.bpf.o");
            var written = File.GetLastWriteTimeUtc(probeObject);

            var second = Dotnet(app, build);
            Assert.DoesNotContain("-target bpf", second.Stdout);
            Assert.Contains("Skipping target \"BpfCompile\"", second.Stdout);
            Assert.Equal(written, File.GetLastWriteTimeUtc(probeObject));

            string output = Path.Combine(app, "bin", "Debug", "net10.0");
            Assert.True(File.Exists(Path.Combine(output, "probe.bpf.o")) && File.Exists(Path.Combine(output, "second.bpf.o")), "the objects were not copied to the output");
            var run = BpfSharpTool.RunProcess(new ProcessStartInfo("dotnet", [Path.Combine(output, "E2eApp.dll")]), Minutes, "the app");
            Assert.True(run.ExitCode == 0, $"the app exited {run.ExitCode}: {run.Stderr}");
            var events = run.Stdout.Split('\n').Where(l => l.StartsWith("event pid=", StringComparison.Ordinal)).ToList();
            Assert.True(events.Count == 3 && events.All(e => e.EndsWith("comm=true", StringComparison.Ordinal)), $"expected 3 exec events of true, got: {run.Stdout}");
            Assert.Contains("calls=3", run.Stdout);

            // A syntax error: the build fails, naming the file and line in MSBuild's format.
            var source = Path.Combine(app, "second.bpf.c");
            var lines = File.ReadAllLines(source).ToList();
            int line = lines.FindIndex(l => l.Contains("__sync_fetch_and_add", StringComparison.Ordinal)) + 1;
            lines[line - 1] = "\t\t__sync_fetch_and_add(&calls, 1) oops;";
            File.WriteAllLines(source, lines);
            var broken = Dotnet(app, build, expectSuccess: false);
            Assert.NotEqual(0, broken.ExitCode);
            Assert.Contains($"{source}({line},", broken.Stdout);
            Assert.Contains("error", broken.Stdout);

            // No clang: one error naming what to install.
            var noClang = Dotnet(app, [.. build, "-p:BpfClang=clang-that-does-not-exist"], expectSuccess: false);
            Assert.NotEqual(0, noClang.ExitCode);
            Assert.Contains("BPF0001", noClang.Stdout);
            Assert.Contains("apt-get install clang", noClang.Stdout);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static BpfSharpTool.Result Dotnet(string directory, params string[] args) => Dotnet(directory, args, expectSuccess: true);

    private static BpfSharpTool.Result Dotnet(string directory, string[] args, bool expectSuccess)
    {
        var psi = new ProcessStartInfo("dotnet", args) { WorkingDirectory = directory };
        // The test runner's own MSBuild settings must not leak into the user's build.
        psi.Environment.Remove("MSBuildExtensionsPath");
        psi.Environment.Remove("MSBUILD_EXE_PATH");
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var r = BpfSharpTool.RunProcess(psi, Minutes, $"dotnet {string.Join(' ', args)}");
        if (expectSuccess)
            Assert.True(r.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited {r.ExitCode}: {r.Stdout}\n{r.Stderr}");
        return r;
    }
}
