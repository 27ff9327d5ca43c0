using System.Text;
using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>What the kernel reports about a link (BPF_OBJ_GET_INFO_BY_FD); derived records add the type's own fields.</summary>
public record BpfLinkInfo(uint Id, BpfLinkType Type, uint ProgramId)
{
    internal static unsafe BpfLinkInfo ReadHead(SafeFdHandle fd)
    {
        var raw = Bpf.GetInfo<BpfLinkInfoRaw>(fd, "link");
        return new BpfLinkInfo(raw.id, (BpfLinkType)raw.type, raw.prog_id);
    }

    /// <summary>Reads the info, a second time with room for the string of types that have one (a name, a path).</summary>
    internal static unsafe BpfLinkInfo Read(SafeFdHandle fd)
    {
        var raw = Bpf.GetInfo<BpfLinkInfoRaw>(fd, "link");
        var type = (BpfLinkType)raw.type;
        var row = LinkTypes.Of(type);
        var text = new byte[4096];
        if (row?.String is { } field)
        {
            fixed (byte* buf = text)
            {
                var withString = new BpfLinkInfoRaw();
                field(ref withString, (ulong)buf, (uint)text.Length);
                Bpf.GetInfo(fd, ref withString, "link");
                // The union fields written on the first read hold the same values; keep the second read.
                raw = withString;
            }
        }
        return row is null ? new BpfLinkInfo(raw.id, type, raw.prog_id) : row.Info(raw, raw.id, raw.prog_id, CString(text));
    }

    private static string CString(byte[] buffer)
    {
        int end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }
}
