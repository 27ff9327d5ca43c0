using System.Text;
using BpfSharp.Interop;

namespace BpfSharp;

public sealed unsafe partial class BpfProgram
{
    /// <summary>The stream printk kfunc the running kernel has, by name; null when it has none.</summary>
    internal static string? StreamPrintKfunc(Btf.BtfSpec kernel) =>
        new[] { "bpf_stream_vprintk_impl", "bpf_stream_vprintk" }.FirstOrDefault(n => kernel.TryFindId(n, Btf.BtfKind.Func, out _));

    /// <summary>
    /// Moves up to <c>buffer.Length</c> bytes of <paramref name="stream"/> into <paramref name="buffer"/>, oldest
    /// first, and returns how many; 0 when the stream is empty. What is read is gone from the kernel: a second reader
    /// sees only what came after.
    /// </summary>
    /// <exception cref="BpfFeatureNotSupportedException">The kernel has no program streams.</exception>
    public int ReadStream(BpfStream stream, Span<byte> buffer)
    {
        BpfFeatures.Streams.ThrowIfUnsupported();
        using var use = new HandleUse(Handle);
        fixed (byte* p = buffer)
        {
            var attr = new ProgStreamReadAttr
            {
                prog_fd = use.Fd,
                stream_id = (uint)stream,
                stream_buf = (ulong)p,
                stream_buf_len = (uint)buffer.Length,
            };
            return Bpf.Call(BpfCommand.BPF_PROG_STREAM_READ_BY_FD, ref attr, $"{this}, stream {stream}");
        }
    }

    /// <summary>Reads <paramref name="stream"/> until it is empty and returns it as text (the kernel writes UTF-8/ASCII).</summary>
    public string ReadStream(BpfStream stream)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        int n;
        while ((n = ReadStream(stream, buffer)) > 0) text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        return text.ToString();
    }

    internal static string? ProbeStreamPrinting()
    {
        if (BpfFeatures.Streams.MissingReason is { } noStreams) return noStreams;
        Btf.BtfSpec kernel;
        try
        {
            kernel = Btf.BtfSpec.LoadKernel();
        }
        catch (Exception e) when (e is NotSupportedException or IOException or BpfException)
        {
            return $"no kernel BTF to find the stream kfunc in: {e.Message}";
        }
        if (StreamPrintKfunc(kernel) is not { } kfunc) return "the kernel's BTF has no bpf_stream_vprintk kfunc";
        kernel.TryFindId(kfunc, Btf.BtfKind.Func, out int kfuncId);

        // The format must be a string in a read-only map (the kfunc's fmt__str); the one argument is on the stack.
        const string Expected = "bpfsharp 42\n";
        var format = Encoding.ASCII.GetBytes("bpfsharp %d\n\0");
        try
        {
            using var formats = BpfMap.Create(BpfMapType.Array, 4, format.Length, 1,
                new BpfMapCreateOptions { Name = "probe_fmt", Flags = BpfMapFlags.ReadOnlyProgram });
            formats.Update(stackalloc byte[4], format);
            formats.Freeze();
            var insns = new Asm.BpfAssembler()
                .StoreImm(Asm.BpfRegister.R10, -8, 42, Asm.BpfSize.DW)
                .Mov64(Asm.BpfRegister.R1, (int)BpfStream.Stdout)
                .LoadMapValue(Asm.BpfRegister.R2, formats, 0)
                .Mov64(Asm.BpfRegister.R3, Asm.BpfRegister.R10).Add64(Asm.BpfRegister.R3, -8)
                .Mov64(Asm.BpfRegister.R4, 8)
                .Mov64(Asm.BpfRegister.R5, 0) // aux__prog: the verifier puts the program there
                .CallKfunc(kfuncId)
                .Exit()
                .Build();
            using var prog = Load(BpfProgramType.SocketFilter, insns, new BpfProgramLoadOptions { Name = "probe", License = "GPL" });
            int printed = (int)prog.TestRun(new byte[64]);
            if (printed < 0) return $"{Errnos.Name(-printed)} from {kfunc} in a program test run";
            string read = prog.ReadStream(BpfStream.Stdout);
            return read == Expected ? null : $"{kfunc} printed, but the stream held \"{read}\"";
        }
        catch (BpfException e)
        {
            return e.Message;
        }
    }

    /// <summary>Reads stdout of a program that cannot print (it has no stream kfunc call): an empty read means the command exists.</summary>
    internal static string? ProbeStreams()
    {
        var insns = new Asm.BpfAssembler().Mov64(Asm.BpfRegister.R0, 0).Exit().Build();
        try
        {
            using var prog = Load(BpfProgramType.SocketFilter, insns, new BpfProgramLoadOptions { Name = "probe" });
            byte dummy = 0;
            var attr = new ProgStreamReadAttr { prog_fd = (uint)prog.Handle.Fd, stream_id = (uint)BpfStream.Stdout, stream_buf = (ulong)&dummy, stream_buf_len = 1 };
            int r = Bpf.TryCall(BpfCommand.BPF_PROG_STREAM_READ_BY_FD, ref attr);
            return r == 0 ? null : $"{Errnos.Name(-r)} from BPF_PROG_STREAM_READ_BY_FD";
        }
        catch (BpfException e)
        {
            return e.Message;
        }
    }
}

public static partial class BpfFeatures
{
    /// <summary>
    /// BPF_PROG_STREAM_READ_BY_FD (Linux 6.17): the kernel keeps what the program printed to each stream (at most
    /// about 100 000 bytes per stream; later prints fail with ENOSPC) until someone reads it. Reading consumes it.
    /// </summary>
    public static BpfFeature Streams { get; } = new("BPF_PROG_STREAM_READ_BY_FD (program streams)", "6.17", BpfProgram.ProbeStreams);

    /// <summary>
    /// Programs printing to their streams with the stream printk kfunc (<c>bpf_stream_vprintk</c> in 6.17,
    /// <c>bpf_stream_vprintk_impl</c> from 6.18, which libbpf's <c>bpf_stream_printk</c> calls): a program prints
    /// a line to its stdout, which is then read back. The kernel's own fault reports on stderr go the same way, so
    /// a kernel that cannot store prints (ENOMEM from its allocator) cannot report faults either.
    /// </summary>
    public static BpfFeature StreamPrinting { get; } = new("bpf_stream_vprintk (printing to program streams)", "6.17", BpfProgram.ProbeStreamPrinting);
}
