using System.CommandLine;
using System.Text.Json;
using BpfSharp.Cli.Output;
using BpfSharp.Links;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>bpfsharp perf list|show</c>: every process's fd that runs a BPF program on a perf event or raw tracepoint
/// (BPF_TASK_FD_QUERY over /proc), with bpftool's fields and lines.
/// </summary>
internal static class PerfCommand
{
    public static Command Create()
    {
        var command = new Command("perf", "Programs attached through perf events and raw tracepoints, per process and fd");
        command.Subcommands.Add(List("list"));
        command.Subcommands.Add(List("show"));
        return command;
    }

    private static Command List(string verb)
    {
        var json = Cli.JsonOption();
        var command = new Command(verb, "List every process's perf event and raw tracepoint fds that run a program (bpftool's perf list)") { json };
        command.SetGuardedAction(r =>
        {
            var found = PerfEventQuery.All().ToList();
            if (Cli.Json(r, json)) JsonOutput.Write(w => WriteJson(w, found));
            else foreach (var e in found) Console.WriteLine(Line(e));
            return 0;
        });
        return command;
    }

    private static string KindName(BpfPerfEventKind kind) => kind switch
    {
        BpfPerfEventKind.RawTracepoint => "raw_tracepoint",
        BpfPerfEventKind.Tracepoint => "tracepoint",
        BpfPerfEventKind.Kprobe => "kprobe",
        BpfPerfEventKind.Kretprobe => "kretprobe",
        BpfPerfEventKind.Uprobe => "uprobe",
        BpfPerfEventKind.Uretprobe => "uretprobe",
        _ => $"fd_type {(int)kind}",
    };

    private static bool IsKernelProbe(BpfPerfEventKind kind) => kind is BpfPerfEventKind.Kprobe or BpfPerfEventKind.Kretprobe;

    /// <summary>bpftool's plain line: "pid P  fd F: prog_id I  " and the event's own part.</summary>
    private static string Line(PerfEventAttachment e)
    {
        string what = e.Kind switch
        {
            BpfPerfEventKind.RawTracepoint or BpfPerfEventKind.Tracepoint => $"{KindName(e.Kind)}  {e.Name}",
            _ when IsKernelProbe(e.Kind) && e.Name.Length > 0 => $"{KindName(e.Kind)}  func {e.Name}  offset {e.ProbeOffset}",
            _ when IsKernelProbe(e.Kind) => $"{KindName(e.Kind)}  addr {e.ProbeAddress}",
            BpfPerfEventKind.Uprobe or BpfPerfEventKind.Uretprobe => $"{KindName(e.Kind)}  filename {e.Name}  offset {e.ProbeOffset}",
            _ => KindName(e.Kind),
        };
        return $"pid {e.Pid}  fd {e.Fd}: prog_id {e.ProgramId}  {what}";
    }

    /// <summary>bpftool's object per fd: which fields appear depends on the event's kind.</summary>
    private static void WriteJson(Utf8JsonWriter w, List<PerfEventAttachment> found)
    {
        w.WriteStartArray();
        foreach (var e in found)
        {
            w.WriteStartObject();
            w.WriteNumber("pid", e.Pid);
            w.WriteNumber("fd", e.Fd);
            w.WriteNumber("prog_id", e.ProgramId);
            w.WriteString("fd_type", KindName(e.Kind));
            switch (e.Kind)
            {
                case BpfPerfEventKind.RawTracepoint or BpfPerfEventKind.Tracepoint:
                    w.WriteString("tracepoint", e.Name);
                    break;
                case var k when IsKernelProbe(k) && e.Name.Length > 0:
                    w.WriteString("func", e.Name);
                    w.WriteNumber("offset", e.ProbeOffset);
                    break;
                case var k when IsKernelProbe(k):
                    w.WriteNumber("addr", e.ProbeAddress);
                    break;
                case BpfPerfEventKind.Uprobe or BpfPerfEventKind.Uretprobe:
                    w.WriteString("filename", e.Name);
                    w.WriteNumber("offset", e.ProbeOffset);
                    break;
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
