using BpfSharp.Links;

namespace BpfSharp.TestChild;

/// <summary>
/// The usdt kind: attaches the counting program of the USDT fixture object (target "OBJECT|BINARY") to every site of
/// bpfsharp:args in BINARY, pins the link's directory or not, disconnects or not. Prints "ids LINK PROG MAP" with the
/// first underlying link's id and the object's run counter.
/// </summary>
public static class UsdtChild
{
    public static int Run(string pin, bool disconnect, bool waitForKill, string target)
    {
        string[] parts = target.Split('|');
        using var obj = BpfObject.Open(parts[0]);
        obj.Load();
        var prog = obj.Programs["count_usdt"].Program!;
        BpfLink link = prog.AttachUsdt(parts[1], "bpfsharp", "args");
        if (pin != "-") link.Pin(pin);
        if (disconnect) link.Disconnect();
        Console.WriteLine($"ids {((UsdtLink)link).Links[0].Id} {prog.Id} {obj.Maps["usdt_runs"].Map!.Id}");
        Console.Out.Flush();
        if (waitForKill) Thread.Sleep(Timeout.Infinite);
        link.Dispose();
        return 0;
    }
}
