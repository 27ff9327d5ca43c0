using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BpfSharp.Btf;
using B = BpfSharp.Tests.Btf.BtfBlobBuilder;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// Issue 17's reproducers (Btf/Fixtures): each is refused where it is read with an error that names the type and
/// the rule, or is accepted and then formatted within bounds of time and output. Nothing else comes out.
/// </summary>
public sealed class BtfBadInputTests
{
    public static TheoryData<string> BtfFixtures() => [.. BadInputReproducers.Btf().Select(r => r.Name)];

    public static TheoryData<string> ObjectFixtures() => [.. BadInputReproducers.Objects().Select(r => r.Name)];

    /// <summary>Parses, then writes C and formats a value of every type (of the first 200) from a few bytes.</summary>
    internal static BtfSpec? ParseAndFormat(byte[] blob, BtfSpec? baseSpec = null, ReadOnlySpan<byte> data = default, int typeLimit = 200)
    {
        BtfSpec spec;
        try { spec = BtfSpec.Parse(blob, baseSpec); }
        catch (BpfFormatException e) { Assert.Equal("BTF", e.Operation); return null; }
        try { _ = BtfCFormatter.Format(spec); }
        catch (BpfFormatException e) { Assert.Equal("BTF", e.Operation); }
        var formatter = new BtfValueFormatter(spec);
        int end = (int)Math.Min(spec.Count, (long)spec.FirstTypeId + typeLimit);
        for (int id = spec.FirstTypeId; id < end; id++)
        {
            // A value too deep to format is a documented refusal; nothing else may come out.
            try { _ = formatter.FormatText(id, data); }
            catch (BpfFormatException e) { Assert.Contains("too deep", e.Message); }
            using var w = new Utf8JsonWriter(Stream.Null);
            try { formatter.WriteJson(w, id, data); }
            catch (BpfFormatException e) { Assert.Contains("deep", e.Message); }
        }
        return spec;
    }

    private static T Timed<T>(string what, Func<T> body, double seconds = 5)
    {
        var clock = Stopwatch.StartNew();
        var result = body();
        Assert.True(clock.Elapsed.TotalSeconds < seconds, $"{what} took {clock.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    private static string RefusedWith(string fixture) =>
        Assert.Throws<BpfFormatException>(() => BtfSpec.Parse(BadInputReproducers.Read(fixture))).Message;

    [Fact]
    public void FixturesAreWhatTheReproducersBuild()
    {
        string? regenerate = Environment.GetEnvironmentVariable("BPFSHARP_REGENERATE_FIXTURES") == "1"
            ? Path.Combine(AppContext.BaseDirectory, "../../../Btf/Fixtures") : null;
        foreach (var (name, bytes) in BadInputReproducers.Btf().Concat(BadInputReproducers.Objects()))
        {
            if (regenerate is not null) BadInputReproducers.Save(name, bytes, regenerate);
            else Assert.True(bytes.AsSpan().SequenceEqual(BadInputReproducers.Read(name)), $"{name} differs from what BadInputReproducers builds");
        }
    }

    [Theory]
    [MemberData(nameof(BtfFixtures))]
    public void EveryBtfReproducerIsRefusedOrFormattedInBoundedTime(string fixture)
    {
        var blob = BadInputReproducers.Read(fixture);
        Timed(fixture, () => ParseAndFormat(blob, data: [1, 2, 3, 4]));
    }

    [Theory]
    [MemberData(nameof(ObjectFixtures))]
    public void EveryObjectReproducerIsAFormatError(string fixture)
    {
        var e = Assert.Throws<BpfFormatException>(() => BpfObject.Open(BadInputReproducers.Read(fixture), "bad"));
        // Named by the check that refused it, never by the catch-all (a .NET message such as "An item with the same key").
        Assert.Null(e.InnerException);
    }

    [Theory]
    [InlineData("ptr_const_ptr_cycle.btf", "pointers and modifiers only")]
    [InlineData("typedef_ptr_cycle.btf", "pointers and modifiers only")]
    [InlineData("member_offset_past_end.btf", "type 2 (STRUCT): member 0 (32 bits at bit offset 64) does not fit")]
    [InlineData("member_larger_than_union.btf", "type 2 (UNION): member 0 (64 bits at bit offset 0) does not fit")]
    [InlineData("union_member_off_zero.btf", "type 2 (UNION): member 0 is at bit offset 32, not 0")]
    [InlineData("struct_members_out_of_order.btf", "type 2 (STRUCT): member 1 at bit offset 0 comes before")]
    [InlineData("datasec_var_past_end.btf", "type 3 (DATASEC): entry 0 at offset 8 (+4) runs past")]
    public void ParseNamesTheTypeAndTheRule(string fixture, string message) =>
        Assert.Contains(message, RefusedWith(fixture));

    [Theory]
    [InlineData("ptr_proto_cycle.btf", "nests more than 2048")]
    [InlineData("pointer_chain_100000.btf.gz", "nests more than 2048")]
    [InlineData("nested_anon_members_100000.btf.gz", "nests more than 2048")]
    [InlineData("anon_struct_dag.btf", "characters")]
    [InlineData("proto_dag.btf", "characters")]
    public void CThatCannotBeWrittenIsANamedError(string fixture, string message)
    {
        var spec = BtfSpec.Parse(BadInputReproducers.Read(fixture));
        var e = Timed(fixture, () => Assert.Throws<BpfFormatException>(() => BtfCFormatter.Format(spec)));
        Assert.Matches(@"^type \d+ \(", e.Message[(e.Message.IndexOf(':') + 2)..]);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void DeepValuesAreANamedErrorNotAStackOverflow()
    {
        // Accepted, as the kernel accepts it: the walks bound themselves.
        var spec = BtfSpec.Parse(BadInputReproducers.Read("nested_anon_members_100000.btf.gz"));
        var f = new BtfValueFormatter(spec);
        int outer = spec.FindByName("outer", BtfKind.Struct).Id;
        var e = Assert.Throws<BpfFormatException>(() => f.FormatText(outer, [1, 0, 0, 0]));
        Assert.Contains($"nests more than {BtfValueFormatter.MaxDepth} steps deep", e.Message);
        Assert.Throws<BpfFormatException>(() => Json(f, outer, [1, 0, 0, 0]));
        // Within the bound, the value is there.
        Assert.Equal("{=1}", f.FormatText(spec.Count - 101, [1, 0, 0, 0])); // 100 levels: flattened, as C reads them
    }

    [Fact]
    public void HugeStructPaddingIsOneArray()
    {
        var spec = BtfSpec.Parse(BadInputReproducers.Read("struct_size_0x7fffffff.btf"));
        string c = Timed("C", () => BtfCFormatter.Format(spec));
        Assert.Contains("char __pad_4[268435436];", c);
        Assert.Contains("char __pad_268435444[1879048203];", c);
        Assert.True(c.Length < 2000, $"{c.Length} characters");
        var formatter = new BtfValueFormatter(spec);
        // last starts 2 GiB past the 4 bytes given: not written, as array elements past the data are not.
        Assert.Equal("{first=67305985}", formatter.FormatText(spec.FindByName("huge", BtfKind.Struct).Id, [1, 2, 3, 4]));
    }

    [Fact]
    public void TwelveThousandEnumeratorsOfOneNameAreClaimedInLinearTime()
    {
        var spec = BtfSpec.Parse(BadInputReproducers.Read("enum_12000_same_name.btf"));
        string c = Timed("C", () => BtfCFormatter.Format(spec), seconds: 2);
        Assert.Contains("\tA = 0,\n", c);
        Assert.Contains("\tA___12000 = 11999,\n", c);
    }

    [Fact]
    public void ArraysAreFormattedUpToTheDataPresent()
    {
        var big = BtfSpec.Parse(BadInputReproducers.Read("int_array_1gib.btf"));
        var f = new BtfValueFormatter(big);
        int id = big.FindByName("big", BtfKind.Struct).Id;
        Assert.Equal("{values=[67305985 8 ...]}", f.FormatText(id, [1, 2, 3, 4, 8, 0, 0, 0]));
        Assert.Equal("""{"values":[67305985,"..."]}""", Json(f, id, [1, 2, 3, 4]));

        var empty = BtfSpec.Parse(BadInputReproducers.Read("array_of_empty_struct.btf"));
        var g = new BtfValueFormatter(empty);
        string text = Timed("text", () => g.FormatText(empty.FindByName("holder", BtfKind.Struct).Id, [0, 0, 0, 0]), seconds: 2);
        Assert.EndsWith("{} ...]}", text);
        Assert.Equal(BtfValueFormatter.MinValueBudget - 2, text.Split("{}").Length - 1); // the holder and the array were one value each
    }

    [Fact]
    public void ALongEnumIsLookedUpInConstantTime()
    {
        // 65,535 enumerators (the most a vlen holds), the value of the last one 65,535 times: linear search per value
        // would be 4·10⁹ comparisons.
        var b = new B();
        int e = b.Enum("big", 4, false, [.. Enumerable.Range(0, 0xffff).Select(i => ($"V{i}", (long)i)), ]);
        int arr = b.Array(e, e, 0xffff);
        var f = new BtfValueFormatter(BtfSpec.Parse(b.Build()));
        var data = new byte[0xffff * 4];
        for (int i = 0; i < 0xffff; i++) BitConverter.TryWriteBytes(data.AsSpan(i * 4), 0xfffe);
        string text = Timed("enum array", () => f.FormatText(arr, data), seconds: 2);
        Assert.StartsWith("[V65534 V65534 ", text);
        Assert.Equal("[V0 V1 V2 V3 ...]", f.FormatText(arr, [0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]));
    }

    private static string Json(BtfValueFormatter f, int id, byte[] data, int maxDepth = 0)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { MaxDepth = maxDepth }))
            f.WriteJson(w, id, data);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Theory]
    [InlineData(double.NaN, "nan", "\"NaN\"")]
    [InlineData(double.PositiveInfinity, "inf", "\"Infinity\"")]
    [InlineData(double.NegativeInfinity, "-inf", "\"-Infinity\"")]
    [InlineData(1.5, "1.5", "1.5")]
    public void NaNAndInfinitiesAreWrittenAsCAndJsonUsersExpect(double value, string text, string json)
    {
        var b = new B();
        int dbl = b.Float("double", 8);
        int flt = b.Float("float", 4);
        int s = b.Struct("s", 16, ("d", dbl, 0), ("f", flt, 64));
        var f = new BtfValueFormatter(BtfSpec.Parse(b.Build()));
        var data = new byte[16];
        BitConverter.TryWriteBytes(data, value);
        BitConverter.TryWriteBytes(data.AsSpan(8), (float)value);
        Assert.Equal($"{{d={text} f={text}}}", f.FormatText(s, data));
        Assert.Equal($$"""{"d":{{json}},"f":{{json}}}""", Json(f, s, data));
    }

    [Fact]
    public void JsonDeeperThanTheWriterAllowsIsANamedError()
    {
        var b = new B();
        int id = b.Int("int", 4);
        for (int i = 0; i < 100; i++) id = b.Struct($"s{i}", 4, ("m", id, 0));
        var f = new BtfValueFormatter(BtfSpec.Parse(b.Build()));
        var e = Assert.Throws<BpfFormatException>(() => Json(f, id, [1, 0, 0, 0], maxDepth: 64));
        Assert.Contains("deeper than the JSON writer's 64 levels", e.Message);
        Assert.Contains("\"m\":{\"m\":", Json(f, id, [1, 0, 0, 0])); // the default 1000 levels hold it
    }

    [Theory]
    [InlineData("ext_func_info_type_past_end.o", "func info 0 of section", "type 65535 is not a FUNC")]
    [InlineData("ext_func_info_insn_past_section.o", "func info 0 of section", "instruction offset 1048576")]
    [InlineData("ext_core_access_string_past_end.o", "CO-RE relocation 0 of section", "access string offset 268435455")]
    [InlineData("ext_core_type_past_end.o", "CO-RE relocation 0 of section", "type 65535 is past the last type id")]
    [InlineData("ext_core_type_is_func.o", "CO-RE relocation 0 of section", "which CO-RE cannot relocate")]
    [InlineData("duplicate_program_names.o", "two programs are named", "")]
    [InlineData("duplicate_extern_names.o", "two undefined symbols are named", "")]
    [InlineData("duplicate_map_names.o", "two maps are named hash_map", "")]
    [InlineData("datasec_var_of_unsized_type.o", "of .data has type", "FUNC_PROTO), which has no size")]
    public void ObjectErrorsNameTheRecordAndTheRule(string fixture, string where, string rule)
    {
        var e = Assert.Throws<BpfFormatException>(() => BpfObject.Open(BadInputReproducers.Read(fixture), "bad"));
        Assert.Contains(where, e.Message);
        Assert.Contains(rule, e.Message);
    }
}
