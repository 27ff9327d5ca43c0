using BpfSharp.Interop;
using BpfSharp.Tests.Support;
using Xunit;

namespace BpfSharp.Tests.Interop;

public class ErrnoTests
{
    [Fact]
    public void EveryPublicErrno_IsNamedAsTheMessagesNameIt()
    {
        foreach (var errno in Enum.GetValues<Errno>())
        {
            if (errno == Errno.None) continue;
            Assert.Equal(errno.ToString(), Errnos.Name((int)errno));
        }
    }

    [Fact]
    public void AKernelRefusal_ReportsItsErrno_AsTheEnum()
    {
        TestKernel.RequireRoot();
        // A map of a type no kernel has: the kernel answers EINVAL, and the exception carries it as the enum.
        var e = Assert.Throws<BpfException>(() => BpfMap.Create((BpfMapType)4242, 4, 4, 1));
        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Equal("EINVAL", e.ErrnoName);
        Assert.Contains("EINVAL", e.Message);
    }

    [Fact]
    public void AFailureThatIsNotASystemCalls_HasNoErrno()
    {
        var e = new BpfException("BTF parse", "the header is truncated");
        Assert.Equal(Errno.None, e.Errno);
        Assert.Equal("", e.ErrnoName);
    }
}
