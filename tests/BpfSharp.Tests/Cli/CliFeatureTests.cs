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
        Assert.Equal(BpfFeatures.ProgramType(BpfProgramType.Xdp).IsSupported, f.GetProperty("program_types").GetProperty("xdp").GetBoolean());
        Assert.Equal(BpfFeatures.MapType(BpfMapType.RingBuf).IsSupported, f.GetProperty("map_types").GetProperty("ringbuf").GetBoolean());
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
