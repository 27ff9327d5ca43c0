using System.Runtime.InteropServices;

namespace BpfSharp.Tests.Support;

/// <summary>Reads the counters the test programs keep, and makes their hooks fire.</summary>
public static partial class Counters
{
    public static long Read(BpfMap counts) => counts.Lookup<int, long>(0);

    /// <summary>Whether the counter behind map id <paramref name="mapId"/> grows while the hook is exercised; false when the map is gone.</summary>
    public static bool MovesById(uint mapId, Action? exercise = null)
    {
        BpfMap map;
        try { map = BpfMap.FromId(mapId); }
        catch (BpfException e) when (e.Errno == Errno.ENOENT) { return false; }
        using (map) return Moves(map, exercise);
    }

    /// <summary>Whether the counter grows while <paramref name="exercise"/> (by default: syscalls and a short sleep) runs.</summary>
    public static bool Moves(BpfMap counts, Action? exercise = null)
    {
        long before = Read(counts);
        (exercise ?? MakeSyscalls)();
        return Read(counts) != before;
    }

    /// <summary>Waits until the counter has stopped (a run already under way can land just after a detach), then whether it stays still.</summary>
    public static bool Stopped(BpfMap counts, Action? exercise = null)
    {
        Thread.Sleep(20);
        return !Moves(counts, exercise);
    }

    [LibraryImport("libc")]
    private static partial int getppid();

    /// <summary>A few hundred system calls and a 100 ms sleep (timers and other CPUs get their turn).</summary>
    public static void MakeSyscalls()
    {
        for (int i = 0; i < 200; i++) getppid();
        Thread.Sleep(100);
        for (int i = 0; i < 200; i++) getppid();
    }
}
