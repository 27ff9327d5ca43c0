namespace BpfSharp.Tests.Support;

/// <summary>
/// The kernel frees links and programs asynchronously (deferred work, RCU) after the last reference goes:
/// "gone" is checked by polling, up to a few seconds (half a minute in an emulated guest, where a network
/// namespace's teardown alone was seen to take longer than five).
/// </summary>
public static class Eventually
{
    private static int DefaultTimeoutMs => TestKernel.GuestKernel is null ? 5000 : 30000;

    public static bool Holds(Func<bool> condition, int timeoutMs = 0)
    {
        var deadline = Environment.TickCount64 + (timeoutMs > 0 ? timeoutMs : DefaultTimeoutMs);
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
