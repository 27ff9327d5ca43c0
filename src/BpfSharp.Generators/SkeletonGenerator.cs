using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using BpfSharp.Generators.Skeleton;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace BpfSharp.Generators;

/// <summary>
/// Generates a typed skeleton for each BPF object BpfSharp.Build hands over: an additional file
/// <c>NAME.o.b64</c> (the object as base64, since additional files are read as text) with the metadata
/// <c>BpfObjectName</c>, and optionally <c>BpfSkeletonClass</c> and <c>BpfSkeletonTypes</c>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SkeletonGenerator : IIncrementalGenerator
{
    private static DiagnosticDescriptor Descriptor(string id, DiagnosticSeverity severity, string title) =>
        new(id, title, "{0}", "BpfSharp.Skeleton", severity, isEnabledByDefault: true);

    private static readonly Dictionary<string, (DiagnosticSeverity Severity, string Title)> s_ids = new()
    {
        [SkeletonIssue.TypeNotFound] = (DiagnosticSeverity.Error, "Requested type is not in the object's BTF"),
        [SkeletonIssue.InvalidIdentifier] = (DiagnosticSeverity.Error, "Name is not a valid C# identifier"),
        [SkeletonIssue.UnreadableObject] = (DiagnosticSeverity.Error, "BPF object cannot be read"),
        [SkeletonIssue.Skipped] = (DiagnosticSeverity.Warning, "Member left out of the skeleton"),
    };

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var rootNamespace = context.AnalyzerConfigOptionsProvider.Select(static (o, _) =>
            o.GlobalOptions.TryGetValue("build_property.RootNamespace", out var ns) ? ns : "");
        var objects = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, ct) =>
            {
                var options = pair.Right.GetOptions(pair.Left);
                if (!options.TryGetValue("build_metadata.AdditionalFiles.BpfObjectName", out var name) || name.Length == 0)
                    return null;
                options.TryGetValue("build_metadata.AdditionalFiles.BpfSkeletonClass", out var cls);
                options.TryGetValue("build_metadata.AdditionalFiles.BpfSkeletonTypes", out var types);
                return new ObjectInput(pair.Left.Path, name, cls ?? "", types ?? "", pair.Left.GetText(ct)?.ToString() ?? "");
            })
            .Where(static o => o is not null)
            .Combine(rootNamespace)
            .Select(static (pair, _) => Generate(pair.Left!, pair.Right));

        context.RegisterSourceOutput(objects, static (spc, result) =>
        {
            foreach (var issue in result.Issues)
            {
                var (severity, title) = s_ids[issue.Id];
                spc.ReportDiagnostic(Diagnostic.Create(Descriptor(issue.Id, severity, title), Location.None, issue.Message));
            }
            if (result.Source.Length > 0)
                spc.AddSource(result.HintName, SourceText.From(result.Source, Encoding.UTF8));
        });
    }

    private static GeneratedSkeleton Generate(ObjectInput input, string rootNamespace)
    {
        var issues = new List<SkeletonIssue>();
        byte[] elf;
        try
        {
            elf = Convert.FromBase64String(input.Base64.Trim());
        }
        catch (FormatException)
        {
            issues.Add(new SkeletonIssue(SkeletonIssue.UnreadableObject, true, $"{input.Path}: not base64 (BpfSharp.Build writes the object this way)"));
            return new GeneratedSkeleton("", "", issues.ToImmutableArray());
        }
        var options = new SkeletonOptions
        {
            ObjectFileName = input.ObjectName,
            Namespace = rootNamespace,
            ClassName = input.ClassName,
            Types = input.Types.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(t => t.Trim()).ToList(),
        };
        string source = SkeletonWriter.Write(elf, options, issues);
        return new GeneratedSkeleton(input.ObjectName + ".g.cs", source, issues.ToImmutableArray());
    }

    /// <summary>The generator's input for one object; a record so the incremental pipeline compares it by value.</summary>
    private sealed record ObjectInput(string Path, string ObjectName, string ClassName, string Types, string Base64);

    private sealed record GeneratedSkeleton(string HintName, string Source, ImmutableArray<SkeletonIssue> Issues)
    {
        public bool Equals(GeneratedSkeleton? other) =>
            other is not null && HintName == other.HintName && Source == other.Source && Issues.SequenceEqual(other.Issues, IssueComparer.Instance);

        public override int GetHashCode() => Source.GetHashCode();
    }

    private sealed class IssueComparer : IEqualityComparer<SkeletonIssue>
    {
        public static readonly IssueComparer Instance = new();
        public bool Equals(SkeletonIssue? x, SkeletonIssue? y) => x?.Id == y?.Id && x?.Message == y?.Message;
        public int GetHashCode(SkeletonIssue obj) => obj.Message.GetHashCode();
    }
}
