using System.Collections.Generic;

namespace BpfSharp.Generators.Skeleton;

/// <summary>What to generate for one object.</summary>
public sealed class SkeletonOptions
{
    /// <summary>The object's file name, as copied to the output directory (<c>probe.bpf.o</c>).</summary>
    public string ObjectFileName { get; set; } = "";
    /// <summary>The namespace; empty: the global namespace.</summary>
    public string Namespace { get; set; } = "";
    /// <summary>The class name; empty: the object's name in PascalCase + <c>Skeleton</c>.</summary>
    public string ClassName { get; set; } = "";
    /// <summary>C types (struct, union, enum or typedef names) to generate even if no map or variable uses them.</summary>
    public IList<string> Types { get; set; } = new List<string>();

    public string EffectiveClassName()
    {
        if (ClassName.Length > 0) return ClassName;
        string stem = ObjectFileName;
        foreach (var suffix in new[] { ".o", ".bpf" })
            if (stem.EndsWith(suffix, System.StringComparison.Ordinal)) stem = stem.Substring(0, stem.Length - suffix.Length);
        return CSharpNames.Pascal(stem) + "Skeleton";
    }
}
