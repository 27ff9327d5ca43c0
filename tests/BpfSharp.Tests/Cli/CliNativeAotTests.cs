using System.Diagnostics;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// DESIGN §3: the library is trimming and NativeAOT compatible. The proof is the tool itself, published with
/// NativeAOT from this repository: the publish must pass without a trimming or AOT warning (they are errors in this
/// repository), and the native tool must answer exactly as the JIT-run one does (JSON output, feature probes, errors).
/// </summary>
public sealed class CliNativeAotTests
{
    [Fact]
    public void NativeAotTool_PublishesWithoutWarnings_AndAnswersAsTheJitOne()
    {
        TestKernel.RequireRoot();
        string project = Path.Combine(Repository.Root, "src", "BpfSharp.Cli");
        var output = Directory.CreateTempSubdirectory("bpfsharp-aot-");
        try
        {
            // clang-19 is what scripts/setup-machine.sh installs; the default "clang" may not be on the PATH.
            var publish = Run("dotnet", 600, "publish", project, "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true",
                "-p:CppCompilerAndLinker=clang-19", "-o", output.FullName, "-nologo");
            Assert.True(publish.ExitCode == 0, $"NativeAOT publish failed:\n{publish.Stdout}\n{publish.Stderr}");
            // Trimming (IL2xxx) and AOT (IL3xxx) analysis warnings; NuGet's own (an unreachable audit feed) do not count.
            Assert.DoesNotMatch(@"warning IL[23]\d{3}", publish.Stdout);
            string native = Path.Combine(output.FullName, "BpfSharp.Cli");
            // The records' source-generated serializers, which reflection-based JSON would need trimming to keep.
            using var map = BpfMap.Create(BpfMapType.Hash, 4, 8, 4, new BpfMapCreateOptions { Name = "cli_aot_map" });

            foreach (var args in new[]
            {
                new[] { "object", "inspect", BpfSharpTool.Fixture("maps.bpf.o"), "--json" },
                ["object", "inspect", BpfSharpTool.Fixture("core_reloc.bpf.o"), "--json"],
                ["feature", "--json"],
                ["-j", "map", "show", map.Id.ToString()],
                ["map", "show", "id", map.Id.ToString(), "--pretty"],
                ["map", "show", map.Id.ToString()],
                ["btf", "dump", BpfSharpTool.Fixture("core_reloc.bpf.o"), "--format", "json"],
                ["object", "inspect", "/etc/hostname"], // not an ELF object: the same error
            })
            {
                var jit = BpfSharpTool.Run(args);
                var aot = Run(native, 120, args);
                string what = string.Join(' ', args);
                Assert.Equal(jit.ExitCode, aot.ExitCode);
                Assert.True(jit.Stdout == aot.Stdout, $"bpfsharp {what}: the native tool's output differs:\n{aot.Stdout}\n--- JIT:\n{jit.Stdout}");
                Assert.Equal(jit.Stderr, aot.Stderr);
            }
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static BpfSharpTool.Result Run(string file, int timeoutSeconds, params string[] args)
    {
        var psi = new ProcessStartInfo(file);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return BpfSharpTool.RunProcess(psi, timeoutSeconds, $"{file} {string.Join(' ', args)}");
    }
}
