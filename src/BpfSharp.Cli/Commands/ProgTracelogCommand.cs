using System.CommandLine;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>bpfsharp prog tracelog stdout|stderr PROG</c>: prints what is waiting in one of the program's streams (what it
/// printed with the stream kfunc, and on stderr the kernel's reports of its faults), as bpftool's "prog tracelog".
/// Reading consumes it.
/// </summary>
internal static class ProgTracelogCommand
{
    public static Command Create()
    {
        var stream = new Argument<string>("STREAM") { Description = "stdout or stderr" };
        stream.AcceptOnlyFromAmong("stdout", "stderr");
        var target = new Argument<string>("PROG") { Description = Targets.Help };
        var command = new Command("tracelog", "Print and consume a program's stdout or stderr stream (Linux 6.17)") { stream, target };
        command.SetGuardedAction(r =>
        {
            var which = r.GetValue(stream) == "stderr" ? BpfStream.Stderr : BpfStream.Stdout;
            using var prog = Targets.Program(r.GetValue(target)!);
            var buffer = new byte[4096];
            using var output = Console.OpenStandardOutput();
            int n;
            while ((n = prog.ReadStream(which, buffer)) > 0) output.Write(buffer, 0, n);
            return 0;
        });
        return command;
    }
}
