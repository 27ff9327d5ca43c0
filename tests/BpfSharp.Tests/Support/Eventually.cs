namespace BpfSharp.Tests.Support;

/// <summary>
/// The kernel frees links and programs asynchronously (deferred work, RCU) after the last reference goes:
/// "gone" is checked by polling, up to a few seconds.
/// </summary>
public static class Eventually
{
    public static bool Holds(Func<bool> condition, int timeoutMs = 5000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            if (condition()) return true;
            if (Environment.TickCount64 > deadline) return false;
            Thread.Sleep(20);
        }
    }

    public static bool LinkGone(uint id) => Holds(() => !BpfSharp.Links.BpfLink.EnumerateIds().Contains(id));

    public static bool ProgramGone(uint id) => Holds(() => !BpfProgram.EnumerateIds().Contains(id));
}
