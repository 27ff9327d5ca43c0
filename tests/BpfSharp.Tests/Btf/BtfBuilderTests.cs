using BpfSharp.Btf;
using BpfSharp.Interop;
using BpfSharp.Tests.Support;
using Xunit;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// The BTF writer: types built in code read back with every field; parse → write → parse keeps every type of the
/// kernel's BTF, every loaded module's split BTF and every fixture object's BTF; the kernel accepts what it writes;
/// bpftool prints the same dump for the original and the rewritten file.
/// </summary>
public sealed class BtfBuilderTests
{
    private const string VmlinuxPath = "/sys/kernel/btf/vmlinux";

    private static BtfSpec Kernel()
    {
        if (!File.Exists(VmlinuxPath)) Assert.Skip($"{VmlinuxPath} is missing (kernel without CONFIG_DEBUG_INFO_BTF)");
        return BtfSpec.LoadKernel();
    }

    /// <summary>One type of every kind, as a C program would have them.</summary>
    /// <param name="attributeTag">Whether the function's second decl tag is in the attribute form (kind_flag).</param>
    private static (BtfBuilder Builder, Dictionary<string, int> Ids) EveryKind(bool attributeTag = true)
    {
        var b = new BtfBuilder();
        var ids = new Dictionary<string, int>();
        int i32 = ids["int"] = b.AddInt("int", 4, BtfIntEncoding.Signed);
        int u8 = ids["u8"] = b.AddInt("unsigned char", 1);
        ids["bool"] = b.AddInt("_Bool", 1, BtfIntEncoding.Bool);
        int u64 = ids["u64"] = b.AddInt("unsigned long", 8);
        ids["double"] = b.AddFloat("double", 8);
        int node = b.Count; // refers to itself through the pointer added next
        ids["node"] = b.AddStruct("node", 24, [new("next", node + 1, 0, 0), new("value", i32, 64, 0), new("flags", u8, 96, 3), new("mode", u8, 99, 5), new("data", node + 2, 128, 0)]);
        ids["ptr"] = b.AddPointer(node);
        ids["array"] = b.AddArray(u8, i32, 8);
        ids["union"] = b.AddUnion("", 8, [new("i", i32, 0, 0), new("u", u64, 0, 0)]);
        ids["enum"] = b.AddEnum("state", 4, [new("OFF", -1), new("ON", 1)], isSigned: true);
        ids["enum64"] = b.AddEnum64("big", 8, [new("HUGE", unchecked((long)0xffff_ffff_0000_0001UL))]);
        ids["fwd"] = b.AddForward("opaque", isUnion: true);
        int typedef = ids["typedef"] = b.AddTypedef("node_t", node);
        ids["volatile"] = b.AddVolatile(i32);
        int constant = ids["const"] = b.AddConst(0);
        ids["restrict"] = b.AddRestrict(ids["ptr"]);
        ids["type_tag"] = b.AddTypeTag("user", constant);
        int proto = ids["proto"] = b.AddFuncProto(i32, [new("n", typedef), new("len", u64)], isVariadic: true);
        int func = ids["func"] = b.AddFunc("walk", proto, BtfLinkage.Global);
        ids["decl_tag"] = b.AddDeclTag("arg", func, 0);
        ids["decl_tag_attr"] = b.AddDeclTag("noinline", func, -1, isAttribute: attributeTag);
        int var = ids["var"] = b.AddVar("counter", i32, BtfLinkage.Global);
        ids["datasec"] = b.AddDataSec(".data", 4, [new(var, 0, 4)]);
        return (b, ids);
    }

    [Fact]
    public void TypesBuiltInCodeReadBackWithEveryField()
    {
        var (b, ids) = EveryKind();
        var spec = b.ToSpec();
        Assert.Equal(ids.Count + 1, spec.Count);
        var node = Assert.IsType<BtfStruct>(spec[ids["node"]]);
        Assert.True(node.HasBitfieldOffsets);
        Assert.Equal([("next", ids["ptr"], 0, 0), ("value", ids["int"], 64, 0), ("flags", ids["u8"], 96, 3), ("mode", ids["u8"], 99, 5), ("data", ids["array"], 128, 0)],
            node.Members.Select(m => (m.Name, m.TypeId, m.BitOffset, m.BitfieldSize)));
        Assert.Same(node, ((BtfPointer)spec[ids["ptr"]]).Target);
        Assert.Equal(24, spec.SizeOf(ids["typedef"]));
        var e = Assert.IsType<BtfEnum>(spec[ids["enum"]]);
        Assert.Equal((false, true, -1L), (e.Is64Bit, e.IsSigned, e.Values[0].Value));
        var e64 = Assert.IsType<BtfEnum>(spec[ids["enum64"]]);
        Assert.Equal((true, 0xffff_ffff_0000_0001UL), (e64.Is64Bit, e64.Values[0].UnsignedValue));
        Assert.True(Assert.IsType<BtfForward>(spec[ids["fwd"]]).IsUnion);
        Assert.Equal(ids["const"], Assert.IsType<BtfTypeTag>(spec[ids["type_tag"]]).TargetId);
        var proto = Assert.IsType<BtfFuncProto>(spec[ids["proto"]]);
        Assert.Equal((true, 2, "n", ids["typedef"]), (proto.IsVariadic, proto.Parameters.Length, proto.Parameters[0].Name, proto.Parameters[0].TypeId));
        var func = Assert.IsType<BtfFunc>(spec[ids["func"]]);
        Assert.Equal(("walk", BtfLinkage.Global), (func.Name, func.Linkage));
        var tag = Assert.IsType<BtfDeclTag>(spec[ids["decl_tag"]]);
        Assert.Equal(("arg", ids["func"], 0, false), (tag.Value, tag.TargetId, tag.ComponentIndex, tag.IsAttribute));
        Assert.True(Assert.IsType<BtfDeclTag>(spec[ids["decl_tag_attr"]]).IsAttribute);
        var sec = Assert.IsType<BtfDataSec>(spec[ids["datasec"]]);
        Assert.Equal(new BtfVarSecInfo(ids["var"], 0, 4), Assert.Single(sec.Variables));
    }

    [Fact]
    public void KernelLoadsTypesBuiltInCodeAndBpftoolPrintsThem()
    {
        Kernel();
        var (b, ids) = EveryKind();
        var blob = b.Build();
        try
        {
            using (BtfLoader.Load(blob, "test BTF")) { }
        }
        catch (BpfVerifierException e) when (e.Message.Contains($"[{ids["decl_tag_attr"]}] DECL_TAG noinline", StringComparison.Ordinal)
            && e.Message.Contains("Invalid btf_info kind_flag", StringComparison.Ordinal))
        {
            // Kernels before the attribute form of decl tags (6.1: kind_flag refused) refuse that one type, and
            // only that one: the same BTF with a plain tag in its place (same ids) must load.
            (b, ids) = EveryKind(attributeTag: false);
            blob = b.Build();
            using (BtfLoader.Load(blob, "test BTF without the attribute tag")) { }
        }

        var path = Path.Combine(Path.GetTempPath(), $"bpfsharp-btfw-{Environment.ProcessId}.btf");
        try
        {
            File.WriteAllBytes(path, blob);
            var dump = TestKernel.Run(TestKernel.RequireTool("bpftool"), "btf", "dump", "file", path);
            Assert.Contains($"[{ids["node"]}] STRUCT 'node' size=24 vlen=5", dump);
            Assert.Contains("'flags' type_id=2 bits_offset=96 bitfield_size=3", dump);
            Assert.Contains($"[{ids["enum"]}] ENUM 'state' encoding=SIGNED size=4 vlen=2", dump);
            Assert.Contains("'OFF' val=-1", dump);
            Assert.Contains($"[{ids["enum64"]}] ENUM64 'big' encoding=UNSIGNED size=8 vlen=1", dump);
            Assert.Contains($"[{ids["func"]}] FUNC 'walk' type_id={ids["proto"]} linkage=global", dump);
            Assert.Contains($"[{ids["decl_tag"]}] DECL_TAG 'arg' type_id={ids["func"]} component_idx=0", dump);
            Assert.Contains($"[{ids["type_tag"]}] TYPE_TAG 'user' type_id={ids["const"]}", dump);
            Assert.Contains($"[{ids["datasec"]}] DATASEC '.data' size=4 vlen=1", dump);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void StringsAreWrittenOnce()
    {
        var b = new BtfBuilder();
        int i = b.AddInt("int", 4, BtfIntEncoding.Signed);
        b.AddStruct("a", 4, [new("x", i, 0, 0)]);
        b.AddStruct("b", 4, [new("x", i, 0, 0)]);
        b.AddTypedef("a", i);
        var blob = b.Build();
        var spec = BtfSpec.Parse(blob);
        int strLen = BitConverter.ToInt32(blob, 20);
        Assert.Equal("\0int\0a\0x\0b\0".Length, strLen);
        Assert.Equal(["int", "a", "b", "a"], spec.Types.Select(t => t.Name));
    }

    [Fact]
    public void VmlinuxRoundTripsTypeForTypeAndBpftoolDumpsTheSame()
    {
        var kernel = Kernel();
        var written = BtfBuilder.From(kernel).Build();
        var reread = BtfSpec.Parse(written);
        BtfTypeText.AssertSameTypes(kernel, reread);
        // Already deduplicated by pahole: no string is written twice, so the section is no longer.
        Assert.True(written.Length <= new FileInfo(VmlinuxPath).Length, $"{written.Length} bytes written, vmlinux has {new FileInfo(VmlinuxPath).Length}");

        var path = Path.Combine(Path.GetTempPath(), $"bpfsharp-btfw-vmlinux-{Environment.ProcessId}.btf");
        try
        {
            File.WriteAllBytes(path, written);
            var bpftool = TestKernel.RequireTool("bpftool");
            Assert.Equal(TestKernel.Run(bpftool, "btf", "dump", "file", VmlinuxPath), TestKernel.Run(bpftool, "btf", "dump", "file", path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void KernelLoadsRewrittenVmlinux()
    {
        var kernel = Kernel();
        using (BtfLoader.Load(BtfBuilder.From(kernel).Build(), "rewritten vmlinux BTF")) { }
    }

    [Fact]
    public void ModuleSplitBtfRoundTripsOnVmlinux()
    {
        var kernel = Kernel();
        var modules = BtfSpec.GetKernelModuleNames();
        if (modules.Count == 0) Assert.Skip("no module exposes BTF");
        var bpftool = TestKernel.RequireTool("bpftool");
        var path = Path.Combine(Path.GetTempPath(), $"bpfsharp-btfw-module-{Environment.ProcessId}.btf");
        try
        {
            foreach (var module in modules.Take(8))
            {
                var spec = BtfSpec.LoadKernelModule(module);
                var builder = BtfBuilder.From(spec);
                Assert.Same(kernel, builder.Base);
                var written = builder.Build();
                BtfTypeText.AssertSameTypes(spec, BtfSpec.Parse(written, kernel));
                File.WriteAllBytes(path, written);
                Assert.Equal(TestKernel.Run(bpftool, "-B", VmlinuxPath, "btf", "dump", "file", Path.Combine(BtfSpec.KernelBtfDirectory, module)),
                    TestKernel.Run(bpftool, "-B", VmlinuxPath, "btf", "dump", "file", path));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<string> FixtureObjects()
    {
        var data = new TheoryData<string>();
        foreach (var dir in new[] { "Objects/Fixtures", "Skeleton/Fixtures" })
        {
            var full = Path.Combine(AppContext.BaseDirectory, dir);
            if (!Directory.Exists(full)) continue;
            foreach (var f in Directory.GetFiles(full, "*.bpf.o").Order(StringComparer.Ordinal))
                data.Add(Path.Combine(dir, Path.GetFileName(f)));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(FixtureObjects))]
    public void FixtureObjectBtfRoundTripsAndLoadsAsTheOriginalDoes(string fixture)
    {
        var image = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, fixture));
        var section = BpfSharp.Elf.ElfFile.Parse(image).FindSection(".BTF") ?? throw new InvalidOperationException($"{fixture} has no .BTF");
        var btf = BtfSpec.Parse(section.Data.Span);
        BtfTypeText.AssertSameTypes(btf, BtfBuilder.From(btf).ToSpec());
        // Keeping clang's string section (its line info points into it), the blob comes back byte for byte.
        Assert.Equal(section.Data.ToArray(), BtfBuilder.From(btf, keepStrings: true).Build());

        // What the loader hands the kernel, and the same rewritten: both loaded, or both refused with the same errno.
        Kernel();
        if (fixture.EndsWith("pinning_invalid.bpf.o", StringComparison.Ordinal)) return; // the object loader refuses it before its BTF
        var parser = new ObjectParser(image, Path.GetFileName(fixture));
        var fixedUp = BtfSpec.Parse(ObjectBtf.FixUp(btf, parser.Elf, parser.Externs));
        var rewritten = BtfBuilder.From(fixedUp).Build();
        BtfTypeText.AssertSameTypes(fixedUp, BtfSpec.Parse(rewritten));
        Assert.Equal(LoadErrno(fixedUp.Data.ToArray()), LoadErrno(rewritten));
    }

    private static Errno LoadErrno(byte[] blob)
    {
        try
        {
            using (BtfLoader.Load(blob, "fixture BTF")) return Errno.None;
        }
        catch (BpfException e)
        {
            return e.Errno;
        }
    }

    [Fact]
    public void IdenticalTypesMergeCyclesIncluded()
    {
        var b = new BtfBuilder();
        int i1 = b.AddInt("int", 4, BtfIntEncoding.Signed);
        // Two copies of struct list { struct list *next; int v; }, each pointing to itself.
        int l1 = b.AddStruct("list", 16, [new("next", 3, 0, 0), new("v", i1, 64, 0)]);
        int p1 = b.AddPointer(l1);
        int i2 = b.AddInt("int", 4, BtfIntEncoding.Signed);
        int l2 = b.AddStruct("list", 16, [new("next", 6, 0, 0), new("v", i2, 64, 0)]);
        int p2 = b.AddPointer(l2);
        // Same shape, another member name: kept apart, and so is the pointer to it.
        int l3 = b.AddStruct("list", 16, [new("nxt", 8, 0, 0), new("v", i1, 64, 0)]);
        int p3 = b.AddPointer(l3);
        int holder = b.AddStruct("holder", 24, [new("a", p1, 0, 0), new("b", p2, 64, 0), new("c", p3, 128, 0)]);

        var map = b.Deduplicate();
        Assert.Equal([0, 1, 2, 3, 1, 2, 3, 4, 5, 6], map);
        Assert.Equal(map[holder], b.Count - 1);
        var spec = b.ToSpec();
        Assert.Equal(7, spec.Count);
        var h = Assert.IsType<BtfStruct>(spec[map[holder]]);
        Assert.Equal([map[p1], map[p1], map[p3]], h.Members.Select(m => m.TypeId));
        Assert.Equal("nxt", ((BtfStruct)((BtfPointer)spec[map[p3]]).Target).Members[0].Name);
        Assert.Equal(map[l1], ((BtfPointer)spec[map[p2]]).TargetId);
        Assert.Equal((map[l1], map[i1]), (map[l2], map[i2]));
    }

    [Fact]
    public void SplitTypesIdenticalToBaseTypesBecomeThem()
    {
        var kernel = Kernel();
        var b = new BtfBuilder(kernel);
        int myInt = b.AddInt("int", 4, BtfIntEncoding.Signed);
        int myPtr = b.AddPointer(myInt);
        int own = b.AddStruct("bpfsharp_btfw_own", 8, [new("next", myPtr, 0, 0)]);
        var map = b.Deduplicate();

        int kernelInt = kernel.Types.OfType<BtfInt>().First(t => t.Name == "int").Id;
        Assert.Equal(kernelInt, map[myInt]);
        Assert.True(map[myPtr] < kernel.Count, "the pointer to int is the kernel's own");
        Assert.Equal(kernel.Count, map[own]);
        var spec = b.ToSpec();
        Assert.Equal(kernel.Count + 1, spec.Count);
        Assert.Equal(kernelInt, ((BtfPointer)spec[((BtfStruct)spec[map[own]]).Members[0].TypeId]).TargetId);
        // "next" is a member name the kernel has: only the struct's name is a string of the split blob's own.
        var blob = b.Build();
        Assert.Equal("bpfsharp_btfw_own\0".Length, BitConverter.ToInt32(blob, 20));

        var path = Path.Combine(Path.GetTempPath(), $"bpfsharp-btfw-split-{Environment.ProcessId}.btf");
        try
        {
            File.WriteAllBytes(path, blob);
            var dump = TestKernel.Run(TestKernel.RequireTool("bpftool"), "-B", VmlinuxPath, "btf", "dump", "file", path);
            Assert.Equal($"[{kernel.Count}] STRUCT 'bpfsharp_btfw_own' size=8 vlen=1\n\t'next' type_id={map[myPtr]} bits_offset=0\n", dump);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ACopyOfVmlinuxSplitOnVmlinuxMergesIntoItEntirely()
    {
        var kernel = Kernel();
        var b = new BtfBuilder(kernel);
        int shift = kernel.Count - 1;
        // Every kernel type again, its references moved to the copies: only structural identity can merge them.
        foreach (var t in kernel.Types) b.Add(t, id => id == 0 ? 0 : id + shift);
        var map = b.Deduplicate();
        Assert.Equal(kernel.Count, b.Count);
        for (int id = 1; id < kernel.Count; id++)
        {
            int merged = map[id + shift];
            if (merged != id && BtfTypeText.Describe(kernel[merged]) != BtfTypeText.Describe(kernel[id]))
                Assert.Fail($"copy of {kernel[id]} became {kernel[merged]}");
        }
    }

    [Fact]
    public void BadReferencesAndValuesAreRefusedWithTheTypeNamed()
    {
        var b = new BtfBuilder();
        b.AddTypedef("dangling", 5);
        var e = Assert.Throws<InvalidOperationException>(() => b.Build());
        Assert.Contains("type 1 (TYPEDEF 'dangling') refers to type 5", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BtfBuilder().AddEnum("e", 4, [new("TOO_BIG", 1L << 40)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BtfBuilder().AddInt("i", 3));
        Assert.Throws<ArgumentException>(() => new BtfBuilder().AddStruct("s", 4, Enumerable.Range(0, 70000).Select(i => new BtfMember("m", 0, 0, 0)).ToArray()));
        var nul = new BtfBuilder();
        nul.AddInt("a\0b", 4);
        Assert.Throws<ArgumentException>(() => nul.Build());
    }
}
