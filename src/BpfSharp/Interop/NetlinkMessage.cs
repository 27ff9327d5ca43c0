using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace BpfSharp.Interop;

/// <summary>
/// Builds one netlink request: the message header, the family's fixed header, then attributes (nested ones
/// included), each padded to 4 bytes. The length and sequence number are filled in when it is sent.
/// </summary>
internal sealed class NetlinkMessage
{
    private byte[] _buffer = new byte[256];
    private int _length;

    public ushort Type { get; }
    public ushort Flags { get; }

    /// <param name="flags">
    /// NLM_F_REQUEST is always set, and NLM_F_ACK on every request but a dump, so that the end of the
    /// answer is known; a dump is asked for with <paramref name="dump"/>.
    /// </param>
    public NetlinkMessage(ushort type, ushort flags, bool dump = false)
    {
        Type = type;
        IsDump = dump;
        // The 0x100/0x200 bits mean ROOT/MATCH (= DUMP) in GET requests but REPLACE/EXCL in NEW ones.
        Flags = (ushort)(flags | Netlink.NLM_F_REQUEST | (dump ? Netlink.NLM_F_DUMP : Netlink.NLM_F_ACK));
        var header = new NlMsgHdr { nlmsg_type = type, nlmsg_flags = Flags };
        Append(MemoryMarshal.AsBytes(new ReadOnlySpan<NlMsgHdr>(in header)));
    }

    /// <summary>Whether the request asks for a dump: its replies are multipart and end with NLMSG_DONE.</summary>
    public bool IsDump { get; }

    /// <summary>Appends the family header (ifinfomsg, tcmsg...).</summary>
    public NetlinkMessage Header<T>(in T header) where T : unmanaged
    {
        Append(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in header)));
        return this;
    }

    public NetlinkMessage Attribute(ushort type, ReadOnlySpan<byte> payload)
    {
        var head = new NlAttr { nla_len = (ushort)(Netlink.NLA_HDRLEN + payload.Length), nla_type = type };
        Append(MemoryMarshal.AsBytes(new ReadOnlySpan<NlAttr>(in head)));
        Append(payload);
        return this;
    }

    public NetlinkMessage U8(ushort type, byte value) => Attribute(type, [value]);

    public NetlinkMessage U32(ushort type, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Attribute(type, b);
    }

    public NetlinkMessage S32(ushort type, int value) => U32(type, (uint)value);

    /// <summary>A NUL-terminated string attribute.</summary>
    public NetlinkMessage String(ushort type, string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return Attribute(type, bytes);
    }

    /// <summary>Opens a nested attribute; attributes appended until <see cref="EndNested"/> are its payload.</summary>
    public int BeginNested(ushort type)
    {
        int start = _length;
        var head = new NlAttr { nla_len = Netlink.NLA_HDRLEN, nla_type = (ushort)(type | Netlink.NLA_F_NESTED) };
        Append(MemoryMarshal.AsBytes(new ReadOnlySpan<NlAttr>(in head)));
        return start;
    }

    public NetlinkMessage EndNested(int start)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(start), (ushort)(_length - start));
        return this;
    }

    /// <summary>The finished message with its length and sequence number.</summary>
    public ReadOnlySpan<byte> Complete(uint seq)
    {
        var header = MemoryMarshal.Cast<byte, NlMsgHdr>(_buffer.AsSpan(0, Netlink.NLMSG_HDRLEN));
        header[0].nlmsg_len = (uint)_length;
        header[0].nlmsg_seq = seq;
        return _buffer.AsSpan(0, _length);
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        int padded = Netlink.Align(data.Length);
        if (_length + padded > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + padded));
        data.CopyTo(_buffer.AsSpan(_length));
        _buffer.AsSpan(_length + data.Length, padded - data.Length).Clear();
        _length += padded;
    }
}
