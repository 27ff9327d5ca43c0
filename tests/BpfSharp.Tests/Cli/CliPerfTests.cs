using System.Text.Json;
using BpfSharp.Asm;
using BpfSharp.Tests.Support;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.Tests.Cli;

/// <summary><c>perf list</c> beside bpftool 7.1's: the fds of this test process that run programs on a tracepoint and a raw tracepoint.</summary>
public sealed class CliPerfTests
{
    [Fact]
    public void PerfList_ShowsThisProcessesTracepointFds_AsBpftool()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        var code = new BpfAssembler().Mov64(R0, 0).Exit().Build();
        using var tp = BpfProgram.Load(BpfProgramType.Tracepoint, code, new BpfProgramLoadOptions { Name = "verbs_perf_tp" });
        using var raw = BpfProgram.Load(BpfProgramType.RawTracepoint, code, new BpfProgramLoadOptions { Name = "verbs_perf_raw" });
        using var tpLink = tp.AttachTracepoint("syscalls", "sys_enter_getppid");
        using var rawLink = raw.AttachRawTracepoint("sys_enter");
        string pid = Environment.ProcessId.ToString();

        static List<string> Mine(JsonElement list, string pid) =>
            [.. list.EnumerateArray().Where(e => e.GetProperty("pid").ToString() == pid).Select(e => e.ToString()).Order(StringComparer.Ordinal)];
        var theirs = Mine(JsonDocument.Parse(TestKernel.Run(bpftool, "-j", "perf", "list")).RootElement, pid);
        var ours = Mine(BpfSharpTool.Ok("-j", "perf", "list").Json, pid);
        Assert.Equal(theirs, ours);
        Assert.Contains(ours, e => e.Contains($"\"prog_id\":{tp.Id}") && e.Contains("\"fd_type\":\"tracepoint\"") && e.Contains("sys_enter_getppid"));
        Assert.Contains(ours, e => e.Contains($"\"prog_id\":{raw.Id}") && e.Contains("\"fd_type\":\"raw_tracepoint\"") && e.Contains("\"tracepoint\":\"sys_enter\""));

        static List<string> MyLines(string text, string pid) => [.. text.Split('\n').Where(l => l.StartsWith($"pid {pid} ", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        Assert.Equal(MyLines(TestKernel.Run(bpftool, "perf", "list"), pid), MyLines(BpfSharpTool.Ok("perf", "list").Stdout, pid));
        Assert.Equal(2, MyLines(BpfSharpTool.Ok("perf", "show").Stdout, pid).Count);
    }
}
