namespace BpfSharp.Tests.Support;

/// <summary>The kernel's witness for struct_ops TCP congestion controls: the list of registered ones.</summary>
public static class CongestionControls
{
    private const string Available = "/proc/sys/net/ipv4/tcp_available_congestion_control";

    public static bool IsRegistered(string name) => File.ReadAllText(Available).Split(' ', '\n').Contains(name);
}
