using System.Runtime.InteropServices;
using BpfSharp.Interop;

namespace BpfSharp.Events;

/// <summary>
/// One epoll instance over a reader's fds (each registered with a token: a ring index or CPU slot) plus an
/// eventfd, so another thread can wake a blocked wait (<see cref="Wake"/>, and Dispose). Both fds belong to
/// the owner's <see cref="EventResources"/>; callers hold a reference on it while they call in here.
/// </summary>
internal sealed unsafe class EventWaiter
{
    /// <summary>The token the eventfd reports: never a ring or CPU.</summary>
    public const int WakeToken = -1;

    /// <summary>The most events taken from one epoll_wait; readers re-scan every ring anyway.</summary>
    public const int MaxEvents = 64;

    private static readonly bool IsArm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    private readonly SafeFdHandle _epoll;
    private readonly SafeFdHandle _wake;

    public EventWaiter(EventResources owner)
    {
        int ep = Libc.epoll_create1(Libc.EPOLL_CLOEXEC);
        if (ep < 0) throw new BpfException("epoll_create1", Libc.LastErrno);
        _epoll = owner.Own(new SafeFdHandle(ep));
        int ev = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (ev < 0) throw new BpfException("eventfd", Libc.LastErrno);
        _wake = owner.Own(new SafeFdHandle(ev));
        Add(_wake, Libc.EPOLLIN, WakeToken, "eventfd");
    }

    /// <summary>Registers <paramref name="fd"/> for <paramref name="events"/>; a wait reports it as <paramref name="token"/>.</summary>
    public void Add(SafeFdHandle fd, uint events, int token, string what)
    {
        // epoll_event differs by architecture (packed on x86_64); both start with the mask, then the data.
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + (IsArm64 ? 8 : 4)) = (uint)token;
        if (Libc.epoll_ctl(_epoll, Libc.EPOLL_CTL_ADD, fd, ev) < 0)
            throw new BpfException("epoll_ctl(EPOLL_CTL_ADD)", Libc.LastErrno, what);
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (-1: without limit) for registered fds and writes their tokens
    /// into <paramref name="tokens"/>; returns how many. An interrupted wait (EINTR) returns 0.
    /// </summary>
    public int Wait(Span<int> tokens, int timeoutMs)
    {
        int max = Math.Min(tokens.Length, MaxEvents);
        int stride = IsArm64 ? 16 : 12;
        byte* events = stackalloc byte[MaxEvents * 16];
        int n = Libc.epoll_wait(_epoll, events, max, timeoutMs);
        if (n < 0)
        {
            int errno = Libc.LastErrno;
            if (errno == Errnos.EINTR) return 0;
            throw new BpfException("epoll_wait", errno);
        }
        for (int i = 0; i < n; i++)
            tokens[i] = (int)*(ulong*)(events + i * stride + (IsArm64 ? 8 : 4));
        return n;
    }

    /// <summary>Makes the current wait (or the next one) return with <see cref="WakeToken"/>.</summary>
    public void Wake() => Libc.eventfd_write(_wake, 1);

    /// <summary>Resets the eventfd after a wake was reported.</summary>
    public void ClearWake()
    {
        ulong value;
        Libc.eventfd_read(_wake, &value);
    }
}
