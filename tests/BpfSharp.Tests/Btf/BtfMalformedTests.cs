using BpfSharp.Btf;
using Xunit;
using B = BpfSharp.Tests.Btf.BtfBlobBuilder;

namespace BpfSharp.Tests.Btf;

/// <summary>Each malformed blob is refused with a <see cref="BpfFormatException"/> that says what is wrong.</summary>
public sealed class BtfMalformedTests
{
    private static void Rejects(byte[] blob, string messagePart, BtfSpec? baseSpec = null)
    {
        var e = Assert.Throws<BpfFormatException>(() => BtfSpec.Parse(blob, baseSpec));
        Assert.Equal("BTF", e.Operation);
        Assert.Contains(messagePart, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static byte[] Blob(Action<B> build)
    {
        var b = new B();
        build(b);
        return b.Build();
    }

    private static byte[] Valid() => Blob(b => b.Int("int", 4, BtfIntEncoding.Signed));

    [Fact]
    public void TooShortForHeader()
    {
        Rejects([], "too short");
        Rejects([0x9f], "too short");
        Rejects(Valid()[..23], "too short");
    }

    [Fact]
    public void WrongMagicAndBigEndian()
    {
        var blob = Valid();
        blob[0] = 0x12;
        Rejects(blob, "bad magic");
        blob = Valid();
        (blob[0], blob[1]) = (blob[1], blob[0]);
        Rejects(blob, "big-endian");
    }

    [Fact]
    public void VersionAndFlags()
    {
        var blob = Valid();
        blob[2] = 2;
        Rejects(blob, "version");
        blob = Valid();
        blob[3] = 1;
        Rejects(blob, "flags");
    }

    [Fact]
    public void HeaderLength()
    {
        var blob = Valid();
        B.SetHeader(blob, B.HeaderLength, 20);
        Rejects(blob, "header length");
        B.SetHeader(blob, B.HeaderLength, (uint)blob.Length + 1);
        Rejects(blob, "header length");
        B.SetHeader(blob, B.HeaderLength, uint.MaxValue);
        Rejects(blob, "header length");
    }

    [Fact]
    public void LongerHeaderIsAccepted()
    {
        // A later header layout may add fields: hdr_len grows and the sections move back.
        var blob = Valid();
        var longer = new byte[blob.Length + 8];
        blob.AsSpan(0, 24).CopyTo(longer);
        blob.AsSpan(24).CopyTo(longer.AsSpan(32));
        B.SetHeader(longer, B.HeaderLength, 32);
        Assert.Equal("int", BtfSpec.Parse(longer).GetName(1));
    }

    [Theory]
    [InlineData(B.TypeOffset, 4u, "type section")]
    [InlineData(B.TypeLength, 20u, "type section")]
    [InlineData(B.TypeOffset, 0xFFFF_FFF0u, "type section")]    // offset + length wraps in 32 bits
    [InlineData(B.TypeLength, 0xFFFF_FFFCu, "type section")]
    [InlineData(B.StringOffset, 17u, "string section")]
    [InlineData(B.StringLength, 6u, "string section")]
    [InlineData(B.StringOffset, 0xFFFF_FFFFu, "string section")]
    [InlineData(B.StringLength, 0xFFFF_FFFFu, "string section")]
    [InlineData(B.StringOffset, 8u, "overlaps")]
    [InlineData(B.TypeOffset, 2u, "aligned")]
    [InlineData(B.TypeLength, 14u, "multiple of 4")]
    [InlineData(B.StringLength, 0u, "empty")]
    public void SectionBounds(int field, uint value, string message)
    {
        var blob = Valid(); // 16 bytes of types, 5 of strings ("\0int\0")
        B.SetHeader(blob, field, value);
        Rejects(blob, message);
    }

    [Fact]
    public void StringSectionMustStartAndEndWithNul()
    {
        var blob = Valid();
        blob[^1] = (byte)'x';
        Rejects(blob, "end with NUL");
        blob = Valid();
        blob[24 + 16] = (byte)'x';
        Rejects(blob, "start with the empty string");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(31)]
    public void UnknownKind(int kind) =>
        Rejects(Blob(b => b.Raw(0, (uint)kind << 24, 0)), "unknown kind");

    [Fact]
    public void NameOffsetsOutOfRange()
    {
        Rejects(Blob(b => b.Raw(100, B.Info(BtfKind.Int), 4, 32)), "name offset");
        Rejects(Blob(b => b.Raw(0, B.Info(BtfKind.Struct, 1), 4, 100, 0, 0)), "name offset");
        Rejects(Blob(b => b.Raw(0, B.Info(BtfKind.Enum, 1), 4, 100, 0)), "name offset");
        Rejects(Blob(b => b.Raw(0, B.Info(BtfKind.Enum64, 1), 8, 100, 0, 0)), "name offset");
        Rejects(Blob(b => b.Raw(0, B.Info(BtfKind.FuncProto, 1), 0, 100, 0)), "name offset");
        // Offset of the last NUL is fine; one past it is not.
        var ok = Blob(b => b.Int("int", 4));
        B.SetHeader(ok, 24, 4);
        Assert.Equal("", BtfSpec.Parse(ok).GetName(1));
        B.SetHeader(ok, 24, 5);
        Rejects(ok, "name offset");
    }

    [Fact]
    public void RecordsRunningPastTheSection()
    {
        Rejects(Blob(b => b.Raw(0, B.Info(BtfKind.Struct, 2), 4, 0, 1, 0)), "runs past");
        Rejects(Blob(b => b.Raw(0, B.Info(BtfKind.Int), 4)), "runs past");           // no encoding word
        Rejects(Blob(b => b.Raw(0, B.Info(BtfKind.Enum, 0xffff), 4)), "runs past");
        var blob = Blob(b => b.Int("int", 4));
        B.SetHeader(blob, B.TypeLength, 8);  // cut inside the 12-byte btf_type
        B.SetHeader(blob, B.StringOffset, 16);
        Rejects(blob, "truncated");
    }

    [Fact]
    public void ReferencesOutOfRange()
    {
        Rejects(Blob(b => b.Pointer(2)), "refers to type 2");
        Rejects(Blob(b => b.Typedef("t", 1000)), "refers to type 1000");
        Rejects(Blob(b => { b.Int("int", 4); b.Array(1, 99, 1); }), "refers to type 99");
        Rejects(Blob(b => { b.Int("int", 4); b.Struct("s", 4, ("a", 77, 0)); }), "refers to type 77");
        Rejects(Blob(b => { b.Int("int", 4); b.FuncProto(1, false, ("a", unchecked((int)0x8000_0001))); }), "refers to type");
        Rejects(Blob(b => b.Var("v", -1)), "refers to type");
        Rejects(Blob(b => { b.Int("int", 4); b.DataSec(".data", 4, (5, 0, 4)); }), "refers to type 5");
        Rejects(Blob(b => b.DeclTag("t", 3)), "refers to type 3");
    }

    [Fact]
    public void VoidWhereATypeIsRequired()
    {
        Rejects(Blob(b => b.Array(0, 0, 1)), "void");
        Rejects(Blob(b => b.Struct("s", 4, ("a", 0, 0))), "void");
        Rejects(Blob(b => b.Var("v", 0)), "void");
        Rejects(Blob(b => b.Func("f", 0)), "no prototype");
        Rejects(Blob(b => b.DataSec(".bss", 4, (0, 0, 4))), "void");
        Rejects(Blob(b => b.DeclTag("t", 0)), "void");
        Rejects(Blob(b => { b.Int("int", 4); b.FuncProto(0, false, ("", 0), ("b", 1)); }), "parameter 0 has type void");
        Rejects(Blob(b => { b.Raw(0, B.Info(BtfKind.FuncProto, 1), 0, (uint)b.Str("named"), 0); }), "void");
    }

    [Fact]
    public void FuncMustReferToAPrototype()
    {
        Rejects(Blob(b => { b.Int("int", 4); b.Func("f", 1); }), "rather than a FUNC_PROTO");
        Rejects(Blob(b => { b.Func("f", 2); b.Int("int", 4); }), "rather than a FUNC_PROTO");
    }

    [Fact]
    public void TypesThatContainThemselves()
    {
        Rejects(Blob(b => b.Typedef("t", 1)), "contains itself");
        Rejects(Blob(b => { b.Const(2); b.Typedef("t", 1); }), "contains itself");
        Rejects(Blob(b => { b.Int("int", 4); b.Struct("s", 8, ("a", 1, 0), ("self", 2, 32)); }), "contains itself");
        Rejects(Blob(b => { b.Int("int", 4); b.Array(2, 1, 2); }), "contains itself");
        Rejects(Blob(b => { b.Struct("a", 4, ("b", 2, 0)); b.Union("b", 4, ("a", 1, 0)); }), "contains itself");
        Rejects(Blob(b => { b.Var("v", 2); b.Volatile(3); b.TypeTag("x", 1); }), "contains itself");
        // A pointer breaks the cycle: struct list { struct list *next; } is fine.
        var ok = Blob(b => { b.Struct("list", 8, ("next", 2, 0)); b.Pointer(1); });
        Assert.Equal(8, BtfSpec.Parse(ok).SizeOf(1));
    }

    [Fact]
    public void AbsurdSizes()
    {
        Rejects(Blob(b => b.Int("int", 3)), "invalid size");
        Rejects(Blob(b => b.Int("int", 32)), "invalid size");
        Rejects(Blob(b => b.Int("int", 4, bits: 33)), "exceed");
        Rejects(Blob(b => b.Int("int", 4, bits: 8, bitOffset: 30)), "exceed");
        Rejects(Blob(b => b.Float("f", 5)), "invalid size");
        Rejects(Blob(b => b.Enum("e", 3, false)), "invalid size");
        Rejects(Blob(b => b.Enum64("e", 16, false)), "invalid size");
        Rejects(Blob(b => b.Struct("s", -1)), "absurd size");
        Rejects(Blob(b => b.DataSec(".data", -1)), "absurd size");
        Rejects(Blob(b => { b.Int("int", 4); b.Array(1, 1, -1); }), "absurd length");
        Rejects(Blob(b => { b.Int("int", 4); b.Array(1, 1, 0x4000_0000); }), "absurd size");
        Rejects(Blob(b => { b.Int("int", 4); b.Array(1, 1, 0x10000); b.Array(2, 1, 0x10000); }), "absurd size");
        Rejects(Blob(b => { b.Int("int", 4); b.Struct("s", 4, ("a", 1, -8)); }), "absurd offset");
        Rejects(Blob(b => { b.Int("int", 4); b.Bitfields(BtfKind.Struct, "s", 4, ("a", 1, 0, 200)); }), "absurd offset");
        Rejects(Blob(b => { b.Int("int", 4); b.Var("v", 1); b.DataSec(".data", 4, (2, -4, 4)); }), "absurd offset");
    }

    [Fact]
    public void MembersAndElementsNeedASize()
    {
        Rejects(Blob(b => { b.Forward("f", false); b.Struct("s", 4, ("a", 1, 0)); }), "no size");
        Rejects(Blob(b => { b.FuncProto(0, false); b.Union("u", 4, ("a", 1, 0)); }), "no size");
        Rejects(Blob(b => { b.Forward("f", false); b.Array(1, 1, 2); }), "no size");
        Rejects(Blob(b => { b.Struct("s", 4, ("a", 2, 0)); b.Const(0); }), "no size"); // const void member
    }

    [Fact]
    public void DeclTagComponents()
    {
        Rejects(Blob(b => { b.Int("int", 4); b.DeclTag("t", 1, -2); }), "component index");
        Rejects(Blob(b => { b.Int("int", 4); b.DeclTag("t", 1, 0); }), "no components");
        Rejects(Blob(b => { b.Int("int", 4); b.Struct("s", 4, ("a", 1, 0)); b.DeclTag("t", 2, 1); }), "which has 1");
        Rejects(Blob(b => { b.FuncProto(0, false); b.Func("f", 1); b.DeclTag("t", 2, 0); }), "which has 0");
        var ok = Blob(b => { b.DeclTag("t", 3, 0); b.Int("int", 4); b.Struct("s", 4, ("a", 2, 0)); });
        Assert.Equal(0, Assert.IsType<BtfDeclTag>(BtfSpec.Parse(ok)[1]).ComponentIndex);
    }

    [Fact]
    public void SplitBlobsAreCheckedAgainstTheirBase()
    {
        var baseSpec = BtfSpec.Parse(Valid()); // ids 0-1, 5 bytes of strings
        var split = B.SplitOn(baseSpec);
        split.Pointer(3);
        Rejects(split.Build(), "refers to type 3", baseSpec);
        var names = B.SplitOn(baseSpec);
        names.Raw(100, B.Info(BtfKind.Int), 4, 32);
        Rejects(names.Build(), "name offset", baseSpec);
        var loop = B.SplitOn(baseSpec);
        loop.Typedef("a", 2);
        Rejects(loop.Build(), "contains itself", baseSpec);
    }
}
