using System.Diagnostics;
using System.Text;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Tracing;

/// <summary>
/// The text the kernel hands over (kallsyms, a kernel .config, tracefs probe definitions), mutated byte by byte,
/// cut, and given absurd lines: the parsers answer or throw <see cref="BpfFormatException"/>, and what they accept
/// can be searched, each input within a time budget. Deterministic (fixed seeds); needs no kernel.
/// </summary>
public sealed class TextFuzzTests
{
    private static readonly string Kallsyms = string.Join('\n',
    [
        "0000000000000000 A fixed_percpu_data",
        "ffffffff81000000 T _stext",
        "ffffffff81001000 T do_sys_open",
        "ffffffff81002000 t __x64_sys_openat",
        "ffffffff81003000 D jiffies",
        "ffffffffc0000000 t nf_hook\t[nf_tables]",
        "ffffffffc0001000 T ext4_fill_super\t[ext4]",
        "ffffffffc0002000 b counter\t[ext4]",
    ]) + "\n";

    private static byte[] Mutate(Random random, byte[] original)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(5))
        {
            case 0: bytes[random.Next(bytes.Length)] = (byte)random.Next(256); break;
            case 1: bytes = bytes[..random.Next(bytes.Length)]; break;
            case 2: bytes[random.Next(bytes.Length)] = (byte)"\n\t [] "[random.Next(6)]; break;
            case 3: // one absurdly long line
                bytes = [.. bytes, .. Encoding.ASCII.GetBytes("ffffffff81009000 T "), .. Enumerable.Repeat((byte)'a', 100_000 + random.Next(3)), (byte)'\n'];
                break;
            default: // a long module name, many modules
                bytes = [.. bytes, .. Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 500).Select(i => $"ffffffffc1{i:x6} t f{i}\t[m{i % 7 * random.Next(1000)}]\n")))];
                break;
        }
        return bytes;
    }

    [Fact]
    public void KallsymsMutations()
    {
        var random = new Random(17);
        var original = Encoding.ASCII.GetBytes(Kallsyms);
        int parsed = 0, refused = 0;
        var slowest = TimeSpan.Zero;
        for (int i = 0; i < 3000; i++)
        {
            var text = Mutate(random, original);
            var clock = Stopwatch.StartNew();
            try
            {
                var symbols = KernelSymbols.Parse(text, "fuzz");
                foreach (var s in symbols)
                {
                    _ = symbols.TryFind(s.Name, out _);
                    _ = symbols.TryFindByAddress(s.Address, out _);
                }
                _ = symbols.Match("*sys*");
                _ = symbols.FindAll("counter");
                parsed++;
            }
            catch (BpfFormatException e)
            {
                Assert.True(e.Message.Length < 1000, $"a message of {e.Message.Length} characters");
                refused++;
            }
            if (clock.Elapsed > slowest) slowest = clock.Elapsed;
        }
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"slowest input took {slowest.TotalSeconds:F1} s");
        Assert.True(parsed > 0 && refused > 0, $"{parsed} parsed, {refused} refused");
    }

    [Fact]
    public void KernelConfigAndProbeDefinitionMutations()
    {
        var random = new Random(18);
        var config = Encoding.ASCII.GetBytes("CONFIG_BPF=y\n# CONFIG_FOO is not set\nCONFIG_HZ=250\nCONFIG_NAME=\"x=y\"\n");
        var probe = Encoding.ASCII.GetBytes("p:kprobes/bpfsharp_1_do_sys_open do_sys_open+0 arg1=%di:u64\n");
        for (int i = 0; i < 1500; i++)
        {
            var c = KernelConfig.Parse(Encoding.Latin1.GetString(Mutate(random, config)), "fuzz");
            foreach (var (name, _) in c.Values) Assert.True(c.TryGetValue(name, out _));
            var line = Encoding.Latin1.GetString(Mutate(random, probe));
            foreach (var kind in new[] { ProbeEventKind.Kprobe, ProbeEventKind.Uprobe })
                if (ProbeEventInfo.TryParse(kind, line) is { } info) Assert.False(string.IsNullOrEmpty(info.ToString()));
        }
    }

    [Theory]
    [InlineData("-4@%edi 8@-16(%rbp) 8@%rax -4@$-9 8@ptr(%rip) 2@-1(%rsi,%rcx,4)", BpfSharp.Elf.ElfMachine.Amd64)]
    [InlineData("-4@x0 8@[sp, 16] 8@[x1] -4@5 8@[x2, -8]", BpfSharp.Elf.ElfMachine.Arm64)]
    public void UsdtArgumentMutations(string arguments, BpfSharp.Elf.ElfMachine machine)
    {
        // The argument string of a .note.stapsdt, from whatever executable the caller names.
        var random = new Random(19);
        var original = Encoding.ASCII.GetBytes(arguments);
        int parsed = 0, refused = 0;
        for (int i = 0; i < 2000; i++)
        {
            string text = Encoding.Latin1.GetString(Mutate(random, original));
            try
            {
                _ = UsdtArgumentParser.Parse(text, machine, "fuzz:probe");
                parsed++;
            }
            catch (UsdtArgumentException)
            {
                refused++;
            }
        }
        Assert.True(parsed > 0 && refused > 0, $"{parsed} parsed, {refused} refused");
    }
}
