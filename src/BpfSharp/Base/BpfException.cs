using BpfSharp.Interop;

namespace BpfSharp;

/// <summary>
/// A failure reported by the kernel (with its errno) or found in BPF input (with no <see cref="Errno"/>).
/// The message names the operation, the object and the errno name, for example
/// <c>BPF_MAP_CREATE (map "counts"): EPERM: Operation not permitted</c>.
/// </summary>
public class BpfException : Exception
{
    /// <summary>The kernel call or step that failed, e.g. <c>BPF_PROG_LOAD</c> or <c>BTF parse</c>.</summary>
    public string Operation { get; }

    /// <summary>The errno the kernel returned, or <see cref="BpfSharp.Errno.None"/> when the failure is not a system call's.</summary>
    public Errno Errno { get; }

    /// <summary>The errno's symbolic name (<c>EPERM</c>, <c>E2BIG</c>...), or empty when there is no errno.</summary>
    public string ErrnoName => Errno == Errno.None ? "" : Errnos.Name((int)Errno);

    /// <summary>A kernel call's failure: <paramref name="errno"/> is the positive errno, <paramref name="detail"/> names the object (a map, a program) when there is one.</summary>
    public BpfException(string operation, int errno, string? detail = null, Exception? inner = null)
        : base(Format(operation, errno, detail), inner)
    {
        Operation = operation;
        Errno = (Errno)errno;
    }

    /// <summary>A failure that is not a system call's (malformed input, a refused request).</summary>
    public BpfException(string operation, string message, Exception? inner = null)
        : base($"{operation}: {message}", inner)
    {
        Operation = operation;
    }

    private static string Format(string operation, int errno, string? detail)
    {
        var what = detail is null ? operation : $"{operation} ({detail})";
        return $"{what}: {Interop.Errnos.Name(errno)}: {Interop.Errnos.Describe(errno)}";
    }
}

/// <summary>Malformed BPF input: a BTF blob, an ELF object or a section the loader cannot make sense of.</summary>
public class BpfFormatException : BpfException
{
    /// <summary>Malformed <paramref name="what"/> (a BTF blob, an ELF file, a section), explained by <paramref name="message"/>.</summary>
    public BpfFormatException(string what, string message, Exception? inner = null) : base(what, message, inner) { }
}

/// <summary>The verifier (or the loader before it) rejected a program; <see cref="VerifierLog"/> holds its log.</summary>
public sealed class BpfVerifierException : BpfException
{
    /// <summary>The verifier's complete log, as the kernel wrote it.</summary>
    public string VerifierLog { get; }

    /// <summary>A rejected program load, with the verifier's log (empty when the kernel wrote none).</summary>
    public BpfVerifierException(string operation, int errno, string detail, string verifierLog)
        : base(operation, errno, detail, null)
    {
        VerifierLog = verifierLog;
    }

    /// <summary>The failure, followed by the verifier log when there is one.</summary>
    public override string Message =>
        VerifierLog.Length == 0 ? base.Message : base.Message + "\nverifier log:\n" + VerifierLog.TrimEnd();
}
