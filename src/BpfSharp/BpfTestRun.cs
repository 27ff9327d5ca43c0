namespace BpfSharp;

/// <summary>Input for <see cref="BpfProgram.TestRun(BpfTestRunOptions)"/> (BPF_PROG_TEST_RUN).</summary>
public sealed class BpfTestRunOptions
{
    /// <summary>The packet (xdp, skb programs); empty for raw_tp and syscall programs.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>The room for the packet after the run; by default the input's length plus 256 bytes.</summary>
    public int? DataOutSize { get; init; }

    /// <summary>The context: <c>struct xdp_md</c>, <c>struct __sk_buff</c>, raw_tp arguments, a syscall program's argument.</summary>
    public ReadOnlyMemory<byte> Context { get; init; }

    /// <summary>The room for the context after the run; by default the input context's length.</summary>
    public int? ContextOutSize { get; init; }

    /// <summary>How many times to run (the duration is the average); 0 or 1 runs once.</summary>
    public uint Repeat { get; init; }

    /// <summary><c>BPF_F_TEST_RUN_ON_CPU</c> (1), <c>BPF_F_TEST_XDP_LIVE_FRAMES</c> (2), <c>BPF_F_TEST_SKB_CHECKSUM_COMPLETE</c> (4).</summary>
    public uint Flags { get; init; }

    /// <summary>The CPU to run on, with flag <c>BPF_F_TEST_RUN_ON_CPU</c>.</summary>
    public uint Cpu { get; init; }

    /// <summary>For XDP live frames: how many frames a batch runs (0: the kernel's default).</summary>
    public uint BatchSize { get; init; }
}

/// <summary>The outcome of a test run.</summary>
/// <param name="ReturnValue">The program's return value (of the last run).</param>
/// <param name="Duration">The average time of one run, as the kernel measured it.</param>
public sealed record BpfTestRunResult(uint ReturnValue, TimeSpan Duration, byte[] Data, byte[] Context);
