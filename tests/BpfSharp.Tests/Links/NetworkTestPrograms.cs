using BpfSharp.TestChild;

namespace BpfSharp.Tests.Links;

/// <summary>Counting programs for the networking hooks, each returning its hook's "let it through" verdict.</summary>
internal static class NetworkTestPrograms
{
    public const int XdpPass = 2, TcxNext = -1, TcActOk = 0, NfAccept = 1, SkPass = 1, CgroupAllow = 1;

    public static BpfProgram Load(BpfProgramType type, BpfMap counts, int verdict, BpfAttachType? attachType = null, string name = "t_net") =>
        TestPrograms.Load(type, counts, attachType, returnValue: verdict, name: name);

    public static BpfProgram Xdp(BpfMap counts, string name = "t_xdp") => Load(BpfProgramType.Xdp, counts, XdpPass, name: name);

    public static BpfProgram SchedCls(BpfMap counts, int verdict = TcxNext, string name = "t_cls") => Load(BpfProgramType.SchedCls, counts, verdict, name: name);
}
