using System.Diagnostics;
using System.Globalization;
using BpfSharp.Tests.Support;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Tracing;

/// <summary>
/// <see cref="TraceFs.RemoveStaleProbeEvents"/> against events left by real processes: the test starts this test
/// assembly twice in the helper mode below, each child creates a uprobe event through BpfSharp and waits, and the
/// test SIGKILLs them (so no Dispose, no finally, no finalizer runs) one at a time.
/// </summary>
public class StaleProbeEventTests
{
    private const string ChildOutputVariable = "BPFSHARP_TRACING_CHILD_OUTPUT";

    [Fact]
    public void EventsOfKilledProcessesAreRemovedAndThoseOfLiveOnesKept()
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireUprobeEvents();
        TracingTestSupport.BashReadlineOffset();
        TracingTestSupport.LeavesNoEvents(() =>
        {
            using var first = ChildWithEvent.Start();
            using var second = ChildWithEvent.Start();
            using ProbeEvent own = TraceFs.CreateUprobeEvent(TracingTestSupport.Bash, TracingTestSupport.BashReadlineOffset(), label: "parent");
            try
            {
                string firstEvent = first.WaitForEvent();
                string secondEvent = second.WaitForEvent();
                Assert.StartsWith($"bpfsharp_{first.Pid}/", firstEvent, StringComparison.Ordinal);
                Assert.StartsWith($"bpfsharp_{second.Pid}/", secondEvent, StringComparison.Ordinal);
                Assert.Contains(TracingTestSupport.ControlFileLines("uprobe_events"), l => l.Contains(firstEvent + " ", StringComparison.Ordinal));

                // While both children live, nothing of theirs (or ours) is stale.
                Assert.DoesNotContain(TraceFs.RemoveStaleProbeEvents(), e => e.OwnerPid == first.Pid || e.OwnerPid == second.Pid || e.OwnerPid == Environment.ProcessId);

                first.Kill();
                IReadOnlyList<ProbeEventInfo> removed = TraceFs.RemoveStaleProbeEvents();
                ProbeEventInfo gone = Assert.Single(removed, e => e.OwnerPid == first.Pid);
                Assert.Equal(firstEvent, $"{gone.Category}/{gone.Name}");
                Assert.DoesNotContain(removed, e => e.OwnerPid == second.Pid || e.OwnerPid == Environment.ProcessId);

                string[] lines = TracingTestSupport.ControlFileLines("uprobe_events");
                Assert.DoesNotContain(lines, l => l.Contains(firstEvent + " ", StringComparison.Ordinal));
                Assert.Contains(lines, l => l.Contains(secondEvent + " ", StringComparison.Ordinal));
                Assert.Contains(lines, l => l.Contains($"{own.Category}/{own.Name} ", StringComparison.Ordinal));

                second.Kill();
                Assert.Contains(TraceFs.RemoveStaleProbeEvents(), e => e.OwnerPid == second.Pid);
                Assert.DoesNotContain(TracingTestSupport.ControlFileLines("uprobe_events"), l => l.Contains(secondEvent + " ", StringComparison.Ordinal));
                Assert.False(own.IsRemoved);
            }
            finally
            {
                first.Kill();
                second.Kill();
                TraceFs.RemoveStaleProbeEvents();
            }
        });
    }

    [Fact]
    public void AStaleEventStillInUseIsLeftAlone()
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireUprobeEvents();
        TracingTestSupport.BashReadlineOffset();
        TracingTestSupport.LeavesNoEvents(() =>
        {
            using var child = ChildWithEvent.Start();
            try
            {
                string name = child.WaitForEvent();
                string[] parts = name.Split('/');
                // The parent holds a perf event on the child's event, as a pinned perf link would after its creator exits.
                using (TracingTestSupport.OpenTracepointPerfEvent(TraceFs.GetTracepointId(parts[0], parts[1])))
                {
                    child.Kill();
                    Assert.DoesNotContain(TraceFs.RemoveStaleProbeEvents(), e => e.OwnerPid == child.Pid);
                    Assert.Contains(TracingTestSupport.ControlFileLines("uprobe_events"), l => l.Contains(name + " ", StringComparison.Ordinal));
                }
                Assert.Contains(TraceFs.RemoveStaleProbeEvents(), e => e.OwnerPid == child.Pid);
            }
            finally
            {
                child.Kill();
                TraceFs.RemoveStaleProbeEvents();
            }
        });
    }

    [Fact]
    public void LivenessFollowsProc()
    {
        Assert.True(TraceFs.IsProcessAlive(Environment.ProcessId));
        Assert.True(TraceFs.IsProcessAlive(1));
        using Process exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        exited.WaitForExit();
        Assert.False(TraceFs.IsProcessAlive(exited.Id));
    }

    /// <summary>
    /// The child's side, run only when the test above asks for it (explicit, and with the output variable set):
    /// create an event, report its name, and wait to be killed.
    /// </summary>
    [Fact(Explicit = true)]
    public void ChildCreatesAnEventAndWaits()
    {
        string? output = Environment.GetEnvironmentVariable(ChildOutputVariable);
        Assert.SkipWhen(output is null, $"helper of {nameof(EventsOfKilledProcessesAreRemovedAndThoseOfLiveOnesKept)}; needs {ChildOutputVariable}");
        UprobeTarget readline = UprobeTarget.Resolve(TracingTestSupport.Bash, "readline");
        ProbeEvent ev = TraceFs.CreateUprobeEvent(readline.BinaryPath, readline.FileOffset, label: "child");
        File.WriteAllText(output + ".tmp", $"{ev.Category}/{ev.Name}");
        File.Move(output + ".tmp", output!);
        Thread.Sleep(TimeSpan.FromMinutes(2));
        // Reached only if the parent died: remove the event rather than leave it.
        ev.Dispose();
    }

    /// <summary>This test assembly started as a child in the helper mode, SIGKILLed when disposed.</summary>
    private sealed class ChildWithEvent : IDisposable
    {
        private readonly Process _process;
        private readonly string _output;
        private readonly Task<string> _stdout;

        private ChildWithEvent(Process process, string output)
        {
            _process = process;
            _output = output;
            _stdout = process.StandardOutput.ReadToEndAsync();
        }

        public int Pid => _process.Id;

        public static ChildWithEvent Start()
        {
            string output = Path.Combine(Path.GetTempPath(), $"bpfsharp-child-{Guid.NewGuid():N}");
            // The runner's apphost sits beside the assembly; run the assembly through dotnet where there is none.
            string assembly = typeof(StaleProbeEventTests).Assembly.Location;
            string appHost = Path.ChangeExtension(assembly, null);
            var start = File.Exists(appHost) ? new ProcessStartInfo(appHost) : new ProcessStartInfo("dotnet") { ArgumentList = { "exec", assembly } };
            foreach (string arg in new[] { "-noColor", "-explicit", "only", "-method", $"{typeof(StaleProbeEventTests).FullName}.{nameof(ChildCreatesAnEventAndWaits)}" })
                start.ArgumentList.Add(arg);
            start.UseShellExecute = false;
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            start.Environment[ChildOutputVariable] = output;
            return new ChildWithEvent(Process.Start(start)!, output);
        }

        /// <summary>The child's event as "group/name", once it has created it.</summary>
        public string WaitForEvent()
        {
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(_output))
            {
                if (_process.HasExited)
                    Assert.Fail($"the child exited with {_process.ExitCode} before creating its event: {_stdout.Result}{_process.StandardError.ReadToEnd()}");
                // A child .NET process starts in seconds here but may take minutes in the emulated CI guest.
                if (deadline.Elapsed > TimeSpan.FromSeconds(240))
                    Assert.Fail("the child did not create its event within 240 s");
                Thread.Sleep(20);
            }
            return File.ReadAllText(_output);
        }

        /// <summary>SIGKILL, and wait until the kernel has reaped it (its fds are closed by then).</summary>
        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }
        }

        public void Dispose()
        {
            Kill();
            File.Delete(_output);
            _process.Dispose();
        }
    }
}
