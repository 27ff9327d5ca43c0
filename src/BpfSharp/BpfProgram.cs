using System.Text;
using BpfSharp.Asm;
using BpfSharp.Interop;

namespace BpfSharp;

/// <summary>
/// A loaded BPF program held by an fd. Disposing closes the fd; the kernel unloads the program when
/// nothing else (a link, an attachment, a pin, a program array) holds it.
/// </summary>
public sealed unsafe partial class BpfProgram : IDisposable
{
    private uint _id;

    /// <summary>The program's fd.</summary>
    public SafeFdHandle Handle { get; }
    /// <summary>The program type.</summary>
    public BpfProgramType Type { get; }
    /// <summary>The program's name (as given at load; the kernel keeps at most 15 characters).</summary>
    public string Name { get; }

    /// <summary>The attach type the program was loaded for, when it was given (or read from the kernel: unknown).</summary>
    public BpfAttachType? ExpectedAttachType { get; }

    /// <summary>The BTF id of the attach target given at load (tracing, lsm, freplace).</summary>
    public uint AttachBtfId { get; }

    /// <summary>The verifier's log when the load asked for one (<see cref="BpfProgramLoadOptions.LogLevel"/> &gt; 0).</summary>
    public string? VerifierLog { get; }

    /// <summary>The section name the program came from, when it came from an object.</summary>
    public string? SectionName { get; internal set; }

    /// <summary>The kernel's id of the program.</summary>
    public uint Id => _id != 0 ? _id : _id = GetInfo().Id;

    /// <summary>Where the program is pinned in bpffs, when this object pinned it or was opened from a pin.</summary>
    public string? PinPath { get; private set; }

    private BpfProgram(SafeFdHandle handle, BpfProgramType type, string name, BpfAttachType? attachType, uint attachBtfId, string? log, uint id)
    {
        Handle = handle;
        Type = type;
        Name = name;
        ExpectedAttachType = attachType;
        AttachBtfId = attachBtfId;
        VerifierLog = log;
        _id = id;
    }

    /// <summary>
    /// Loads a program (BPF_PROG_LOAD). A rejection throws <see cref="BpfVerifierException"/> with the
    /// verifier's complete log.
    /// </summary>
    public static BpfProgram Load(BpfProgramType type, ReadOnlySpan<BpfInstruction> instructions, BpfProgramLoadOptions? options = null)
    {
        options ??= new BpfProgramLoadOptions();
        if (instructions.IsEmpty) throw new ArgumentException("a program needs at least one instruction", nameof(instructions));
        var license = Bpf.CString(options.License);
        var what = $"{type} program \"{options.Name}\"";
        using var refs = new HandleRefs();
        // A target named by its function is resolved here; a module's function comes with the module's BTF object.
        var (attachBtfId, moduleBtf) = options.AttachBtfId != 0 || options.AttachTarget is null
            ? (options.AttachBtfId, null)
            : AttachTargets.Resolve(type, options.ExpectedAttachType, options.AttachTarget, options.AttachProgram);
        using var moduleBtfHandle = moduleBtf;
        fixed (BpfInstruction* insns = instructions)
        fixed (byte* lic = license)
        fixed (byte* funcInfo = options.FuncInfo.Span)
        fixed (byte* lineInfo = options.LineInfo.Span)
        {
            var attr = new ProgLoadAttr
            {
                prog_type = (uint)type,
                insn_cnt = (uint)instructions.Length,
                insns = (ulong)insns,
                license = (ulong)lic,
                kern_version = options.KernelVersion,
                prog_flags = (uint)options.Flags,
                prog_name = ObjName.From(options.Name),
                prog_ifindex = (uint)options.Ifindex,
                expected_attach_type = options.ExpectedAttachType is { } t ? (uint)t : 0,
                attach_btf_id = attachBtfId,
            };
            if (options.AttachProgram is not null) attr.attach_prog_fd = refs.Add(options.AttachProgram.Handle);
            else if ((options.AttachBtfObject ?? moduleBtf) is { } btfObject) attr.attach_prog_fd = refs.Add(btfObject);
            if (options.Token is not null)
            {
                attr.prog_token_fd = (int)refs.Add(options.Token.Handle);
                attr.prog_flags |= BpfToken.TokenFdFlag;
            }
            if (options.Btf is not null)
            {
                attr.prog_btf_fd = refs.Add(options.Btf);
                if (!options.FuncInfo.IsEmpty)
                {
                    attr.func_info = (ulong)funcInfo;
                    attr.func_info_rec_size = options.FuncInfoRecordSize;
                    attr.func_info_cnt = (uint)(options.FuncInfo.Length / options.FuncInfoRecordSize);
                }
                if (!options.LineInfo.IsEmpty)
                {
                    attr.line_info = (ulong)lineInfo;
                    attr.line_info_rec_size = options.LineInfoRecordSize;
                    attr.line_info_cnt = (uint)(options.LineInfo.Length / options.LineInfoRecordSize);
                }
            }
            var (fd, log) = LoadWithLog(ref attr, options.LogLevel, options.LogSize, what);
            return new BpfProgram(fd, type, attr.prog_name.ToString(), options.ExpectedAttachType, attr.attach_btf_id, log, 0);
        }
    }

    /// <summary>
    /// Runs BPF_PROG_LOAD. Without a requested log the first try runs without one (fast); on a rejection it
    /// is repeated with log level 1 so the error carries the verifier's reasons. The buffer grows until the
    /// log fits (the kernel answers ENOSPC while it does not).
    /// </summary>
    private static (SafeFdHandle fd, string? log) LoadWithLog(ref ProgLoadAttr attr, uint logLevel, int logSize, string what)
    {
        uint level = logLevel;
        int size = Math.Max(logSize, 4096);
        for (int attempt = 0; ; attempt++)
        {
            byte[]? buffer = level > 0 ? GC.AllocateUninitializedArray<byte>(size) : null;
            int r;
            fixed (byte* log = buffer)
            {
                if (buffer is not null) buffer[0] = 0;
                attr.log_level = level;
                attr.log_buf = (ulong)log;
                attr.log_size = buffer is null ? 0 : (uint)buffer.Length;
                attr.log_true_size = 0;
                // The verifier can answer EAGAIN when it was interrupted; the load is simply repeated.
                int tries = 0;
                do r = Bpf.TryCall(BpfCommand.BPF_PROG_LOAD, ref attr);
                while ((r == -Errnos.EAGAIN || r == -Errnos.EINTR) && ++tries < 5);
            }
            string? text = buffer is null ? null : CString(buffer);
            if (r >= 0) return (new SafeFdHandle(r), logLevel > 0 ? text : null);

            int errno = -r;
            bool truncated = buffer is not null && errno == Errnos.ENOSPC && size < MaxLogSize;
            if (truncated)
            {
                size = attr.log_true_size > size ? (int)Math.Min(attr.log_true_size + 1024L, MaxLogSize) : (int)Math.Min(size * 4L, MaxLogSize);
                continue;
            }
            if (buffer is null && attempt == 0)
            {
                level = 1;
                continue;
            }
            throw new BpfVerifierException("BPF_PROG_LOAD", errno, what, text ?? "");
        }
    }

    private const int MaxLogSize = (1 << 30) - 1;

    private static string CString(byte[] buffer)
    {
        int end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }

    /// <summary>Wraps an fd of a loaded program, reading its type and name from the kernel.</summary>
    public static BpfProgram FromHandle(SafeFdHandle handle)
    {
        try
        {
            BpfFdKind.Require(handle, BpfFdKind.Program, "open of a BPF program");
            var info = Bpf.GetInfo<BpfProgInfoRaw>(handle, "program");
            return new BpfProgram(handle, (BpfProgramType)info.type, info.name.ToString(), null, info.attach_btf_id, null, info.id);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Opens the program pinned at <paramref name="path"/>.</summary>
    public static BpfProgram OpenPinned(string path)
    {
        var prog = FromHandle(Bpf.OpenPinned(path));
        prog.PinPath = path;
        return prog;
    }

    /// <summary>Opens the program with kernel id <paramref name="id"/>.</summary>
    public static BpfProgram FromId(uint id) => FromHandle(Bpf.OpenById(BpfCommand.BPF_PROG_GET_FD_BY_ID, id, "program"));

    /// <summary>The ids of every loaded program in the system.</summary>
    public static IEnumerable<uint> EnumerateIds() => Bpf.EnumerateIds(BpfCommand.BPF_PROG_GET_NEXT_ID);

    /// <summary>Pins the program in bpffs: it stays loaded until the pin is removed and nothing else holds it.</summary>
    public void Pin(string path)
    {
        BpfFs.Pin(Handle, path, $"program \"{Name}\"");
        PinPath = path;
    }

    /// <summary>Removes the pin made by <see cref="Pin"/> or opened by <see cref="OpenPinned"/>; nothing when there is none.</summary>
    public void Unpin()
    {
        if (PinPath is null) return;
        BpfFs.Unpin(PinPath);
        PinPath = null;
    }

    /// <summary>What the kernel reports about the program (BPF_OBJ_GET_INFO_BY_FD).</summary>
    public BpfProgramInfo GetInfo()
    {
        var what = $"program \"{Name}\"";
        var i = Bpf.GetInfo<BpfProgInfoRaw>(Handle, what);
        var mapIds = new uint[i.nr_map_ids];
        if (mapIds.Length > 0)
        {
            // A second call with room for the map ids; everything else is read again with it.
            fixed (uint* ids = mapIds)
            {
                var withIds = new BpfProgInfoRaw { nr_map_ids = (uint)mapIds.Length, map_ids = (ulong)ids };
                Bpf.GetInfo(Handle, ref withIds, what);
                i = withIds;
                if (i.nr_map_ids < mapIds.Length) Array.Resize(ref mapIds, (int)i.nr_map_ids);
            }
        }
        return new BpfProgramInfo(i.id, (BpfProgramType)i.type, i.name.ToString(), Convert.ToHexStringLower(new ReadOnlySpan<byte>(i.tag, 8)),
            mapIds, i.run_cnt, TimeSpan.FromTicks((long)(i.run_time_ns / 100)), i.btf_id, (int)i.xlated_prog_len,
            (int)i.jited_prog_len, i.created_by_uid, i.verified_insns, (i.flags & 1) != 0, i.attach_btf_obj_id,
            i.attach_btf_id, i.recursion_misses);
    }

    /// <summary>
    /// The program as the kernel runs it before JIT compilation (bpftool's "xlated" dump): the verifier's rewrites
    /// applied, map references shown as map ids (<c>BPF_PSEUDO_MAP_FD</c>/<c>_VALUE</c> with the id in the
    /// immediate), helper calls as helper ids. <see cref="BpfInstruction.Disassemble"/> prints it.
    /// </summary>
    /// <exception cref="BpfException">The kernel withholds them: without CAP_BPF it reports no length, and when raw
    /// dumps are not allowed (kptr_restrict) it clears the buffer pointer instead of filling the buffer.</exception>
    public BpfInstruction[] GetTranslatedInstructions()
    {
        var what = $"program \"{Name}\"";
        var i = Bpf.GetInfo<BpfProgInfoRaw>(Handle, what);
        var bytes = new byte[i.xlated_prog_len];
        fixed (byte* insns = bytes)
        {
            // A second call with room for the instructions; a loaded program does not change size.
            var withInsns = new BpfProgInfoRaw { xlated_prog_len = (uint)bytes.Length, xlated_prog_insns = (ulong)insns };
            if (bytes.Length > 0) Bpf.GetInfo(Handle, ref withInsns, what);
            if (bytes.Length == 0 || withInsns.xlated_prog_insns == 0)
                throw new BpfException("BPF_OBJ_GET_INFO_BY_FD", $"{what}: the kernel withholds its translated instructions (it needs CAP_BPF, and raw dumps allowed by kptr_restrict)");
            return BpfInstruction.FromBytes(bytes.AsSpan(0, (int)Math.Min(withInsns.xlated_prog_len, (uint)bytes.Length))).ToArray();
        }
    }

    /// <summary>
    /// Where the JIT put the program and each of its subprograms, in subprogram order (a translated call into the
    /// program numbers its target in this list); their names are in <c>/proc/kallsyms</c> as
    /// <c>bpf_prog_TAG_NAME</c>. Empty when the program is not JIT-compiled or the kernel hides addresses.
    /// </summary>
    public ulong[] GetJitedFunctionAddresses()
    {
        var what = $"program \"{Name}\"";
        var i = Bpf.GetInfo<BpfProgInfoRaw>(Handle, what);
        var addresses = new ulong[i.nr_jited_ksyms];
        if (addresses.Length == 0) return addresses;
        fixed (ulong* p = addresses)
        {
            var withAddresses = new BpfProgInfoRaw { nr_jited_ksyms = (uint)addresses.Length, jited_ksyms = (ulong)p };
            Bpf.GetInfo(Handle, ref withAddresses, what);
            return withAddresses.jited_ksyms == 0 ? [] : addresses;
        }
    }

    /// <summary>
    /// Turns on the kernel's counting of program runs and run time (BPF_ENABLE_STATS) until the returned
    /// handle is disposed. Counting costs a little on every run of every program.
    /// </summary>
    public static SafeFdHandle EnableRunTimeStatistics()
    {
        var attr = new EnableStatsAttr { type = 0 /* BPF_STATS_RUN_TIME */ };
        return Bpf.CallForFd(BpfCommand.BPF_ENABLE_STATS, ref attr, "run-time statistics");
    }

    /// <summary>Closes the program's fd; the program lives on while a pin, a link or another fd holds it.</summary>
    public void Dispose() => Handle.Dispose();

    /// <summary>The program's type and name.</summary>
    public override string ToString() => $"{Type} program \"{Name}\"";
}
