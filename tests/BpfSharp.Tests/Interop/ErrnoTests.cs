using System.Runtime.InteropServices;
using BpfSharp.Interop;
using BpfSharp.Tests.Support;
using Xunit;

namespace BpfSharp.Tests.Interop;

public class ErrnoTests
{
    [DllImport("libc", EntryPoint = "strerrorname_np")]
    private static extern IntPtr StrErrorName(int errno);

    /// <summary>The enum's names and numbers are the C library's (glibc's strerrorname_np), for the generic table.</summary>
    [Fact]
    public void EveryPublicErrno_HasTheCLibrarysNameAndNumber()
    {
        foreach (var errno in Enum.GetValues<Errno>().Where(e => e is > Errno.None and < (Errno)512))
            Assert.Equal(errno.ToString(), Marshal.PtrToStringUTF8(StrErrorName((int)errno)));
        // The kernel-internal ones (no C library name) and numbers outside the table.
        Assert.Equal("ENOTSUPP", Errnos.Name(524));
        Assert.Equal("errno 4242", Errnos.Name(4242));
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
