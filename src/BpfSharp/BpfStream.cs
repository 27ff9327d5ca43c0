namespace BpfSharp;

/// <summary>A program's output streams (<c>enum bpf_stream_id</c>, Linux 6.17), read with <see cref="BpfProgram.ReadStream(BpfStream, Span{byte})"/>.</summary>
public enum BpfStream
{
    /// <summary><c>BPF_STDOUT</c>: what the program printed there with <c>bpf_stream_printk</c>.</summary>
    Stdout = 1,

    /// <summary><c>BPF_STDERR</c>: what the program printed there, and the kernel's own reports of the program's
    /// faults (a may_goto loop that timed out, a deadlock on a resilient spin lock, a faulting arena access), each with a
    /// call trace.</summary>
    Stderr = 2,
}
