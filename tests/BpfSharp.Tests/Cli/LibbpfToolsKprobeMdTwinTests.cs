using BpfSharp.Tests.Support;
using static BpfSharp.Tests.Cli.LibbpfToolsTwinTests;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// The md (software RAID) twin: mdflush beside <c>bpfsharp run</c> on its embedded object, over a RAID1 array of
/// the test's own (two loop devices, assembled through md's sysfs files: no mdadm) while one known process fsyncs
/// the array. The tool's program is an fentry on md_flush_request, a function of the md_mod module: it runs where
/// the kernel has BPF trampolines and md_mod is loaded (the CI guests, which load md_mod and raid1 before the tests).
/// </summary>
public sealed class LibbpfToolsKprobeMdTwinTests
{
    /// <summary>mdflush's record (libbpf-tools 0.26, mdflush.h): not in the object's BTF.</summary>
    private const string MdflushEvent = "struct event { __u32 pid; char comm[16]; char disk[32]; };";

    /// <summary>How many times the load writes a block to the array and fsyncs it.</summary>
    private const int Fsyncs = 3;

    /// <summary>
    /// A RAID1 array without metadata ("none": nothing written to its members) over two fresh loop devices, named
    /// md_bsx… (new_array's named arrays: a free minor of the kernel's choosing), running; stopped and its loop
    /// devices detached on dispose. The sequence is the one md.rst describes for sysfs assembly: level, disks and
    /// sizes while inactive, each member's slot, then active.
    /// </summary>
    private sealed class MdArray : IDisposable
    {
        /// <summary>Each member's size, and the array's (a mirror): 16 MiB, in md's 1 KiB blocks.</summary>
        private const int MemberKiB = 16 << 10;

        private readonly List<LoopDevice> _members = [];
        private bool _created;

        public MdArray()
        {
            Name = $"md_bsx{Guid.NewGuid():N}"[..18];
            try
            {
                for (int i = 0; i < 2; i++) _members.Add(new LoopDevice((long)MemberKiB << 10));
                Write("/sys/module/md_mod/parameters/new_array", Name);
                _created = true;
                Write(Md("metadata_version"), "none");
                Write(Md("level"), "raid1");
                Write(Md("raid_disks"), "2");
                Write(Md("component_size"), MemberKiB.ToString());
                for (int slot = 0; slot < _members.Count; slot++)
                {
                    var member = _members[slot];
                    Write(Md("new_dev"), member.Numbers);
                    Write(Md($"dev-{member.Name}/size"), MemberKiB.ToString());
                    Write(Md($"dev-{member.Name}/slot"), slot.ToString());
                }
                // Both members hold the same nothing: no resync to run beside the test.
                Write(Md("resync_start"), "none");
                // ("clean" would start it without a resync too, md.rst says; 6.1's array_state_store refuses it on an inactive array.)
                Write(Md("array_state"), "active");
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public string Name { get; }

        public string DevicePath => $"/dev/{Name}";

        private string Md(string attribute) => $"/sys/block/{Name}/md/{attribute}";

        /// <summary>One md attribute; the kernel's refusal is the write's errno, named with the attribute and the value.</summary>
        private static void Write(string path, string value)
        {
            try { File.WriteAllText(path, value); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A level whose personality is not loaded is refused at "active" (EINVAL): the guest cannot load it on demand.
                string personalities = File.Exists("/proc/mdstat") ? File.ReadLines("/proc/mdstat").FirstOrDefault() ?? "" : "no /proc/mdstat";
                throw new IOException($"md refused '{value}' for {path}: {e.Message} (/proc/mdstat: {personalities})", e);
            }
        }

        public void Dispose()
        {
            if (_created && Directory.Exists($"/sys/block/{Name}"))
            {
                // "clear" stops the array and releases its members; an array made by new_array then goes away.
                try { File.WriteAllText(Md("array_state"), "clear"); }
                catch (IOException) { /* already stopped, or still open: detaching the loop devices below is all that is left */ }
            }
            foreach (var member in _members) member.Dispose();
        }
    }

    [Fact]
    public void Mdflush()
    {
        TestKernel.RequireRoot();
        // Where md_mod is not loaded the tool says so ("failed to find kernel BTF type ID of 'md_flush_request'"),
        // and where the kernel has no BPF trampolines its fentry is refused: skipped with its words.
        if (!InKallsyms("md_flush_request") || !BpfFeatures.Fentry.IsSupported)
            PackagedToolStart.Try("mdflush", []).SkipUnlessStarted();
        using var array = new MdArray();
        string python = Distinctive(TestKernel.RequireTool("python3"));
        string name = Path.GetFileName(python);
        try
        {
            using var twin = new Twin("mdflush", [], "DEVICE", "--json", "--types", MdflushEvent);
            // fsync of a block device writes its dirty pages, then sends the device one empty flush (REQ_PREFLUSH),
            // which raid1 hands to md_flush_request in the caller's context: one flush per fsync, by this process.
            int pid = RunToEnd(python, "-c", $"""
                import os
                fd = os.open('{array.DevicePath}', os.O_WRONLY)
                for _ in range({Fsyncs}):
                    os.write(fd, b'x' * 4096)
                    os.fsync(fd)
                os.close(fd)
                """);
            Assert.True(LastStderr.Length == 0, $"the load failed: {LastStderr}");
            Thread.Sleep(300);
            twin.Stop();
            // TIME PID COMM DEVICE: DEVICE is the last column, empty when the program read no name.
            var theirs = twin.ToolLines.Select(Columns).Where(c => c.Length is 3 or 4 && c[1] == pid.ToString())
                .Select(c => (Comm: c[2], Device: c.Length == 4 ? c[3] : "")).ToList();
            var ours = twin.OurEvents.Where(e => e.GetProperty("pid").GetInt64() == pid)
                .Select(e => (Comm: e.GetProperty("comm").GetString()!, Device: e.GetProperty("disk").GetString()!)).ToList();
            Assert.True(theirs.Count == Fsyncs && theirs.All(e => e.Comm == name), $"the tool did not show the load's {Fsyncs} flushes\n{twin.Describe()}");
            // libbpf-tools 0.26 reads gendisk->disk_name with BPF_CORE_READ_STR_INTO(event.disk, ...), whose size is
            // sizeof(*dst): one byte, room for the terminator only, so the tool's DEVICE is empty. bpfsharp runs the
            // same program and must show what it read; a fixed tool would show the array's name.
            Assert.All(theirs, e => Assert.StartsWith(e.Device, array.Name, StringComparison.Ordinal));
            Assert.True(theirs.Order().SequenceEqual(ours.Order()), $"bpfsharp showed other flushes than the tool\n{twin.Describe()}");
        }
        finally { File.Delete(python); }
    }
}
