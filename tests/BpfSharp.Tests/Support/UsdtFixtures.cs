using System.Diagnostics;
using System.Runtime.InteropServices;

namespace BpfSharp.Tests.Support;

/// <summary>
/// The native programs the USDT tests probe (scripts/build-native-fixtures.sh builds them into
/// artifacts/native-fixtures, during setup or here on first use) and a running instance of one of them.
/// </summary>
public static class UsdtFixtures
{
    private static readonly Lazy<string> s_directory = new(Build);

    /// <summary>The path of a built fixture: usdt_app_O0, usdt_app_O2, libusdt_fixture.so, usdt_throw.</summary>
    public static string Path(string name) => System.IO.Path.Combine(s_directory.Value, name);

    private static string Build()
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(System.IO.Path.Combine(dir, "scripts", "build-native-fixtures.sh")))
            dir = System.IO.Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("the repository root (scripts/build-native-fixtures.sh) is not above the test binaries");
        TestKernel.Run(System.IO.Path.Combine(dir, "scripts", "build-native-fixtures.sh"));
        return System.IO.Path.Combine(dir, "artifacts", "native-fixtures");
    }

    /// <summary>
    /// A running fixture: each <see cref="Fire"/> sends "go SEED" and returns the lines it printed (the values it
    /// passed to its probes) up to "done".
    /// </summary>
    public sealed class Running : IDisposable
    {
        private readonly Process _process;

        public Running(string name)
        {
            var psi = new ProcessStartInfo(Path(name)) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            _process = Process.Start(psi)!;
            Assert.Equal("ready", _process.StandardOutput.ReadLine());
        }

        public int Pid => _process.Id;

        public IReadOnlyList<string> Fire(long seed)
        {
            _process.StandardInput.WriteLine($"go {seed}");
            _process.StandardInput.Flush();
            var lines = new List<string>();
            for (string? line = _process.StandardOutput.ReadLine(); line != "done"; line = _process.StandardOutput.ReadLine())
                lines.Add(line ?? throw new InvalidOperationException($"the fixture exited: {_process.StandardError.ReadToEnd()}"));
            return lines;
        }

        public void Dispose()
        {
            try { _process.StandardInput.Close(); }
            catch (IOException) { }
            if (!_process.WaitForExit(5000)) _process.Kill();
            _process.Dispose();
        }
    }

    /// <summary>One run of fixture usdt.bpf.c's report(): what bpf_usdt_arg and friends returned.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct Event
    {
        public ulong Cookie;
        public ulong Ip;
        public int Count;
        public uint Pid;
        public fixed long Args[6];
        public fixed int Errors[6];

        public readonly long[] ArgList(int count) { var r = new long[count]; for (int i = 0; i < count; i++) r[i] = Args[i]; return r; }
        public readonly int[] ErrorList(int count) { var r = new int[count]; for (int i = 0; i < count; i++) r[i] = Errors[i]; return r; }
    }
}
