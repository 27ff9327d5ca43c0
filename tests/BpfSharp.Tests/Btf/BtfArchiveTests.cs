using BpfSharp.Btf;
using Xunit;

namespace BpfSharp.Tests.Btf;

/// <summary>Looking a kernel's BTF up by release in a BTFHub-style archive (<see cref="BtfSpec.LoadForRelease"/>).</summary>
public sealed class BtfArchiveTests
{
    [Fact]
    public void FindsTheReleaseAtAnyDepthAndNamesWhatIsMissingOrAmbiguous()
    {
        string dir = Directory.CreateTempSubdirectory("bpfsharp-btfw-archive-").FullName;
        try
        {
            var b = new BtfBuilder();
            b.AddStruct("task_struct", 8, [new("pid", b.AddInt("int", 4, BtfIntEncoding.Signed), 0, 0)]);
            string release = KernelConfig.KernelRelease;
            string file = Path.Combine(dir, "debian", "12", "x86_64", release + ".btf");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            b.WriteTo(file);
            File.WriteAllText(Path.Combine(dir, "debian", "12", "x86_64", "0.0.0-other.btf"), "not BTF");

            Assert.Equal(8, BtfSpec.LoadForRelease(dir).Find<BtfStruct>("task_struct").Size);
            Assert.Equal(8, BtfSpec.LoadForRelease(dir, release).Find<BtfStruct>("task_struct").Size);
            Assert.Throws<BpfFormatException>(() => BtfSpec.LoadForRelease(dir, "0.0.0-other"));
            var missing = Assert.Throws<FileNotFoundException>(() => BtfSpec.LoadForRelease(dir, "9.9.9-none"));
            Assert.Contains("9.9.9-none.btf", missing.Message);
            Assert.Throws<DirectoryNotFoundException>(() => BtfSpec.LoadForRelease(Path.Combine(dir, "nope")));
            Assert.Throws<ArgumentException>(() => BtfSpec.LoadForRelease(dir, "../x"));

            string twin = Path.Combine(dir, "ubuntu", "22.04", "x86_64", release + ".btf");
            Directory.CreateDirectory(Path.GetDirectoryName(twin)!);
            b.WriteTo(twin);
            var ambiguous = Assert.Throws<FileNotFoundException>(() => BtfSpec.LoadForRelease(dir));
            Assert.Contains("2 files", ambiguous.Message);
            Assert.Equal(8, BtfSpec.LoadForRelease(Path.Combine(dir, "ubuntu")).Find<BtfStruct>("task_struct").Size);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
