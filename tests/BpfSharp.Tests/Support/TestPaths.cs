namespace BpfSharp.Tests.Support;

/// <summary>A bpffs directory of the test's own, removed with everything in it when disposed.</summary>
public sealed class TempBpfFsDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(BpfFs.DefaultRoot, $"bpfsharp-test-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
