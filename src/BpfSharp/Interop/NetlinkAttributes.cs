using System.Buffers.Binary;
using System.Text;

namespace BpfSharp.Interop;

/// <summary>One attribute of a received message: its type (without the nested/byte-order bits) and payload.</summary>
internal readonly ref struct NetlinkAttribute
{
    public ushort Type { get; }
    public ReadOnlySpan<byte> Payload { get; }

    public NetlinkAttribute(ushort type, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Payload = payload;
    }

    public byte U8 => Payload.Length >= 1 ? Payload[0] : (byte)0;
    public ushort U16 => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(Payload) : (ushort)0;
    public uint U32 => Payload.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(Payload) : 0;

    /// <summary>The payload as a string, up to its NUL.</summary>
    public string String
    {
        get
        {
            int end = Payload.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? Payload : Payload[..end]);
        }
    }

    /// <summary>The attributes inside a nested attribute.</summary>
    public NetlinkAttributes Nested => new(Payload);
}

/// <summary>Walks a run of netlink attributes, stopping at the first malformed one.</summary>
internal readonly ref struct NetlinkAttributes
{
    private readonly ReadOnlySpan<byte> _data;

    public NetlinkAttributes(ReadOnlySpan<byte> data) => _data = data;

    public Enumerator GetEnumerator() => new(_data);

    /// <summary>The first attribute of <paramref name="type"/>.</summary>
    public bool TryFind(ushort type, out NetlinkAttribute attribute)
    {
        foreach (var a in this)
        {
            if (a.Type != type) continue;
            attribute = a;
            return true;
        }
        attribute = default;
        return false;
    }

    public ref struct Enumerator
    {
        private ReadOnlySpan<byte> _rest;

        internal Enumerator(ReadOnlySpan<byte> data)
        {
            _rest = data;
            Current = default;
        }

        public NetlinkAttribute Current { get; private set; }

        public bool MoveNext()
        {
            if (_rest.Length < Netlink.NLA_HDRLEN) return false;
            int length = BinaryPrimitives.ReadUInt16LittleEndian(_rest);
            ushort type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(_rest[2..]) & Netlink.NLA_TYPE_MASK);
            if (length < Netlink.NLA_HDRLEN || length > _rest.Length) return false;
            Current = new NetlinkAttribute(type, _rest[Netlink.NLA_HDRLEN..length]);
            _rest = _rest[Math.Min(Netlink.Align(length), _rest.Length)..];
            return true;
        }
    }
}
