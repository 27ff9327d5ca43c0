using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary><c>bpfsharp feature</c>: the library's probes, as the tool reports them.</summary>
public sealed class CliFeatureTests
{
    [Fact]
    public void JsonAgreesWithTheLibrarysProbes()
    {
        TestKernel.RequireRoot();
        var f = BpfSharpTool.Ok("feature", "--json").Json;
        Assert.Equal(BpfFeatures.ProgramType(BpfProgramType.Xdp).IsSupported, f.GetProperty("program_types").GetProperty("have_xdp_prog_type").GetBoolean());
        Assert.Equal(BpfFeatures.MapType(BpfMapType.RingBuf).IsSupported, f.GetProperty("map_types").GetProperty("have_ringbuf_map_type").GetBoolean());
        Assert.Equal(BpfFeatures.BpfLinks.IsSupported, f.GetProperty("attach").GetProperty("bpf_links").GetBoolean());
        Assert.Equal(BpfFeatures.Fentry.IsSupported, f.GetProperty("attach").GetProperty("fentry").GetBoolean());
        Assert.Equal(BpfFeatures.UprobeSession.IsSupported, f.GetProperty("attach").GetProperty("uprobe_session").GetBoolean());
        Assert.Equal(BpfFeatures.KprobeSession.IsSupported, f.GetProperty("attach").GetProperty("kprobe_session").GetBoolean());
        Assert.Equal(BpfFeatures.Streams.IsSupported, f.GetProperty("programs").GetProperty("streams").GetBoolean());
        Assert.Equal(BpfFeatures.StreamPrinting.IsSupported, f.GetProperty("programs").GetProperty("stream_printing").GetBoolean());
        Assert.Equal(BpfFeatures.Tokens.IsSupported, f.GetProperty("programs").GetProperty("bpf_token").GetBoolean());
        Assert.Equal(BpfFeatures.BtfEnum64.IsSupported, f.GetProperty("btf").GetProperty("enum64").GetBoolean());
        Assert.Equal(BpfFeatures.BtfDeclTag.IsSupported, f.GetProperty("btf").GetProperty("decl_tag").GetBoolean());
        Assert.Equal(9, f.GetProperty("btf").EnumerateObject().Count());
    }

    /// <summary>Program and map types under bpftool's keys, with bpftool's answers; reasons beside what is missing.</summary>
    [Fact]
    public void ProgramAndMapTypesAgreeWithBpftoolsProbe()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        var theirs = System.Text.Json.JsonDocument.Parse(TestKernel.Run(bpftool, "-j", "feature", "probe", "kernel")).RootElement;
        var ours = BpfSharpTool.Ok("-j", "feature").Json;
        int compared = 0;
        foreach (var group in new[] { "program_types", "map_types" })
        {
            foreach (var p in theirs.GetProperty(group).EnumerateObject())
            {
                Assert.True(ours.GetProperty(group).TryGetProperty(p.Name, out var mine), $"bpfsharp's {group} has no {p.Name}");
                // bpftool 7.1 (libbpf 1.1) probes the tracing type by loading an fentry program: a kernel that
                // refuses fentry (this host's) is reported without the type, though its iterators load.
                bool fentryProbe = p.Name == "have_tracing_prog_type" && !BpfFeatures.Fentry.IsSupported && !p.Value.GetBoolean();
                if (!fentryProbe)
                    Assert.True(p.Value.GetBoolean() == mine.GetBoolean(), $"{p.Name}: bpftool {p.Value}, bpfsharp {mine}");
                if (!mine.GetBoolean()) Assert.False(string.IsNullOrEmpty(ours.GetProperty(group).GetProperty(p.Name + "_reason").GetString()));
                compared++;
            }
        }
        Assert.True(compared > 50, $"{compared} keys compared");
    }

    [Fact]
    public void TextSaysWhyAFeatureIsMissing()
    {
        TestKernel.RequireRoot();
        var text = BpfSharpTool.Ok("feature").Stdout;
        Assert.Contains("program types:", text);
        Assert.Contains("map types:", text);
        if (!BpfFeatures.Fentry.IsSupported)
            Assert.Contains(text.Split('\n'), l => l.Contains("fentry") && l.Contains(BpfFeatures.Fentry.MissingReason!));
    }
}
