using BpfSharp.Links;

namespace BpfSharp.TestChild;

/// <summary>
/// The struct_ops kinds: registers the object's TCP congestion control (map "fx_cc") by a link (struct_ops_link,
/// a <c>.struct_ops.link</c> object) or by updating the map (struct_ops_legacy, a <c>.struct_ops</c> object).
/// Prints "ids LINK PROG MAP" with the map's id in place of a counter (what registers is the map).
/// </summary>
public static class StructOpsChild
{
    public static int Run(bool link, string pin, bool disconnect, bool waitForKill, string objectPath)
    {
        using var obj = BpfObject.Open(objectPath);
        obj.Load();
        var map = obj.Maps["fx_cc"].Map!;
        BpfLink registration = link ? map.AttachStructOps() : obj.RegisterStructOps("fx_cc");
        if (pin != "-") registration.Pin(pin);
        if (disconnect) registration.Disconnect();
        Console.WriteLine($"ids {(registration.Handle is null ? 0 : registration.Id)} {obj.Programs["fx_ssthresh"].Program!.Id} {map.Id}");
        Console.Out.Flush();
        if (waitForKill) Thread.Sleep(Timeout.Infinite);
        registration.Dispose();
        return 0;
    }
}
