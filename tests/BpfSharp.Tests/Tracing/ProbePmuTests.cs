using System.Globalization;
using BpfSharp.Tests.Support;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Tracing;

public class ProbePmuTests
{
    private const string Devices = "/sys/bus/event_source/devices";

    [Fact]
    public void UprobePmuMatchesSysfs()
    {
        TestKernel.RequireRoot();
        string dir = Path.Combine(Devices, "uprobe");
        Assert.Equal(Directory.Exists(dir), ProbePmu.Uprobe.IsAvailable);
        Assert.SkipUnless(ProbePmu.Uprobe.IsAvailable, BpfFeatures.UprobePmu.MissingReason ?? "");
        Assert.True(BpfFeatures.UprobePmu.IsSupported);
        Assert.Equal(uint.Parse(File.ReadAllText(Path.Combine(dir, "type")).Trim(), CultureInfo.InvariantCulture), ProbePmu.Uprobe.Type);
        Assert.Equal("config:0", File.ReadAllText(Path.Combine(dir, "format", "retprobe")).Trim());
        Assert.Equal(0, ProbePmu.Uprobe.RetprobeBit);
        Assert.Equal(0UL, ProbePmu.Uprobe.GetConfig(retprobe: false));
        Assert.Equal(1UL, ProbePmu.Uprobe.GetConfig(retprobe: true));

        string refCtr = Path.Combine(dir, "format", "ref_ctr_offset");
        if (File.Exists(refCtr))
        {
            Assert.Equal("config:32-63", File.ReadAllText(refCtr).Trim());
            Assert.Equal(32, ProbePmu.Uprobe.ReferenceCounterShift);
            Assert.Equal(0x3010UL << 32 | 1, ProbePmu.Uprobe.GetConfig(retprobe: true, referenceCounterOffset: 0x3010));
        }
    }

    [Fact]
    public void KprobePmuAvailabilityMatchesSysfsWithAReason()
    {
        string dir = Path.Combine(Devices, "kprobe");
        Assert.Equal(Directory.Exists(dir), ProbePmu.Kprobe.IsAvailable);
        Assert.Equal(ProbePmu.Kprobe.IsAvailable, BpfFeatures.KprobePmu.IsSupported);
        if (ProbePmu.Kprobe.IsAvailable)
        {
            Assert.Equal(uint.Parse(File.ReadAllText(Path.Combine(dir, "type")).Trim(), CultureInfo.InvariantCulture), ProbePmu.Kprobe.Type);
            return;
        }
        // This kernel has no kprobe PMU: every use says so, naming the feature and where it looked.
        Assert.Contains(dir, BpfFeatures.KprobePmu.MissingReason, StringComparison.Ordinal);
        var e = Assert.Throws<BpfFeatureNotSupportedException>(() => ProbePmu.Kprobe.Type);
        Assert.Equal("kprobe PMU", e.Feature);
        // Named by what the probe found, not by a kernel version this kernel is newer than.
        Assert.Contains(dir, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("4.17", e.Message, StringComparison.Ordinal);
        Assert.Throws<BpfFeatureNotSupportedException>(() => ProbePmu.Kprobe.GetConfig(retprobe: true));
        Assert.Contains("not available", ProbePmu.Kprobe.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PmuIsReadFromItsDeviceDirectory()
    {
        string dir = Directory.CreateTempSubdirectory("bpfsharp-pmu").FullName;
        try
        {
            var missing = ProbePmu.FromDirectory("kprobe", Path.Combine(dir, "absent"));
            Assert.False(missing.IsAvailable);
            Assert.Contains("does not exist", missing.Feature.MissingReason, StringComparison.Ordinal);

            Directory.CreateDirectory(Path.Combine(dir, "format"));
            File.WriteAllText(Path.Combine(dir, "type"), "9\n");
            var noFormat = ProbePmu.FromDirectory("uprobe", dir);
            Assert.False(noFormat.IsAvailable);
            Assert.Contains("retprobe", noFormat.Feature.MissingReason, StringComparison.Ordinal);

            File.WriteAllText(Path.Combine(dir, "format", "retprobe"), "config:3\n");
            var old = ProbePmu.FromDirectory("uprobe", dir);
            Assert.Equal((9u, 3, -1), (old.Type, old.RetprobeBit, old.ReferenceCounterShift));
            Assert.Equal(8UL, old.GetConfig(retprobe: true));
            // A 4.17-4.19 uprobe PMU has no reference counter field.
            Assert.Throws<NotSupportedException>(() => old.GetConfig(retprobe: false, referenceCounterOffset: 0x10));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("config:0\n", 0)]
    [InlineData("config:32-63", 32)]
    [InlineData("config1:0", null)]
    [InlineData("config:x", null)]
    [InlineData("config:64", null)]
    [InlineData(null, null)]
    public void FormatFieldsGiveTheirFirstBit(string? format, int? bit) => Assert.Equal(bit, ProbePmu.ParseFormatBit(format));
}
