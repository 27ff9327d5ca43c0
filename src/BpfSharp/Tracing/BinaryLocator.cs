using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace BpfSharp.Tracing;

/// <summary>
/// Finds the file a uprobe names: a path as given, a library the target process has mapped, or a library or
/// executable found the way the dynamic loader and the shell would find it, without reading <c>/etc/ld.so.cache</c>.
/// </summary>
public static class BinaryLocator
{
    private static readonly string? MultiarchTriplet = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "x86_64-linux-gnu",
        Architecture.Arm64 => "aarch64-linux-gnu",
        _ => null,
    };

    // e_machine of this process: a library of another architecture (a multilib copy) cannot be ours to probe.
    private static readonly ushort ExpectedMachine = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 62,
        Architecture.Arm64 => 183,
        Architecture.RiscV64 => 243,
        Architecture.S390x => 22,
        Architecture.Ppc64le => 21,
        Architecture.LoongArch64 => 258,
        _ => 0,
    };

    /// <summary>
    /// Resolves <paramref name="binary"/> to an absolute path:
    /// a name with a '/' is taken as a path (made absolute; for a <paramref name="pid"/> whose mount namespace
    /// differs, looked up under <c>/proc/&lt;pid&gt;/root</c> when it does not exist here); a library name
    /// (<c>libc.so.6</c>; or <c>libc</c>, which finds a mapped <c>libc.*</c>) is looked up in what the process
    /// <paramref name="pid"/> (or this process, for 0) has mapped, then in <c>LD_LIBRARY_PATH</c> and the usual
    /// library directories (skipping linker scripts and other architectures' copies); any name is finally looked
    /// up in <c>PATH</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing of that name was found.</exception>
    public static string Resolve(string binary, int pid = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(binary);
        ArgumentOutOfRangeException.ThrowIfNegative(pid);
        if (binary.Contains('/'))
        {
            string full = Path.GetFullPath(binary);
            if (File.Exists(full))
                return full;
            if (pid != 0 && File.Exists(InRootOf(pid, full)))
                return InRootOf(pid, full);
            throw new FileNotFoundException($"uprobe target {binary} does not exist", full);
        }

        bool isLibrary = binary.Contains(".so", StringComparison.Ordinal) || binary.StartsWith("lib", StringComparison.Ordinal);
        if (isLibrary)
        {
            if (FromMaps(binary, pid == 0 ? "self" : pid.ToString(CultureInfo.InvariantCulture)) is { } mapped)
                return mapped;
            foreach (string dir in LibraryDirectories())
            {
                string candidate = Path.Combine(dir, binary);
                if (IsNativeElf(candidate))
                    return Path.GetFullPath(candidate);
            }
        }
        // Any other name is a program; a library-looking one ("libtool") may be one too.
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Concat(["/usr/sbin", "/sbin"]))
        {
            if (dir.Length == 0)
                continue;
            string candidate = Path.Combine(dir, binary);
            if (File.Exists(candidate))
                return Path.GetFullPath(candidate);
        }
        string where = isLibrary ? "in the process's mappings, the library directories or PATH" : "in PATH";
        throw new FileNotFoundException($"uprobe target {binary} was not found {where}", binary);
    }

    private static string InRootOf(int pid, string path) => $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/root{path}";

    // The file a process has mapped whose name is `name`, or starts with `name.` ("libc" finds libc.so.6).
    private static string? FromMaps(string name, string pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/maps");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        foreach (string line in lines)
        {
            // "start-end perms offset dev inode   /path"; the path is the rest of the line after the inode.
            int slash = line.IndexOf('/');
            if (slash < 0)
                continue;
            string path = line[slash..];
            if (path.EndsWith(" (deleted)", StringComparison.Ordinal))
                continue;
            string file = Path.GetFileName(path);
            if (file == name || file.StartsWith(name + ".", StringComparison.Ordinal))
            {
                if (File.Exists(path))
                    return path;
                if (pid != "self" && File.Exists($"/proc/{pid}/root{path}"))
                    return $"/proc/{pid}/root{path}";
            }
        }
        return null;
    }

    private static IEnumerable<string> LibraryDirectories()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':'))
        {
            if (dir.Length > 0)
                yield return dir;
        }
        if (MultiarchTriplet is { } triplet)
        {
            yield return "/lib/" + triplet;
            yield return "/usr/lib/" + triplet;
        }
        foreach (string dir in new[] { "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib" })
            yield return dir;
    }

    // A regular ELF64 file for this machine (not a linker script such as libc.so, nor a 32-bit copy).
    private static bool IsNativeElf(string path)
    {
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            Span<byte> header = stackalloc byte[20];
            if (RandomAccess.Read(file, header, 0) < header.Length)
                return false;
            return header[0] == 0x7f && header[1] == 'E' && header[2] == 'L' && header[3] == 'F' && header[4] == 2 &&
                   (ExpectedMachine == 0 || BinaryPrimitives.ReadUInt16LittleEndian(header[18..]) == ExpectedMachine);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
