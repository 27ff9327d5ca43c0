using System.Diagnostics;
using Microsoft.Build.Framework;
using Task = Microsoft.Build.Utilities.Task;

namespace BpfSharp.Build;

/// <summary>
/// Compiles one BPF C source with clang (<c>-g -O2 -target bpf -D__TARGET_ARCH_…</c>) and reports clang's
/// diagnostics as MSBuild errors and warnings with file, line and column.
/// </summary>
public sealed class BpfCompile : Task
{
    /// <summary>The BPF C source.</summary>
    [Required] public string Source { get; set; } = "";

    /// <summary>The object to write.</summary>
    [Required] public string Output { get; set; } = "";

    /// <summary>The __TARGET_ARCH_ suffix: x86, arm64, ...</summary>
    [Required] public string TargetArch { get; set; } = "";

    /// <summary>The clang to run; empty: <c>clang</c>, else the newest <c>clang-N</c> on PATH.</summary>
    public string? Clang { get; set; }

    /// <summary>Include directories (the generated vmlinux.h's directory among them).</summary>
    public string[] IncludeDirectories { get; set; } = [];

    /// <summary>Extra clang arguments, one per item.</summary>
    public string[] ExtraArguments { get; set; } = [];

    /// <summary>
    /// Where to write the object as base64 for the skeleton generator (a Roslyn additional file is read as
    /// text, which would mangle an ELF file); empty: none.
    /// </summary>
    public string? SkeletonInput { get; set; }

    /// <summary>Builds the clang command line; exposed for the tests.</summary>
    public static List<string> Arguments(string source, string output, string targetArch, IEnumerable<string> includes, IEnumerable<string> extra)
    {
        var args = new List<string> { "-g", "-O2", "-target", "bpf", $"-D__TARGET_ARCH_{targetArch}", "-fno-color-diagnostics" };
        foreach (var dir in includes)
            args.Add($"-I{dir}");
        // -target bpf has no system include path of its own: <linux/types.h> needs the target's <asm/types.h>,
        // which Debian and Ubuntu keep under the multiarch triplet.
        if (MultiarchDirectory(targetArch) is { } multiarch && Directory.Exists(multiarch))
            args.AddRange(["-idirafter", multiarch]);
        args.AddRange(extra);
        args.AddRange(["-c", source, "-o", output]);
        return args;
    }

    private static string? MultiarchDirectory(string targetArch) => targetArch switch
    {
        "x86" => "/usr/include/x86_64-linux-gnu",
        "arm64" => "/usr/include/aarch64-linux-gnu",
        "arm" => "/usr/include/arm-linux-gnueabihf",
        "riscv" => "/usr/include/riscv64-linux-gnu",
        "s390" => "/usr/include/s390x-linux-gnu",
        "powerpc" => "/usr/include/powerpc64le-linux-gnu",
        _ => null,
    };

    public override bool Execute()
    {
        string? clang = ClangLocator.Find(Clang, Environment.GetEnvironmentVariable("PATH"));
        if (clang is null)
        {
            string lookedFor = string.IsNullOrEmpty(Clang) ? string.Join(", ", ClangLocator.CandidateNames().Take(3)) + ", ... on PATH" : Clang;
            Log.LogError(null, "BPF0001", null, Source, 0, 0, 0, 0,
                "clang was not found (looked for {0}): BPF C needs clang with the BPF target. Install it (Debian/Ubuntu: apt-get install clang libbpf-dev) or set the BpfClang property to its path.",
                lookedFor);
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(Output))!);
        var start = new ProcessStartInfo(clang) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in Arguments(Source, Output, TargetArch, IncludeDirectories, ExtraArguments))
            start.ArgumentList.Add(a);
        Log.LogMessage(MessageImportance.Normal, "{0} {1}", clang, string.Join(" ", start.ArgumentList));

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {clang}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        bool reported = ReportDiagnostics(stderr + stdout.Result);

        if (process.ExitCode != 0)
        {
            // A failed compile can leave a truncated object that would look up to date to the next build.
            File.Delete(Output);
            if (!string.IsNullOrEmpty(SkeletonInput)) File.Delete(SkeletonInput);
            if (!reported)
                Log.LogError(null, "BPF0002", null, Source, 0, 0, 0, 0, "{0} exited with code {1}: {2}", clang, process.ExitCode, stderr.Trim());
            return false;
        }
        if (!string.IsNullOrEmpty(SkeletonInput))
            File.WriteAllText(SkeletonInput, Convert.ToBase64String(File.ReadAllBytes(Output)));
        return !Log.HasLoggedErrors;
    }

    /// <summary>Logs each diagnostic clang printed; returns whether any error was among them.</summary>
    private bool ReportDiagnostics(string output)
    {
        bool error = false;
        foreach (var line in output.Split('\n'))
        {
            if (ClangDiagnostic.TryParse(line.TrimEnd('\r')) is not { } d)
                continue;
            string message = d.Message;
            // libbpf-dev ships bpf_helpers.h and friends; its absence is the usual first error.
            if (d.IsError && message.Contains("'bpf/", StringComparison.Ordinal) && message.Contains("file not found", StringComparison.Ordinal))
                message += " (install libbpf-dev, which provides the bpf/*.h headers)";
            if (d.IsError)
            {
                error = true;
                Log.LogError("clang", "BPFC", null, d.File, d.Line, d.Column, 0, 0, message);
            }
            else if (d.IsWarning)
                Log.LogWarning("clang", "BPFC", null, d.File, d.Line, d.Column, 0, 0, message);
            else
                Log.LogMessage(MessageImportance.High, "{0}({1},{2}): note: {3}", d.File, d.Line, d.Column, message);
        }
        return error;
    }
}
