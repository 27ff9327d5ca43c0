namespace BpfSharp.Tests.Support;

/// <summary>The repository the tests were built from (tests that build or pack its projects).</summary>
public static class Repository
{
    /// <summary>The directory holding BpfSharp.slnx, above the test's build output.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "BpfSharp.slnx"))) return dir.FullName;
            }
            Assert.Fail($"no BpfSharp.slnx above {AppContext.BaseDirectory}: the test runs from the repository's build output");
            return "";
        }
    }

    /// <summary>The configuration the tests were built in (Release in CI), which the projects they pack share.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
}
