using System.Diagnostics;
using Xunit;

namespace BpfSharp.Tests.Elf;

/// <summary>Fixture paths and the external tools (llvm-readelf, readelf, nm) the tests use as witnesses.</summary>
internal static class ElfTestFiles
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Elf", "Fixtures", name);

    public static readonly string[] BpfObjects = ["programs.bpf.o", "externs.bpf.o"];

    /// <summary>Every committed fixture: the BPF objects, the x86-64 object and the x86-64 executable.</summary>
    public static readonly string[] AllFixtures = ["programs.bpf.o", "externs.bpf.o", "usdt.o", "usdt"];

    /// <summary>Runs a tool and returns its standard output, or skips the test when the tool is not installed.</summary>
    public static string RunWitness(string tool, params string[] args)
    {
        string? path = FindOnPath(tool);
        Assert.SkipWhen(path is null, $"{tool} is not installed");
        var start = new ProcessStartInfo(path!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
            start.ArgumentList.Add(a);
        start.Environment["LC_ALL"] = "C";
        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result}");
        return output;
    }

    private static string? FindOnPath(string tool)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            string candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>The C library this process runs with (found through /proc/self/maps), or a skip.</summary>
    public static string SystemLibc()
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/');
            if (slash < 0)
                continue;
            string path = line[slash..];
            string file = Path.GetFileName(path);
            if (file.StartsWith("libc.so", StringComparison.Ordinal) || file.StartsWith("libc-", StringComparison.Ordinal))
                return path;
        }
        foreach (string candidate in new[] { "/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", "/lib64/libc.so.6" })
        {
            if (File.Exists(candidate))
                return candidate;
        }
        Assert.Skip("no glibc found");
        return "";
    }
}
