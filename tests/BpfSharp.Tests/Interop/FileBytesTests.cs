using System.Diagnostics;
using BpfSharp.Btf;
using BpfSharp.Elf;

namespace BpfSharp.Tests.Interop;

/// <summary>
/// Files given by path to the parsers (an object, an executable for uprobes, a BTF file): only regular files are
/// read, so a FIFO (which would block forever) or a device such as /dev/zero (which never ends) is a format error
/// at once, never a hang or an exhausted memory.
/// </summary>
public sealed class FileBytesTests
{
    public static TheoryData<string> Readers() => ["elf", "object", "btf"];

    private static void Read(string reader, string path)
    {
        switch (reader)
        {
            case "elf": ElfFile.Open(path); break;
            case "object": BpfObject.Open(path).Dispose(); break;
            default: BtfSpec.Load(path); break;
        }
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void ADeviceIsRefusedAtOnce(string reader)
    {
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<BpfFormatException>(() => Read(reader, "/dev/zero"));
        Assert.Contains("/dev/zero is not a regular file", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2));
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task AFifoIsRefusedWithoutBlocking(string reader)
    {
        string dir = Directory.CreateTempSubdirectory($"bpfsharp-fifo-{Environment.ProcessId}-").FullName;
        try
        {
            string fifo = Path.Combine(dir, "fifo");
            using (var mk = Process.Start("mkfifo", fifo)) mk.WaitForExit();
            var read = Task.Run(() => Assert.Throws<BpfFormatException>(() => Read(reader, fifo)), TestContext.Current.CancellationToken);
            var e = await read.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken); // TimeoutException: it blocked
            Assert.Contains("is not a regular file", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AMissingFileIsFileNotFound() =>
        Assert.Throws<FileNotFoundException>(() => ElfFile.Open(Path.Combine(Path.GetTempPath(), $"bpfsharp-missing-{Guid.NewGuid():N}")));
}
