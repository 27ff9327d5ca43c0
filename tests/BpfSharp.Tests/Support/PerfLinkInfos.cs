using BpfSharp.Links;

namespace BpfSharp.Tests.Support;

/// <summary>Kernels before 6.6 report no perf event details in a perf link's info (kind Unspec, empty fields).</summary>
public static class PerfLinkInfos
{
    public static bool KernelReportsDetails => TestKernel.AtLeast(6, 6);

    /// <summary>
    /// Asserts the event kind where the kernel reports it (and Unspec where it cannot); returns whether the
    /// kind's other fields are there to check.
    /// </summary>
    public static bool HasEvent(PerfEventLinkInfo info, PerfEventLinkKind expected)
    {
        Assert.Equal(KernelReportsDetails ? expected : PerfEventLinkKind.Unspec, info.Event);
        return KernelReportsDetails;
    }
}
