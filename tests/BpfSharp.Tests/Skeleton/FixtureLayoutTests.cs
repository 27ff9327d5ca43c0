using BpfSharp.Btf;
using BpfSharp.Generators.Skeleton;

namespace BpfSharp.Tests.Skeleton;

/// <summary>
/// Every type the generator writes for each fixture object (the golden tests' objects: the layout fixture and the
/// examples) has its BTF layout: the skeleton is compiled with Roslyn, each named C struct or union it generated
/// and each global variable's type are checked with <see cref="LayoutChecker"/>, and no generated struct is left
/// unchecked.
/// </summary>
public sealed class FixtureLayoutTests
{
    public static TheoryData<string, string, string> Objects() => SkeletonGoldenTests.Objects();

    [Theory]
    [MemberData(nameof(Objects))]
    public void EveryGeneratedTypeHasItsBtfLayout(string objectPath, string golden, string types)
    {
        _ = golden;
        string path = Path.Combine(AppContext.BaseDirectory, objectPath);
        var issues = new List<SkeletonIssue>();
        string ns = "Fixture" + Path.GetFileNameWithoutExtension(golden).Replace('.', '_');
        string source = SkeletonWriter.Write(File.ReadAllBytes(path), new SkeletonOptions
        {
            ObjectFileName = Path.GetFileName(path),
            Namespace = ns,
            ClassName = "Skeleton",
            Types = types.Split(';', StringSplitOptions.RemoveEmptyEntries),
        }, issues);
        Assert.DoesNotContain(issues, i => i.IsError);
        var skeleton = GeneratedCode.Compile(source, ns).GetType($"{ns}.Skeleton", throwOnError: true)!;

        using var obj = BpfObject.Open(path);
        var btf = obj.Btf!;
        var checker = new LayoutChecker(btf);
        foreach (var composite in btf.Types.OfType<BtfComposite>().Where(t => !t.IsAnonymous))
        {
            if (skeleton.GetNestedType(KernelTypeLayoutTests.CSharpName(composite.Name)) is { } type)
                checker.CheckComposite(composite, type, composite.Name);
        }
        var variables = skeleton.GetNestedType("VariableSet")!;
        foreach (var variable in obj.Variables.Values)
        {
            var property = variables.GetProperty(KernelTypeLayoutTests.CSharpName(variable.Name));
            if (property is null) continue; // a type C# cannot lay out: reported by the generator
            var btfType = btf.SkipModifiers(btf[variable.TypeId]);
            Assert.True(btf.SizeOf(btfType) == LayoutChecker.SizeOf(property.PropertyType), $"{variable.Name}: C# size {LayoutChecker.SizeOf(property.PropertyType)}, BTF size {btf.SizeOf(btfType)}");
            if (btfType is BtfComposite composite) checker.CheckComposite(composite, property.PropertyType, variable.Name);
            checker.CheckArray(btfType, property.PropertyType, variable.Name);
        }
        var generated = skeleton.GetNestedTypes().Where(t => t.IsValueType && !t.IsEnum).ToList();
        Assert.Empty(generated.Where(t => !checker.Checked.Contains(t)).Select(t => t.Name));
    }
}
