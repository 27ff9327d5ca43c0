using System.Buffers.Binary;
using BpfSharp.Btf;
using BpfSharp.Interop;
using BpfSharp.Tests.Objects;
using BpfSharp.Tests.Support;
using Xunit;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// BTF rewritten for a kernel that lacks some kinds: the probes against the kernel's own BTF, every rewrite
/// loaded by the kernel with type ids unchanged, and an object using every kind (btf_kinds.bpf.c) loaded and run
/// with the probes' answers forced to "missing", the kernel's copy of its BTF read back.
/// </summary>
public sealed class BtfSanitizerTests
{
    private static readonly BtfKindSupport[] OneKindMissing =
    [
        BtfKindSupport.Everything with { DeclTag = false },
        BtfKindSupport.Everything with { TypeTag = false },
        BtfKindSupport.Everything with { Enum64 = false },
        BtfKindSupport.Everything with { Float = false },
        BtfKindSupport.Everything with { GlobalFunc = false },
        BtfKindSupport.Everything with { Func = false, GlobalFunc = false },
        BtfKindSupport.Everything with { DataSec = false, QuestionMarkDataSec = false },
        BtfKindSupport.Everything with { QuestionMarkDataSec = false },
        BtfKindSupport.Nothing,
    ];

    public static TheoryData<int> Cases() => new(Enumerable.Range(0, OneKindMissing.Length));

    [Fact]
    public void ProbesFindEveryKindTheKernelsOwnBtfUses()
    {
        TestKernel.RequireRoot();
        var kernel = BtfSpec.LoadKernel();
        // The kernel loaded its own BTF, so every kind in it is one it takes.
        var kinds = kernel.Types.Select(t => t.Kind).ToHashSet();
        Assert.True(BpfFeatures.BtfLoad.IsSupported, BpfFeatures.BtfLoad.MissingReason);
        void Expect(BtfKind kind, BpfFeature feature)
        {
            if (kinds.Contains(kind)) Assert.True(feature.IsSupported, $"{kind} is in vmlinux but {feature}");
        }
        Expect(BtfKind.Func, BpfFeatures.BtfFunc);
        Expect(BtfKind.DataSec, BpfFeatures.BtfDataSec);
        Expect(BtfKind.Float, BpfFeatures.BtfFloat);
        Expect(BtfKind.DeclTag, BpfFeatures.BtfDeclTag);
        Expect(BtfKind.TypeTag, BpfFeatures.BtfTypeTag);
        Expect(BtfKind.Enum64, BpfFeatures.BtfEnum64);
        if (kernel.Types.OfType<BtfFunc>().Any(f => f.Linkage == BtfLinkage.Global)) Assert.True(BpfFeatures.BtfGlobalFunc.IsSupported);
        Assert.Equal(BtfKindSupport.Probe(), new BtfKindSupport(BpfFeatures.BtfFunc.IsSupported, BpfFeatures.BtfGlobalFunc.IsSupported,
            BpfFeatures.BtfDataSec.IsSupported, BpfFeatures.BtfQuestionMarkDataSec.IsSupported, BpfFeatures.BtfFloat.IsSupported,
            BpfFeatures.BtfDeclTag.IsSupported, BpfFeatures.BtfTypeTag.IsSupported, BpfFeatures.BtfEnum64.IsSupported));
    }

    /// <summary>Every kind the sanitiser rewrites, one type each.</summary>
    private static (byte[] Blob, Dictionary<string, int> Ids) EveryKind()
    {
        var b = new BtfBuilder();
        var ids = new Dictionary<string, int>();
        int i32 = ids["int"] = b.AddInt("int", 4, BtfIntEncoding.Signed);
        int f = ids["float"] = b.AddFloat("float", 4);
        int e64 = ids["enum64"] = b.AddEnum64("wide", 8, [new("WIDE_SMALL", 1), new("WIDE_BIG", 1L << 32)]);
        int e = ids["enum"] = b.AddEnum("signed_enum", 4, [new("MINUS", -1), new("PLUS", 1)], isSigned: true);
        int tag = ids["type_tag"] = b.AddTypeTag("user", i32);
        int ptr = ids["ptr"] = b.AddPointer(tag);
        int rec = ids["struct"] = b.AddStruct("record", 32, [new("ratio", f, 0, 0), new("value", i32, 32, 0), new("kind", e64, 64, 0), new("where", ptr, 128, 0), new("sign", e, 192, 0)]);
        ids["member_tag"] = b.AddDeclTag("member_tag", rec, 1);
        int proto = ids["proto"] = b.AddFuncProto(i32, [new("x", i32), new("y", i32)]);
        int func = ids["func"] = b.AddFunc("next", proto, BtfLinkage.Global);
        // A function pointer's prototype, with an unnamed parameter (which an ENUM's enumerator cannot be).
        ids["callback"] = b.AddPointer(b.AddFuncProto(0, [new("", i32)]));
        ids["func_tag"] = b.AddDeclTag("func_tag", func);
        int var = ids["var"] = b.AddVar("counter", i32);
        int opt = ids["opt_var"] = b.AddVar("optional", rec);
        ids["datasec"] = b.AddDataSec(".data", 4, [new(var, 0, 4)]);
        ids["qmark_datasec"] = b.AddDataSec("?.data.opt", 32, [new(opt, 0, 32)]);
        return (b.Build(), ids);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RewrittenBtfKeepsIdsAndLayoutsAndTheKernelLoadsIt(int index)
    {
        TestKernel.RequireRoot();
        // The kinds forced missing, and those this kernel lacks on its own (6.1 has no '?' DATASEC names): the
        // result must load here.
        var support = Within(OneKindMissing[index], BtfKindSupport.Probe());
        var (blob, ids) = EveryKind();
        var original = BtfSpec.Parse(blob);
        var rewritten = BtfSpec.Parse(BtfSanitizer.Sanitize(blob, support));
        // String offsets (an object's line info) still name the same strings.
        Assert.True(rewritten.OwnStrings.StartsWith(original.OwnStrings), "the string section is not kept");

        // Every type keeps its id, every type with a layout its size; what the kernel lacks is gone.
        for (int id = 1; id < original.Count; id++)
        {
            if (original[id] is not (BtfVar or BtfDeclTag or BtfFunc or BtfFuncProto or BtfDataSec))
                Assert.Equal(original.TryGetSize(id, out int a) ? a : -1, rewritten.TryGetSize(id, out int b) ? b : -1);
            var t = rewritten[id];
            Assert.False(!support.DeclTag && t is BtfDeclTag, t.ToString());
            Assert.False(t is BtfDeclTag { Target: not (BtfComposite or BtfVar or BtfFunc or BtfTypedef) }, $"{t} tags {(t as BtfDeclTag)?.Target}");
            Assert.False(!support.TypeTag && t is BtfTypeTag, t.ToString());
            Assert.False(!support.Enum64 && t is BtfEnum { Is64Bit: true } or BtfEnum { IsSigned: true }, t.ToString());
            Assert.False(!support.Float && t is BtfFloat, t.ToString());
            Assert.False(!support.Func && t is BtfFunc or BtfFuncProto, t.ToString());
            Assert.False(!support.GlobalFunc && t is BtfFunc { Linkage: BtfLinkage.Global }, t.ToString());
            Assert.False(!support.DataSec && t is BtfVar or BtfDataSec, t.ToString());
            Assert.False(!support.QuestionMarkDataSec && t.Name.StartsWith('?'), t.ToString());
        }
        var record = Assert.IsType<BtfStruct>(rewritten[ids["struct"]]);
        Assert.Equal(((BtfStruct)original[ids["struct"]]).Members.Select(m => (m.Name, m.TypeId, m.BitOffset)), record.Members.Select(m => (m.Name, m.TypeId, m.BitOffset)));
        if (!support.Enum64)
        {
            var union = Assert.IsType<BtfUnion>(rewritten[ids["enum64"]]);
            Assert.Equal(["WIDE_SMALL", "WIDE_BIG"], union.Members.Select(m => m.Name));
            Assert.Equal("enum64_placeholder", rewritten[union.Members[0].TypeId].Name);
            Assert.Equal([uint.MaxValue, 1u], ((BtfEnum)rewritten[ids["enum"]]).Values.Select(v => (uint)v.Value));
        }
        if (!support.DataSec)
            Assert.Equal(["counter"], Assert.IsType<BtfStruct>(rewritten[ids["datasec"]]).Members.Select(m => m.Name));
        if (support.DataSec && !support.QuestionMarkDataSec)
            Assert.Equal("_.data.opt", rewritten[ids["qmark_datasec"]].Name);

        using (BtfLoader.Load(rewritten.Data, "sanitised BTF")) { }
    }

    private static BtfKindSupport Within(BtfKindSupport forced, BtfKindSupport kernel) => new(
        forced.Func && kernel.Func, forced.GlobalFunc && kernel.GlobalFunc, forced.DataSec && kernel.DataSec,
        forced.QuestionMarkDataSec && kernel.QuestionMarkDataSec, forced.Float && kernel.Float,
        forced.DeclTag && kernel.DeclTag, forced.TypeTag && kernel.TypeTag, forced.Enum64 && kernel.Enum64);

    [Fact]
    public void NothingToRewriteLeavesTheBlobAsItIs()
    {
        var b = new BtfBuilder();
        b.AddStruct("plain", 4, [new("x", b.AddInt("int", 4, BtfIntEncoding.Signed), 0, 0)]);
        var blob = b.Build();
        Assert.Same(blob, BtfSanitizer.Sanitize(blob, BtfKindSupport.Nothing));
        var (every, _) = EveryKind();
        Assert.Same(every, BtfSanitizer.Sanitize(every, BtfKindSupport.Everything));

        // A blob this reader refuses (DATASEC entries out of offset order) goes to the kernel as it is, to be judged there.
        var unordered = new BtfBuilder();
        int i = unordered.AddInt("int", 4, BtfIntEncoding.Signed);
        int a = unordered.AddVar("a", i), c = unordered.AddVar("c", i);
        unordered.AddDataSec(".data", 8, [new(a, 4, 4), new(c, 0, 4)]);
        unordered.AddFloat("float", 4);
        var refused = unordered.Build();
        Assert.Throws<BpfFormatException>(() => BtfSpec.Parse(refused));
        Assert.Same(refused, BtfSanitizer.Sanitize(refused, BtfKindSupport.Nothing));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ObjectWithEveryKindLoadsAndRunsWithKindsMissing(int index)
    {
        TestKernel.RequireRoot();
        var support = OneKindMissing[index];
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("btf_kinds.bpf.o"), new BpfObjectOptions { BtfKindSupport = support });
        obj.Load();
        var local = obj.Btf!;

        Assert.Equal(2u, obj.Programs["kinds"].Program!.TestRun(new byte[64]));
        Assert.Equal(2u, obj.Programs["kinds"].Program!.TestRun(new byte[64]));
        var records = obj.Maps["records"].Map!;
        var value = new byte[24];
        records.Lookup(new byte[4], value);
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(value.AsSpan(4)));
        Assert.Equal(1UL << 32, BinaryPrimitives.ReadUInt64LittleEndian(value.AsSpan(8)));
        var counter = obj.Variables["counter"];
        var bss = new byte[counter.Map.ValueSize];
        counter.Map.Map!.Lookup(new byte[4], bss);
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bss.AsSpan(counter.Offset)));

        // The BTF the kernel holds: the map's value type is still 'record' at its id, and the missing kinds are gone.
        var info = records.GetInfo();
        Assert.NotEqual(0u, info.BtfId);
        var loaded = BtfSpec.LoadFromKernelId(info.BtfId);
        Assert.Equal(local.Find<BtfStruct>("record").Id, (int)info.BtfValueTypeId);
        Assert.Equal("record", loaded[(int)info.BtfValueTypeId].Name);
        var kinds = loaded.Types.Select(t => t.Kind).ToHashSet();
        // Without DATASEC, the tag on the variable goes with it; the one on the member stays.
        Assert.Equal(support.DeclTag, kinds.Contains(BtfKind.DeclTag));
        Assert.Equal(support.DeclTag && support.DataSec, loaded.Types.OfType<BtfDeclTag>().Any(t => t.Value == "var_tag"));
        Assert.Equal(support.TypeTag, kinds.Contains(BtfKind.TypeTag));
        Assert.Equal(support.Enum64, kinds.Contains(BtfKind.Enum64));
        Assert.Equal(support.Float, kinds.Contains(BtfKind.Float));
        Assert.Equal(support.Func, kinds.Contains(BtfKind.Func));
        Assert.Equal(support.DataSec, kinds.Contains(BtfKind.DataSec));
        Assert.Equal(support.GlobalFunc, loaded.Types.OfType<BtfFunc>().Any(f => f.Linkage == BtfLinkage.Global));
        // Func info goes with the FUNC types.
        Assert.Equal(support.Func, obj.Programs["kinds"].Program!.GetInfo().BtfId != 0);
    }
}
