using System.Text;
using System.Text.Json;
using BpfSharp.Btf;

namespace BpfSharp.Tests.Btf;

/// <summary>Decoding bytes through BTF types: no kernel needed.</summary>
public sealed class BtfValueFormatterTests
{
    private static string Json(BtfValueFormatter f, int type, byte[] data)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) f.WriteJson(w, type, data);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    [Fact]
    public void StructWithCharArrayEnumNestedStructArrayBitfieldsAndPointer()
    {
        var b = new BtfBlobBuilder();
        int u32 = b.Int("unsigned int", 4);
        int i16 = b.Int("short", 2, BtfIntEncoding.Signed);
        int ch = b.Int("char", 1, BtfIntEncoding.Signed);
        int comm = b.Array(ch, u32, 8);
        int color = b.Enum("color", 4, false, ("RED", 0), ("GREEN", 7));
        int pair = b.Struct("pair", 4, ("a", i16, 0), ("b", i16, 16));
        int pairs = b.Array(pair, u32, 2);
        int ptr = b.Pointer(0);
        int flags = b.Bitfields(BtfKind.Struct, "flags", 4, ("lo", u32, 0, 3), ("hi", u32, 3, 5), ("neg", i16, 8, 4));
        int ev = b.Struct("ev", 48, ("pid", u32, 0), ("comm", comm, 32), ("c", color, 96), ("p", pairs, 128), ("f", flags, 192), ("ptr", ptr, 256), ("last", i16, 320));
        var spec = BtfSpec.Parse(b.Build());
        var f = new BtfValueFormatter(spec);

        var data = new byte[48];
        BitConverter.GetBytes(1234u).CopyTo(data, 0);
        "bash\0xyz"u8.ToArray().CopyTo(data, 4);
        BitConverter.GetBytes(7u).CopyTo(data, 12);
        BitConverter.GetBytes((short)-1).CopyTo(data, 16);
        BitConverter.GetBytes((short)2).CopyTo(data, 18);
        BitConverter.GetBytes((short)3).CopyTo(data, 20);
        BitConverter.GetBytes((short)-4).CopyTo(data, 22);
        // lo = 5 (bits 0-2), hi = 17 (bits 3-7), neg = -2 (bits 8-11, signed 4-bit 0b1110)
        BitConverter.GetBytes(5u | (17u << 3) | (0xEu << 8)).CopyTo(data, 24);
        BitConverter.GetBytes(0xffff8880deadbeefUL).CopyTo(data, 32);
        BitConverter.GetBytes((short)-7).CopyTo(data, 40);

        Assert.Equal("pid=1234 comm=\"bash\" c=GREEN p=[{a=-1 b=2} {a=3 b=-4}] f={lo=5 hi=17 neg=-2} ptr=0xffff8880deadbeef last=-7",
            f.FormatText(ev, data, braces: false));
        Assert.Equal("{\"pid\":1234,\"comm\":\"bash\",\"c\":\"GREEN\",\"p\":[{\"a\":-1,\"b\":2},{\"a\":3,\"b\":-4}],\"f\":{\"lo\":5,\"hi\":17,\"neg\":-2},\"ptr\":\"0xffff8880deadbeef\",\"last\":-7}",
            Json(f, ev, data));

        // An enum value without a name is shown as its number.
        BitConverter.GetBytes(3u).CopyTo(data, 12);
        Assert.Contains(" c=3 ", f.FormatText(ev, data));
    }

    [Fact]
    public void ByteArraysAreNumbers_OnlyCharArraysAreText()
    {
        // tcpconnect's __u8 saddr_v6[16] holding 127.0.0.1 as an IPv4-mapped address is bytes, not the text "\u007F".
        var b = new BtfBuilder();
        int u32 = b.AddInt("unsigned int", 4);
        int uchar = b.AddInt("unsigned char", 1);
        int u8 = b.AddTypedef("__u8", uchar);
        int ch = b.AddInt("char", 1, BtfIntEncoding.Signed);
        int bytes = b.AddArray(u8, u32, 4);
        int raw = b.AddArray(uchar, u32, 2);
        int text = b.AddArray(b.AddConst(ch), u32, 4);
        int named = b.AddTypedef("name_t", text);
        int s = b.AddStruct("s", 10, [new("addr", bytes, 0, 0), new("key", raw, 32, 0), new("name", text, 48, 0)]);
        var f = new BtfValueFormatter(BtfSpec.Parse(b.Build()));
        byte[] data = [127, 0, 0, 1, 0, 9, (byte)'o', (byte)'k', 0, 0];
        Assert.Equal("{\"addr\":[127,0,0,1],\"key\":[0,9],\"name\":\"ok\"}", Json(f, s, data));
        Assert.Equal("addr=[127 0 0 1] key=[0 9] name=\"ok\"", f.FormatText(s, data, braces: false));
        Assert.Equal([false, false, true, true], new[] { bytes, raw, text, named }.Select(f.WritesAsText));
    }

    [Fact]
    public void AnonymousMembersReadAsTheEnclosingStructs()
    {
        var b = new BtfBlobBuilder();
        int u32 = b.Int("unsigned int", 4);
        int u64 = b.Int("unsigned long long", 8);
        int anonUnion = b.Union("", 8, ("whole", u64, 0), ("low", u32, 0));
        int s = b.Struct("s", 12, ("", anonUnion, 0), ("tail", u32, 64));
        var f = new BtfValueFormatter(BtfSpec.Parse(b.Build()));
        var data = new byte[12];
        BitConverter.GetBytes(0x1_0000_0002UL).CopyTo(data, 0);
        BitConverter.GetBytes(9u).CopyTo(data, 8);
        Assert.Equal("{whole=4294967298 low=2 tail=9}", f.FormatText(s, data));
    }

    [Fact]
    public void MembersPastTheData_AreLeftOut_AFlexibleArrayAtTheEndIsNot()
    {
        // ksnoop's struct trace, sent cut inside buf: the members after it were never sent, and are not shown as zeros.
        var b = new BtfBuilder();
        int u32 = b.AddInt("unsigned int", 4);
        int ch = b.AddInt("char", 1, BtfIntEncoding.Signed);
        int buf = b.AddArray(ch, u32, 8);
        int none = b.AddArray(ch, u32, 0);
        int trace = b.AddStruct("trace", 20, [new("pid", u32, 0, 0), new("buf", buf, 32, 0), new("buf_end", none, 96, 0), new("links", u32, 96, 0), new("more", u32, 128, 0)]);
        int counts = b.AddArray(u32, u32, 0);
        int flex = b.AddStruct("flex", 4, [new("n", u32, 0, 0), new("counts", counts, 32, 0)]);
        var f = new BtfValueFormatter(BtfSpec.Parse(b.Build()));
        byte[] cut = [7, 0, 0, 0, (byte)'a', (byte)'b', 0];
        Assert.Equal("{\"pid\":7,\"buf\":\"ab\"}", Json(f, trace, cut));
        Assert.Equal("pid=7 buf=\"ab\"", f.FormatText(trace, cut, braces: false));
        // Whole, every member is there; a flexible array that starts where the data ends is written, empty.
        var whole = new byte[20];
        cut.CopyTo(whole, 0);
        whole[16] = 5;
        Assert.Equal("pid=7 buf=\"ab\" buf_end=\"\" links=0 more=5", f.FormatText(trace, whole, braces: false));
        Assert.Equal("{\"n\":3,\"counts\":[]}", Json(f, flex, [3, 0, 0, 0]));
    }
}
