using BpfSharp.Btf;
using BpfSharp.Cli.Run;

namespace BpfSharp.Tests.Cli;

/// <summary>A record cut inside its last buffer: its strings, where the formatter calls that buffer text.</summary>
public sealed class TrailingStringsTests
{
    [Fact]
    public void ACutCharBufferIsItsStrings_ACutByteBufferIsNot()
    {
        var b = new BtfBuilder();
        int u32 = b.AddInt("unsigned int", 4);
        int ch = b.AddInt("char", 1, BtfIntEncoding.Signed);
        int u8 = b.AddTypedef("__u8", b.AddInt("unsigned char", 1));
        int args = b.AddStruct("args_event", 20, [new("pid", u32, 0, 0), new("args", b.AddArray(ch, u32, 16), 32, 0)]);
        int bytes = b.AddStruct("bytes_event", 20, [new("pid", u32, 0, 0), new("data", b.AddArray(u8, u32, 16), 32, 0)]);
        var spec = BtfSpec.Parse(b.Build());
        var formatter = new BtfValueFormatter(spec);
        byte[] record = [7, 0, 0, 0, (byte)'l', (byte)'s', 0, (byte)'-', (byte)'l', 0];

        var found = TrailingStrings.Find((BtfStruct)spec[args], record, formatter);
        Assert.NotNull(found);
        Assert.Equal("args", found.Value.Member);
        Assert.Equal(["ls", "-l"], found.Value.Strings);
        // __u8 data[16] is bytes (as the formatter writes it: numbers), not strings cut at each NUL.
        Assert.Null(TrailingStrings.Find((BtfStruct)spec[bytes], record, formatter));
        Assert.Equal("pid=7 data=[108 115 0 45 108 0 ...]", formatter.FormatText(bytes, record, braces: false));
    }
}
