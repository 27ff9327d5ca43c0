using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Hosting;

/// <summary>examples/Execsnoop.Service as a process: its Prometheus endpoint on 127.0.0.1, scraped, against the kernel.</summary>
public sealed partial class ExampleServiceTests
{
    [GeneratedRegex("""^(?<name>[a-z_]+)\{(?<labels>[^}]*)\} (?<value>\S+)$""", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [Fact]
    public async Task ScrapedMetricsAgreeWithTheKernel()
    {
        TestKernel.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        int port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Execsnoop.Service.dll"), "--port", port.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var service = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        service.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        service.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        try
        {
            string? text = null;
            Assert.True(Eventually.Holds(() => (text = TryScrape(http)) is not null && text.Contains("bpf_program_runs_total"), 60_000),
                $"no metrics from the service: {Output()}");
            for (int i = 0; i < 5; i++) TestKernel.Run("/bin/true");

            uint programId = uint.Parse(Label(Find(text!, "bpf_program_runs_total"), "bpf_program_id"), CultureInfo.InvariantCulture);
            using var program = BpfProgram.FromId(programId);
            Assert.Equal("handle_exec", program.Name);
            Assert.True(Eventually.Holds(() => Value(TryScrape(http) ?? "", "bpf_reader_records_total") >= 5, 10_000), "the execs were not read");

            ulong before = program.GetInfo().RunCount;
            text = await http.GetStringAsync("metrics", ct);
            ulong after = program.GetInfo().RunCount;
            double runs = Value(text, "bpf_program_runs_total");
            Assert.InRange(runs, before, after);
            double records = Value(text, "bpf_reader_records_total");
            Assert.InRange(records, 5, runs); // one record per run at most (a full ring drops)
            Assert.Equal("events", Label(Find(text, "bpf_reader_records_total"), "bpf_map"));
            Assert.True(Value(text, "bpf_program_run_time_seconds_total") > 0);
            Assert.Equal(1, Value(text, "bpf_object_load_duration_seconds_count"));
        }
        finally
        {
            // SIGTERM: the host stops, which detaches.
            if (!service.HasExited) TestKernel.TryRun("kill", "-TERM", service.Id.ToString(CultureInfo.InvariantCulture));
            if (!service.WaitForExit(30_000)) service.Kill();
        }
        Assert.Contains("Detached handle_exec", Output());
        string Output() { lock (output) return output.ToString(); }
    }

    private static string? TryScrape(HttpClient http)
    {
        try { return http.GetStringAsync("metrics").GetAwaiter().GetResult(); }
        catch (HttpRequestException) { return null; }
    }

    private static Match Find(string text, string name) =>
        Sample().Matches(text).FirstOrDefault(m => m.Groups["name"].Value == name) ?? throw new Xunit.Sdk.XunitException($"no {name} in:\n{text}");

    private static double Value(string text, string name) =>
        Sample().Matches(text).Where(m => m.Groups["name"].Value == name).Select(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).First();

    private static string Label(Match sample, string label) =>
        Regex.Match(sample.Groups["labels"].Value, $"{label}=\"(?<v>[^\"]*)\"").Groups["v"].Value;

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
