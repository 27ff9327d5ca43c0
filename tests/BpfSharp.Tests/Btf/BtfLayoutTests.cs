using BpfSharp.Btf;
using Xunit;

namespace BpfSharp.Tests.Btf;

/// <summary>Sizes, alignments, modifier skipping and member lookup on hand-built blobs.</summary>
public sealed class BtfLayoutTests
{
    private readonly BtfSpec _spec;
    private readonly Dictionary<string, int> _ids;

    public BtfLayoutTests()
    {
        _spec = BtfSpec.Parse(BtfBlobBuilder.AllKinds(out _ids));
    }

    [Theory]
    [InlineData("int", 4, 4)]
    [InlineData("unsigned char", 1, 1)]
    [InlineData("long", 8, 8)]
    [InlineData("__int128 unsigned", 16, 16)]
    [InlineData("double", 8, 8)]
    [InlineData("const int", 4, 4)]
    [InlineData("volatile const int", 4, 4)]
    [InlineData("void *", 8, 8)]
    [InlineData("void * restrict", 8, 8)]
    [InlineData("__user tag", 4, 4)]
    [InlineData("__u32", 4, 4)]
    [InlineData("int[4]", 16, 4)]
    [InlineData("inner", 8, 4)]
    [InlineData("anon union", 8, 8)]
    [InlineData("outer", 32, 8)]
    [InlineData("enum color", 4, 4)]
    [InlineData("enum64", 8, 8)]
    [InlineData("var", 4, 4)]
    public void SizesAndAlignments(string key, int size, int alignment)
    {
        Assert.Equal(size, _spec.SizeOf(_ids[key]));
        Assert.Equal(alignment, _spec.AlignmentOf(_ids[key]));
        Assert.Equal(size, _spec.SizeOf(_spec[_ids[key]]));
    }

    [Theory]
    [InlineData("fwd struct")]
    [InlineData("proto")]
    [InlineData("func")]
    [InlineData("decl tag")]
    public void TypesWithoutSize(string key)
    {
        Assert.False(_spec.TryGetSize(_ids[key], out _));
        Assert.Throws<ArgumentException>(() => _spec.SizeOf(_ids[key]));
        Assert.Throws<ArgumentException>(() => _spec.AlignmentOf(_ids[key]));
    }

    [Fact]
    public void VoidHasNoSize()
    {
        Assert.False(_spec.TryGetSize(0, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => _spec.SizeOf(_spec.Count));
    }

    [Fact]
    public void PackedAndOddLayouts()
    {
        var b = new BtfBlobBuilder();
        int i32 = b.Int("int", 4, BtfIntEncoding.Signed);
        int i8 = b.Int("char", 1, BtfIntEncoding.Signed);
        int packed = b.Struct("packed", 5, ("c", i8, 0), ("i", i32, 8));    // __attribute__((packed))
        int tail = b.Struct("tail", 6, ("i", i32, 0), ("c", i8, 32));       // size not a multiple of 4
        int empty = b.Struct("empty", 0);
        int flex = b.Struct("flex", 4, ("n", i32, 0), ("data", b.Array(i8, i32, 0), 32));
        int ld = b.Float("long double", 12);
        int oldBitfield = b.Int("int:3", 4, BtfIntEncoding.Signed, bits: 3);
        int old = b.Struct("old_bits", 4, ("a", oldBitfield, 0), ("b", oldBitfield, 3)); // pre-kind_flag bitfields
        var spec = BtfSpec.Parse(b.Build());
        Assert.Equal(1, spec.AlignmentOf(packed));
        Assert.Equal(1, spec.AlignmentOf(tail));
        Assert.Equal(1, spec.AlignmentOf(empty));
        Assert.Equal(0, spec.SizeOf(empty));
        Assert.Equal(4, spec.AlignmentOf(flex));
        Assert.Equal(4, spec.AlignmentOf(ld));
        Assert.Equal(4, spec.AlignmentOf(old));
    }

    [Fact]
    public void SkipQualifiersAndModifiers()
    {
        int i = _ids["int"];
        Assert.Equal(i, _spec.SkipQualifiers(_ids["volatile const int"]));
        Assert.Equal(i, _spec.SkipQualifiers(_ids["__user tag"]));
        Assert.Equal(_ids["__u32"], _spec.SkipQualifiers(_ids["__u32"]));
        Assert.Equal(i, _spec.SkipModifiers(_ids["__u32"]));
        Assert.Equal(_ids["void *"], _spec.SkipModifiers(_ids["void * restrict"]));
        Assert.Equal(0, _spec.SkipModifiers(0));
        Assert.Same(_spec[i], _spec.SkipModifiers(_spec[_ids["volatile const int"]]));
        Assert.Same(_spec[i], _spec.SkipQualifiers(_spec[_ids["const int"]]));
    }

    [Fact]
    public void FindMemberThroughAnonymousMembers()
    {
        int outer = _ids["outer"];
        var l = _spec.FindMember(outer, "l");
        Assert.Equal(("l", _ids["long"], 64L, _ids["anon union"], 0), (l.Name, l.TypeId, l.BitOffset, l.ContainerTypeId, l.MemberIndex));
        Assert.Equal(8, l.ByteOffset);

        var b = _spec.FindMember(outer, "in.b");
        Assert.Equal((_ids["int"], 96L, 12L), (b.TypeId, b.BitOffset, b.ByteOffset));
        Assert.Equal(160, _spec.FindMember(outer, "named.b").BitOffset);

        var mode = _spec.FindMember(outer, "mode");
        Assert.Equal((195L, 5, true, 24L), (mode.BitOffset, mode.BitfieldSize, mode.IsBitfield, mode.ByteOffset));

        Assert.False(_spec.TryFindMember(outer, "nope", out _));
        Assert.False(_spec.TryFindMember(outer, "c.x", out _));      // char has no members
        Assert.False(_spec.TryFindMember(outer, "named.nope", out _));
        Assert.Throws<KeyNotFoundException>(() => _spec.FindMember(outer, "in.c"));
        Assert.Throws<ArgumentException>(() => _spec.FindMember(outer, ""));
        Assert.Throws<ArgumentException>(() => _spec.FindMember(outer, "named..a"));
        Assert.Throws<ArgumentException>(() => _spec.FindMember(_ids["int"], "x"));
        Assert.Equal(_spec.FindMember(outer, "l"), _spec.FindMember(_spec[outer], "l"));
    }

    [Fact]
    public void FindMemberFollowsTypedefsAndQualifiers()
    {
        var b = new BtfBlobBuilder();
        int i32 = b.Int("int", 4, BtfIntEncoding.Signed);
        int inner = b.Struct("", 8, ("x", i32, 0), ("y", i32, 32));
        int cinner = b.Const(inner);
        int tinner = b.Typedef("inner_t", cinner);
        int anon = b.Struct("", 8, ("z", i32, 32));
        int canon = b.Volatile(anon);
        int outer = b.Struct("outer", 24, ("pre", i32, 0), ("sub", tinner, 64), ("", canon, 128));
        int touter = b.Typedef("outer_t", outer);
        var spec = BtfSpec.Parse(b.Build());
        Assert.Equal(96, spec.FindMember(touter, "sub.y").BitOffset);
        Assert.Equal(160, spec.FindMember(touter, "z").BitOffset); // anonymous member behind a qualifier
    }

    [Fact]
    public void OffsetsAddUpThroughNestedAnonymousAndNamedMembers()
    {
        // struct s {
        //     int pad;                                          // 0
        //     struct { int q; union { int z; int w; }; };       // 32: q at 32, z and w at 64
        //     struct { int a; struct { int b; union { int x; }; }; } named;   // 96: a 96, b 128, x 160
        // };
        var b = new BtfBlobBuilder();
        int i32 = b.Int("int", 4, BtfIntEncoding.Signed);
        int zw = b.Union("", 4, ("z", i32, 0), ("w", i32, 0));
        int qzw = b.Struct("", 8, ("q", i32, 0), ("", zw, 32));
        int x = b.Union("", 4, ("x", i32, 0));
        int bx = b.Struct("", 8, ("b", i32, 0), ("", x, 32));
        int named = b.Struct("", 12, ("a", i32, 0), ("", bx, 32));
        int s = b.Struct("s", 24, ("pad", i32, 0), ("", qzw, 32), ("named", named, 96));
        var spec = BtfSpec.Parse(b.Build());
        Assert.Equal(32, spec.FindMember(s, "q").BitOffset);
        Assert.Equal(64, spec.FindMember(s, "w").BitOffset);
        Assert.Equal(96, spec.FindMember(s, "named").BitOffset);
        Assert.Equal(128, spec.FindMember(s, "named.b").BitOffset);
        var loc = spec.FindMember(s, "named.x");
        Assert.Equal((160L, x, 0), (loc.BitOffset, loc.ContainerTypeId, loc.MemberIndex));
        Assert.False(spec.TryFindMember(s, "x", out _)); // x is inside the named member, not an anonymous one
    }

    [Fact]
    public void DeepAndSharedAnonymousNestingStaysLinear()
    {
        // 2000 levels of anonymous structs, each holding the next one twice: recursion or a naive walk would
        // overflow the stack or take 2^2000 steps.
        var b = new BtfBlobBuilder();
        int i32 = b.Int("int", 4, BtfIntEncoding.Signed);
        int current = b.Struct("", 4, ("leaf", i32, 0));
        for (int level = 0; level < 2000; level++)
            current = b.Struct("", 8, ("", current, 0), ("", current, 0));
        int top = b.Struct("top", 8, ("", current, 0));
        var spec = BtfSpec.Parse(b.Build());
        Assert.Equal(0, spec.FindMember(top, "leaf").BitOffset);
        Assert.False(spec.TryFindMember(top, "missing", out _));
    }

    [Fact]
    public void LongModifierChains()
    {
        var b = new BtfBlobBuilder();
        int current = b.Int("int", 4, BtfIntEncoding.Signed);
        for (int i = 0; i < 100_000; i++)
            current = i % 2 == 0 ? b.Const(current) : b.Typedef("t" + i, current);
        var spec = BtfSpec.Parse(b.Build());
        Assert.Equal(4, spec.SizeOf(current));
        Assert.Equal(1, spec.SkipModifiers(current));

        // The same chain written backwards: every reference points forward, resolved by the second pass.
        var r = new BtfBlobBuilder();
        const int n = 100_000;
        for (int i = 1; i <= n; i++)
            r.Const(i + 1);
        r.Int("int", 4, BtfIntEncoding.Signed);
        var rspec = BtfSpec.Parse(r.Build());
        Assert.Equal(4, rspec.SizeOf(1));
        Assert.Equal(n + 1, rspec.SkipQualifiers(1));
    }
}
