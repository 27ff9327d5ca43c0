using BpfSharp.Generators.Skeleton;

namespace BpfSharp.Tests.Skeleton;

/// <summary>
/// The skeleton writer's output for the committed fixture and example objects, compared with the golden files in
/// Skeleton/Fixtures (regenerate with <c>BPFSHARP_UPDATE_GOLDEN=1</c>, then review the diff).
/// </summary>
public sealed class SkeletonGoldenTests
{
    public static TheoryData<string, string, string> Objects() => new()
    {
        { "Skeleton/Fixtures/layout.bpf.o", "layout.g.cs", "record" },
        { "Examples/execsnoop.bpf.o", "execsnoop.g.cs", "event" },
        { "Examples/opensnoop.bpf.o", "opensnoop.g.cs", "open_event;access" },
        { "Examples/pktcount.bpf.o", "pktcount.g.cs", "" },
        { "Examples/readline.bpf.o", "readline.g.cs", "line" },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void GeneratedSourceMatchesGolden(string objectPath, string golden, string types)
    {
        var issues = new List<SkeletonIssue>();
        string source = SkeletonWriter.Write(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, objectPath)), new SkeletonOptions
        {
            ObjectFileName = Path.GetFileName(objectPath),
            Namespace = "Golden",
            Types = types.Split(';', StringSplitOptions.RemoveEmptyEntries),
        }, issues);
        Assert.DoesNotContain(issues, i => i.IsError);
        string goldenPath = Path.Combine(AppContext.BaseDirectory, "Skeleton/Fixtures", golden);
        if (Environment.GetEnvironmentVariable("BPFSHARP_UPDATE_GOLDEN") == "1")
            File.WriteAllText(Path.Combine(SourceDirectory(), "Skeleton/Fixtures", golden), source);
        else
            Assert.Equal(File.ReadAllText(goldenPath), source);
    }

    [Fact]
    public void UnknownRequestedTypeIsBPFSKEL001()
    {
        var issues = Generate(new SkeletonOptions { ObjectFileName = "layout.bpf.o", Types = ["no_such_type"] });
        var issue = Assert.Single(issues);
        Assert.Equal(SkeletonIssue.TypeNotFound, issue.Id);
        Assert.Contains("no_such_type", issue.Message);
    }

    [Theory]
    [InlineData("class", "")]
    [InlineData("1Skeleton", "")]
    [InlineData("Good", "Bad-Namespace")]
    public void InvalidIdentifierIsBPFSKEL002(string className, string ns)
    {
        var issues = Generate(new SkeletonOptions { ObjectFileName = "layout.bpf.o", ClassName = className, Namespace = ns });
        Assert.Equal(SkeletonIssue.InvalidIdentifier, Assert.Single(issues).Id);
    }

    [Fact]
    public void ObjectWithoutBtfOrNotElfIsBPFSKEL003()
    {
        var issues = new List<SkeletonIssue>();
        Assert.Equal("", SkeletonWriter.Write("not an object"u8.ToArray(), new SkeletonOptions { ObjectFileName = "x.o" }, issues));
        Assert.Equal(SkeletonIssue.UnreadableObject, Assert.Single(issues).Id);
        issues.Clear();
        var truncated = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Skeleton/Fixtures/layout.bpf.o"))[..200];
        SkeletonWriter.Write(truncated, new SkeletonOptions { ObjectFileName = "x.o" }, issues);
        Assert.Equal(SkeletonIssue.UnreadableObject, Assert.Single(issues).Id);
    }

    private static List<SkeletonIssue> Generate(SkeletonOptions options)
    {
        var issues = new List<SkeletonIssue>();
        SkeletonWriter.Write(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Skeleton/Fixtures/layout.bpf.o")), options, issues);
        return issues;
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(Path.GetDirectoryName(path))!;
}
