using BpfSharp.Btf;
using Xunit;

namespace BpfSharp.Tests.Btf;

/// <summary>Hand-built blobs: every kind decodes with the fields it was written with.</summary>
public sealed class BtfParserTests
{
    private readonly BtfSpec _spec;
    private readonly Dictionary<string, int> _ids;

    public BtfParserTests()
    {
        _spec = BtfSpec.Parse(BtfBlobBuilder.AllKinds(out _ids));
    }

    private T Get<T>(string key) where T : BtfType => Assert.IsType<T>(_spec[_ids[key]]);

    [Fact]
    public void CountsVoidAndEveryRecord()
    {
        Assert.Equal(_ids.Count + 1, _spec.Count);
        Assert.Equal(1, _spec.FirstTypeId);
        Assert.Null(_spec.Base);
        Assert.IsType<BtfVoid>(_spec[0]);
        Assert.Equal(BtfKind.Void, _spec.GetKind(0));
        Assert.Equal(_ids.Count, _spec.Types.Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => _spec[_spec.Count]);
        Assert.Throws<ArgumentOutOfRangeException>(() => _spec[-1]);
        Assert.False(_spec.TryGetType(_spec.Count, out _));
        Assert.Same(_spec[_ids["int"]], _spec[_ids["int"]]);
    }

    [Fact]
    public void Ints()
    {
        var i = Get<BtfInt>("int");
        Assert.Equal(("int", 4, 32, 0, true, false, false), (i.Name, i.Size, i.Bits, i.BitOffset, i.IsSigned, i.IsChar, i.IsBool));
        var c = Get<BtfInt>("char");
        Assert.True(c.IsChar && c.IsSigned);
        Assert.True(Get<BtfInt>("_Bool").IsBool);
        var wide = Get<BtfInt>("__int128 unsigned");
        Assert.Equal((16, 128, false), (wide.Size, wide.Bits, wide.IsSigned));
        Assert.Equal(BtfKind.Int, i.Kind);
        Assert.Equal($"[{i.Id}] INT 'int'", i.ToString());
    }

    [Fact]
    public void FloatsPointersQualifiersAndTags()
    {
        Assert.Equal(8, Get<BtfFloat>("double").Size);
        var p = Get<BtfPointer>("void *");
        Assert.Equal(0, p.TargetId);
        Assert.IsType<BtfVoid>(p.Target);
        Assert.True(p.IsAnonymous);
        var c = Get<BtfConst>("const int");
        Assert.Equal(_ids["int"], c.TargetId);
        var v = Get<BtfVolatile>("volatile const int");
        Assert.Same(c, v.Target);
        Assert.Equal(_ids["void *"], Get<BtfRestrict>("void * restrict").TargetId);
        var tag = Get<BtfTypeTag>("__user tag");
        Assert.Equal(("user", _ids["int"], false), (tag.Value, tag.TargetId, tag.IsAttribute));
        Assert.Equal(_ids["__user tag"], Get<BtfPointer>("int __user *").TargetId);
        var td = Get<BtfTypedef>("__u32");
        Assert.Equal(("__u32", _ids["int"]), (td.Name, td.TargetId));
    }

    [Fact]
    public void Arrays()
    {
        var a = Get<BtfArray>("int[4]");
        Assert.Equal((_ids["int"], _ids["int"], 4), (a.ElementTypeId, a.IndexTypeId, a.Length));
        var a2 = Get<BtfArray>("int[4][3]");
        Assert.Same(a, a2.ElementType);
        Assert.Equal(48, _spec.SizeOf(a2.Id));
        Assert.Equal(4, _spec.AlignmentOf(a2.Id));
    }

    [Fact]
    public void ForwardsRecordStructOrUnion()
    {
        var s = Get<BtfForward>("fwd struct");
        Assert.Equal(("later", false, BtfKind.Struct), (s.Name, s.IsUnion, s.TargetKind));
        var u = Get<BtfForward>("fwd union");
        Assert.Equal(("maybe", true, BtfKind.Union), (u.Name, u.IsUnion, u.TargetKind));
        Assert.False(_spec.TryGetSize(s.Id, out _));
        Assert.Throws<ArgumentException>(() => _spec.SizeOf(s.Id));
    }

    [Fact]
    public void StructMembersWithAndWithoutKindFlag()
    {
        var inner = Get<BtfStruct>("inner");
        Assert.False(inner.HasBitfieldOffsets);
        Assert.Equal(8, inner.Size);
        Assert.Equal([new BtfMember("a", _ids["int"], 0, 0), new BtfMember("b", _ids["int"], 32, 0)], inner.Members.ToArray());

        var outer = Get<BtfStruct>("outer");
        Assert.True(outer.HasBitfieldOffsets);
        Assert.Equal(5, outer.Members.Length);
        Assert.Equal(new BtfMember("", _ids["anon union"], 64, 0), outer.Members[1]);
        Assert.True(outer.Members[1].IsAnonymous);
        var flags = outer.Members[3];
        Assert.Equal(("flags", 192, 3, 24, true), (flags.Name, flags.BitOffset, flags.BitfieldSize, flags.ByteOffset, flags.IsBitfield));
        var mode = outer.Members[4];
        Assert.Equal((195, 5), (mode.BitOffset, mode.BitfieldSize));
        Assert.True(outer.TryGetMember("named", out var named));
        Assert.Equal(128, named.BitOffset);
        Assert.False(outer.TryGetMember("l", out _)); // inside the anonymous union: only FindMember descends

        var u = Get<BtfUnion>("anon union");
        Assert.Equal(BtfKind.Union, u.Kind);
        Assert.True(u.IsAnonymous);
        Assert.Equal($"[{u.Id}] UNION '(anon)'", u.ToString());
    }

    [Fact]
    public void EnumsKeepSignedness()
    {
        var e = Get<BtfEnum>("enum color");
        Assert.Equal((BtfKind.Enum, 4, false, false), (e.Kind, e.Size, e.IsSigned, e.Is64Bit));
        Assert.Equal([new("RED", 0), new("GREEN", 1), new("BLUE", 0xFFFF_FFFF)], e.Values.ToArray());
        Assert.True(e.TryGetValue("GREEN", out long green));
        Assert.Equal(1, green);
        Assert.False(e.TryGetValue("PURPLE", out _));

        var s = Get<BtfEnum>("enum signed");
        Assert.True(s.IsSigned);
        Assert.Equal(-1, s.Values[0].Value);

        var big = Get<BtfEnum>("enum64");
        Assert.Equal((BtfKind.Enum64, true, false), (big.Kind, big.Is64Bit, big.IsSigned));
        Assert.Equal(0xFFFF_FFFF_FFFF_FFFEUL, big.Values[0].UnsignedValue);
        var sbig = Get<BtfEnum>("enum64 signed");
        Assert.True(sbig.IsSigned);
        Assert.Equal(long.MinValue, sbig.Values[0].Value);
    }

    [Fact]
    public void FunctionsAndPrototypes()
    {
        var f = Get<BtfFunc>("func");
        Assert.Equal(("add", BtfLinkage.Global, _ids["proto"]), (f.Name, f.Linkage, f.ProtoId));
        var p = f.Proto;
        Assert.Equal(_ids["int"], p.ReturnTypeId);
        Assert.False(p.IsVariadic);
        Assert.Equal([new BtfParam("x", _ids["int"]), new BtfParam("p", _ids["void *"])], p.Parameters.ToArray());

        var s = Get<BtfFunc>("static func");
        Assert.Equal(BtfLinkage.Static, s.Linkage);
        Assert.True(s.Proto.IsVariadic);
        Assert.Single(s.Proto.Parameters);
        Assert.IsType<BtfVoid>(s.Proto.ReturnType);
        Assert.False(_spec.TryGetSize(f.Id, out _));
    }

    [Fact]
    public void VariablesAndDataSections()
    {
        var v = Get<BtfVar>("var");
        Assert.Equal(("counter", _ids["int"], BtfLinkage.Global), (v.Name, v.TypeId, v.Linkage));
        Assert.Equal(BtfLinkage.Static, Get<BtfVar>("static var").Linkage);
        Assert.Equal(16, _spec.SizeOf(_ids["static var"]));
        var sec = Get<BtfDataSec>("datasec");
        Assert.Equal((".data", 20), (sec.Name, sec.Size));
        Assert.Equal([new BtfVarSecInfo(_ids["var"], 0, 4), new BtfVarSecInfo(_ids["static var"], 4, 16)], sec.Variables.ToArray());
        Assert.Equal(20, _spec.SizeOf(sec.Id));
        Assert.Throws<ArgumentException>(() => _spec.AlignmentOf(sec.Id));
    }

    [Fact]
    public void DeclTags()
    {
        var t = Get<BtfDeclTag>("decl tag");
        Assert.Equal(("kfunc", _ids["func"], -1, false), (t.Value, t.TargetId, t.ComponentIndex, t.IsAttribute));
        var m = Get<BtfDeclTag>("member tag");
        Assert.Equal((_ids["outer"], 2), (m.TargetId, m.ComponentIndex));
        var p = Get<BtfDeclTag>("param tag");
        Assert.Equal((1, true), (p.ComponentIndex, p.IsAttribute));
        Assert.IsType<BtfFunc>(p.Target);
    }

    [Fact]
    public void NamesAndStrings()
    {
        Assert.Equal("outer", _spec.GetName(_ids["outer"]));
        Assert.Equal("", _spec.GetName(_ids["anon union"]));
        Assert.Equal("", _spec.GetName(0));
        Assert.Equal("", _spec.GetString(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _spec.GetString(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _spec.GetString(1 << 20));
    }

    [Fact]
    public void LookupByNameAndKind()
    {
        Assert.True(_spec.TryFindByName("outer", BtfKind.Struct, out var outer));
        Assert.Equal(_ids["outer"], outer.Id);
        Assert.False(_spec.TryFindByName("outer", BtfKind.Union, out _));
        Assert.True(_spec.TryFindId("add", BtfKind.Func, out int add));
        Assert.Equal(_ids["func"], add);
        Assert.True(_spec.TryFind<BtfEnum>("big", out var big));
        Assert.True(big.Is64Bit);
        Assert.Equal(_ids["__u32"], _spec.Find<BtfTypedef>("__u32").Id);
        Assert.Throws<KeyNotFoundException>(() => _spec.Find<BtfStruct>("__u32"));
        Assert.Throws<KeyNotFoundException>(() => _spec.FindByName("nope", BtfKind.Struct));
        Assert.False(_spec.TryFind<BtfType>("", out _)); // anonymous types have no name to find
        Assert.Equal([_ids["inner"]], _spec.FindAll("inner").Select(t => t.Id).ToArray());
        Assert.Empty(_spec.FindAll("ïnner"));
    }

    [Fact]
    public void FindAllReturnsEveryKindInIdOrder()
    {
        var b = new BtfBlobBuilder();
        int i = b.Int("int", 4, BtfIntEncoding.Signed);
        int s = b.Struct("thing", 4, ("x", i, 0));
        int t = b.Typedef("thing", s);
        int f = b.Forward("thing", false);
        var spec = BtfSpec.Parse(b.Build());
        Assert.Equal([s, t, f], spec.FindAll("thing").Select(x => x.Id).ToArray());
        Assert.Equal(t, spec.FindByName("thing", BtfKind.Typedef).Id);
        Assert.Equal(s, spec.Find<BtfStruct>("thing").Id);
        Assert.Equal(f, spec.Find<BtfForward>("thing").Id);
    }

    [Fact]
    public void PointerSizeComesFromLong()
    {
        var b = new BtfBlobBuilder();
        b.Pointer(0);
        b.Int("long int", 4, BtfIntEncoding.Signed);
        var spec = BtfSpec.Parse(b.Build());
        Assert.Equal(4, spec.PointerSize);
        Assert.Equal(4, spec.SizeOf(1)); // a PTR before the long still gets the blob's pointer size

        var noLong = new BtfBlobBuilder();
        noLong.Pointer(0);
        Assert.Equal(8, BtfSpec.Parse(noLong.Build()).PointerSize);
    }

    [Fact]
    public void ForwardReferencesResolve()
    {
        // Types that refer to later ids (as vmlinux does) get their sizes from the second pass.
        var b = new BtfBlobBuilder();
        int td = b.Typedef("later_t", 3);   // 1 -> 3
        int arr = b.Array(1, 4, 5);         // 2: later_t[5]
        int s = b.Struct("later", 12, ("a", 4, 0), ("b", 4, 32), ("c", 4, 64)); // 3
        int i = b.Int("int", 4, BtfIntEncoding.Signed); // 4
        var spec = BtfSpec.Parse(b.Build());
        Assert.Equal((1, 2, 3, 4), (td, arr, s, i));
        Assert.Equal(12, spec.SizeOf(td));
        Assert.Equal(60, spec.SizeOf(arr));
        Assert.Equal(4, spec.AlignmentOf(arr));
    }
}
