using System.CommandLine;
using System.Globalization;
using BpfSharp.Cli.Output;
using BpfSharp.Tracing;

namespace BpfSharp.Cli.Commands;

/// <summary><c>bpfsharp usdt list BINARY|--pid PID</c>: the USDT probes of a file or a process, decoded like <c>readelf -n</c>.</summary>
internal static class UsdtCommand
{
    public static Command Create()
    {
        var binary = new Argument<string?>("BINARY") { Description = "An executable or library (a path or a library name)", Arity = ArgumentArity.ZeroOrOne };
        var pid = new Option<int?>("--pid") { HelpName = "PID", Description = "Every file the process runs or has mapped" };
        var json = Cli.JsonOption();
        var list = new Command("list", "List USDT probes: provider, name, sites, semaphores and decoded argument specs") { binary, pid, json };
        list.SetGuardedAction(r =>
        {
            string? file = r.GetValue(binary);
            int? process = r.GetValue(pid);
            if (file is null == process is null)
                throw new ArgumentException("give a BINARY or --pid PID (one of them)");
            var files = process is { } p ? UsdtTarget.MappedFiles(p) : [BinaryLocator.Resolve(file!)];
            var sites = new List<UsdtTarget>();
            foreach (string path in files)
            {
                try { sites.AddRange(UsdtTarget.ResolveAll(path)); }
                catch (BpfFormatException) when (process is not null) { /* a mapped file that is not ELF64 */ }
            }
            if (Cli.Json(r, json))
            {
                JsonOutput.Write(w =>
                {
                    w.WriteStartArray();
                    foreach (var s in sites)
                    {
                        w.WriteStartObject();
                        w.WriteString("file", s.BinaryPath);
                        w.WriteString("provider", s.Provider);
                        w.WriteString("name", s.Name);
                        w.WriteNumber("address", s.Address);
                        w.WriteNumber("file_offset", s.FileOffset);
                        w.WriteNumber("semaphore_offset", s.SemaphoreOffset);
                        w.WriteString("arguments", s.Arguments);
                        if (s.ArgumentError is { } error) w.WriteString("error", error);
                        else
                        {
                            w.WriteStartArray("decoded");
                            foreach (var a in s.ParsedArguments) w.WriteStringValue(Describe(a));
                            w.WriteEndArray();
                        }
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
                return 0;
            }
            var table = new TextTable("FILE", "PROBE", "ADDRESS", "OFFSET", "SEMAPHORE", "ARGUMENTS");
            foreach (var s in sites)
            {
                string args = s.ArgumentError is { } error ? $"{s.Arguments} (unsupported: {error})"
                    : string.Join(", ", s.ParsedArguments.Select(Describe));
                table.Add(Path.GetFileName(s.BinaryPath), $"{s.Provider}:{s.Name}", $"0x{s.Address:x}", $"0x{s.FileOffset:x}",
                    s.SemaphoreOffset == 0 ? "-" : $"0x{s.SemaphoreOffset:x}", args);
            }
            table.Write(Console.Out);
            return 0;
        });
        return new Command("usdt", "User-space statically defined tracepoints (sys/sdt.h probes)") { list };
    }

    /// <summary>One decoded argument: <c>s32 in %eax</c>, <c>u64 at -8(%rbp)</c>, <c>s32 = 5</c>.</summary>
    private static string Describe(UsdtArgument a)
    {
        string type = $"{(a.IsSigned ? 's' : 'u')}{a.Size * 8}";
        return a.Kind switch
        {
            // The note prints an unsigned constant as its signed bit pattern (4@$-294967296); show what the program reads.
            UsdtArgumentKind.Constant => $"{type} = {(a.IsSigned || a.Size == 8 ? a.Value.ToString(CultureInfo.InvariantCulture) : ((ulong)a.Value & ((1UL << (a.Size * 8)) - 1)).ToString(CultureInfo.InvariantCulture))}",
            UsdtArgumentKind.Register => $"{type} in {a.Register}",
            UsdtArgumentKind.Memory when a.Symbol is not null => $"{type} at {a.Symbol}{(a.Value == 0 ? "" : $"{a.Value:+#;-#}")}",
            UsdtArgumentKind.Memory => $"{type} at {a.Register}{(a.Value == 0 ? "" : $"{a.Value:+#;-#}")}",
            _ => $"{type} at {a.Register}+{a.IndexRegister}*{a.Scale}{(a.Value == 0 ? "" : $"{a.Value:+#;-#}")}",
        };
    }
}
