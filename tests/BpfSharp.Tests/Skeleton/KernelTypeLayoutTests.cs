using System.Runtime.CompilerServices;
using BpfSharp.Btf;
using BpfSharp.Generators.Skeleton;

namespace BpfSharp.Tests.Skeleton;

/// <summary>
/// The generator's C# for the running kernel's structs that the examples use has the kernel's layout: the types
/// are written from /sys/kernel/btf/vmlinux by <see cref="SkeletonWriter.WriteTypes"/>, compiled with Roslyn, and
/// every struct it generated (the roots and each one they hold by value) is checked field by field against the
/// kernel's BTF as the library parses it (<see cref="LayoutChecker"/>).
/// </summary>
public sealed class KernelTypeLayoutTests(ITestOutputHelper output)
{
    private const string Vmlinux = "/sys/kernel/btf/vmlinux";

    /// <summary>
    /// The kernel structs and unions the examples use, from their objects rather than by hand: each named struct or
    /// union in an example's BTF (its CO-RE roots, its program contexts) that the kernel's BTF defines too.
    /// </summary>
    private static SortedSet<string> ExampleKernelTypes(BtfSpec kernel, out SortedSet<string> coreRoots)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        coreRoots = new SortedSet<string>(StringComparer.Ordinal);
        var kernelComposites = kernel.Types.OfType<BtfComposite>().Where(t => !t.IsAnonymous).Select(t => (t.Kind, t.Name)).ToHashSet();
        foreach (string path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Examples"), "*.bpf.o"))
        {
            var parser = new ObjectParser(File.ReadAllBytes(path), Path.GetFileName(path));
            var btf = parser.Btf!;
            foreach (var t in btf.Types.OfType<BtfComposite>())
                if (!t.IsAnonymous && kernelComposites.Contains((t.Kind, t.Name))) names.Add(t.Name);
            foreach (var relocations in parser.BtfExt?.CoreRelocations.Values ?? [])
                foreach (var relo in relocations)
                    if (btf.SkipModifiers(btf[relo.TypeId]) is { IsAnonymous: false } root) coreRoots.Add(root.Name);
        }
        return names;
    }

    [Fact]
    public void KernelStructsTheExamplesUseHaveTheKernelsLayout()
    {
        if (!File.Exists(Vmlinux)) Assert.Skip($"{Vmlinux}: the kernel has no BTF");
        var kernel = BtfSpec.Load(Vmlinux);
        var names = ExampleKernelTypes(kernel, out var coreRoots);
        Assert.NotEmpty(coreRoots);
        Assert.Subset(names, coreRoots); // every CO-RE root of an example is a kernel struct checked here

        var issues = new List<SkeletonIssue>();
        string source = SkeletonWriter.WriteTypes(File.ReadAllBytes(Vmlinux), new SkeletonOptions
        {
            ObjectFileName = "vmlinux",
            Namespace = "KernelLayout",
            ClassName = "KernelTypes",
            Types = [.. names],
        }, issues);
        Assert.DoesNotContain(issues, i => i.IsError);
        var assembly = GeneratedCode.Compile(source, "KernelLayout");
        var container = assembly.GetType("KernelLayout.KernelTypes", throwOnError: true)!;

        var checker = new LayoutChecker(kernel);
        foreach (string name in names)
        {
            var btfType = kernel.Types.OfType<BtfComposite>().Single(t => t.Name == name && !t.IsAnonymous);
            checker.CheckComposite(btfType, container.GetNestedType(CSharpName(name))!, name);
        }
        // Every struct the generator wrote was reached from a root and checked (enums have no layout of their own).
        var generated = container.GetNestedTypes().Where(t => t.IsValueType && !t.IsEnum).ToList();
        Assert.Empty(generated.Where(t => !checker.Checked.Contains(t)).Select(t => t.Name));
        output.WriteLine($"{string.Join(", ", names)}: {generated.Count} generated structs and arrays, {checker.Members} members compared; " +
            $"{issues.Count} members left out ({string.Join("; ", issues.Take(5).Select(i => i.Message))})");
    }

    /// <summary>The generator's own name for a C type (its PascalCase rule).</summary>
    internal static string CSharpName(string cName) =>
        (string)typeof(SkeletonWriter).Assembly.GetType("BpfSharp.Generators.Skeleton.CSharpNames", throwOnError: true)!
            .GetMethod("Pascal")!.Invoke(null, [cName])!;
}
