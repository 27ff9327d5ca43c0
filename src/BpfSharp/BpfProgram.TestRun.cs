using BpfSharp.Interop;

namespace BpfSharp;

public sealed unsafe partial class BpfProgram
{
    /// <summary>Runs the program in the kernel on the given input (BPF_PROG_TEST_RUN) and returns what it did.</summary>
    public BpfTestRunResult TestRun(BpfTestRunOptions options)
    {
        var dataOut = new byte[options.DataOutSize ?? (options.Data.IsEmpty ? 0 : options.Data.Length + 256)];
        var ctxOut = new byte[options.ContextOutSize ?? options.Context.Length];
        // A syscall program's context is a user buffer it may write: the kernel copies it back into ctx_in
        // and refuses ctx_out, so the input is handed over in the output array.
        bool inPlace = Type == BpfProgramType.Syscall;
        if (inPlace) ctxOut = options.Context.ToArray();
        // Raw tracepoint and tracing test runs take their arguments as ctx and refuse any output buffer.
        if (Type is BpfProgramType.RawTracepoint or BpfProgramType.RawTracepointWritable or BpfProgramType.Tracing)
        {
            ctxOut = options.ContextOutSize is null ? [] : ctxOut;
            dataOut = options.DataOutSize is null ? [] : dataOut;
        }
        var ctxIn = inPlace ? ctxOut : options.Context;
        using var use = new HandleUse(Handle);
        fixed (byte* din = options.Data.Span, dout = dataOut, cin = ctxIn.Span, cout = ctxOut)
        {
            var attr = new TestRunAttr
            {
                prog_fd = use.Fd,
                data_in = (ulong)din,
                data_size_in = (uint)options.Data.Length,
                data_out = dataOut.Length > 0 ? (ulong)dout : 0,
                data_size_out = (uint)dataOut.Length,
                ctx_in = (ulong)cin,
                ctx_size_in = (uint)options.Context.Length,
                ctx_out = ctxOut.Length > 0 && !inPlace ? (ulong)cout : 0,
                ctx_size_out = inPlace ? 0 : (uint)ctxOut.Length,
                repeat = options.Repeat,
                flags = options.Flags,
                cpu = options.Cpu,
                batch_size = options.BatchSize,
            };
            Bpf.Call(BpfCommand.BPF_PROG_TEST_RUN, ref attr, ToString());
            if (attr.data_size_out < dataOut.Length) Array.Resize(ref dataOut, (int)attr.data_size_out);
            if (!inPlace && attr.ctx_size_out < ctxOut.Length) Array.Resize(ref ctxOut, (int)attr.ctx_size_out);
            return new BpfTestRunResult(attr.retval, TimeSpan.FromTicks(attr.duration / 100), dataOut, ctxOut);
        }
    }

    /// <summary>
    /// Runs the program <paramref name="repeat"/> times on <paramref name="data"/> and
    /// <paramref name="context"/>, discarding the output; returns the last return value. Allocates nothing.
    /// </summary>
    public uint TestRun(ReadOnlySpan<byte> data = default, ReadOnlySpan<byte> context = default, uint repeat = 1)
    {
        using var use = new HandleUse(Handle);
        fixed (byte* din = data, cin = context)
        {
            var attr = new TestRunAttr
            {
                prog_fd = use.Fd,
                data_in = (ulong)din,
                data_size_in = (uint)data.Length,
                ctx_in = (ulong)cin,
                ctx_size_in = (uint)context.Length,
                repeat = repeat,
            };
            Bpf.Call(BpfCommand.BPF_PROG_TEST_RUN, ref attr, Name);
            return attr.retval;
        }
    }
}
