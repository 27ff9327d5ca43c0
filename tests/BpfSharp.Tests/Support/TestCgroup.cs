namespace BpfSharp.Tests.Support;

/// <summary>
/// A cgroup v2 directory of the test's own under the unified hierarchy, removed when disposed (which also
/// detaches whatever is still attached to it).
/// </summary>
public sealed class TestCgroup : IDisposable
{
    public static string Root => Directory.Exists("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup";

    public string Path { get; } = System.IO.Path.Combine(Root, $"bpfsharp-test-{Guid.NewGuid():N}"[..28]);

    public TestCgroup() => Directory.CreateDirectory(Path);

    /// <summary>The cgroup id the kernel reports (the inode of the cgroup's directory).</summary>
    public ulong Id => ulong.Parse(TestKernel.Run("stat", "-c", "%i", Path).Trim());

    /// <summary>
    /// Runs a bash command in a child process that first moves itself into this cgroup, then into
    /// <paramref name="netns"/> (so that its traffic stays there).
    /// </summary>
    public void RunInside(TestNetns netns, string bashCommand) =>
        TestKernel.Run("bash", "-c", $"echo $$ > {Path}/cgroup.procs && exec ip netns exec {netns.Name} bash -c '{bashCommand}'");

    /// <summary>A process in the cgroup opens a UDP socket in <paramref name="netns"/> and sends one datagram to its own loopback.</summary>
    public void CreateSocketInside(TestNetns netns) => RunInside(netns, "exec 3<>/dev/udp/127.0.0.1/9; echo x >&3");

    /// <summary>Removes the directory (rmdir); the exited processes may take a moment to leave it.</summary>
    public void Remove()
    {
        if (!Directory.Exists(Path)) return;
        Eventually.Holds(() =>
        {
            try { Directory.Delete(Path); return true; }
            catch (IOException) { return false; }
        });
    }

    public void Dispose() => Remove();
}
