using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace BpfSharp.Tests.Skeleton;

/// <summary>Compiles generated C# at test time with Roslyn, against the running framework and BpfSharp, and loads it.</summary>
internal static class GeneratedCode
{
    private static readonly Lazy<MetadataReference[]> s_references = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p))]);

    /// <summary>The assembly built from <paramref name="source"/>; fails the test with the compiler's errors.</summary>
    public static Assembly Compile(string source, string assemblyName)
    {
        var compilation = CSharpCompilation.Create(assemblyName,
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.CSharp12))],
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20).ToList();
        Assert.True(result.Success, $"the generated code does not compile:\n{string.Join("\n", errors)}");
        image.Position = 0;
        return new AssemblyLoadContext(assemblyName, isCollectible: true).LoadFromStream(image);
    }
}
