using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace BpfSharp.Hosting;

/// <summary>
/// The meter <c>BpfSharp</c> and its instruments, named after OpenTelemetry's conventions (dotted lower-case
/// names, UCUM units, no <c>_total</c>: exporters add it). Every measurement carries <c>bpf.object</c>; those of
/// a map <c>bpf.map</c>, those of a program <c>bpf.program</c> and <c>bpf.program.id</c>.
/// </summary>
public sealed class BpfMetrics
{
    /// <summary>The meter's name, <c>BpfSharp</c>, for <c>AddMeter</c> in an OpenTelemetry setup.</summary>
    public const string MeterName = "BpfSharp";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<BpfHostedObject, byte> _objects = new();
    private readonly Counter<long> _records;
    private readonly Counter<long> _lost;
    private readonly Histogram<double> _loadDuration;

    /// <summary>The meter belongs to <paramref name="meterFactory"/>, which disposes it.</summary>
    public BpfMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _records = _meter.CreateCounter<long>("bpf.reader.records", "{record}", "Records read from a ring buffer or perf buffer map");
        _lost = _meter.CreateCounter<long>("bpf.reader.lost", "{record}", "Records the kernel dropped because a perf buffer was full");
        _loadDuration = _meter.CreateHistogram<double>("bpf.object.load.duration", "s", "Time to load an object: maps created, programs verified",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _meter.CreateObservableCounter("bpf.program.runs", () => Observe(o => o.ObserveRuns()), "{run}",
            "Runs of a program counted by the kernel (run_cnt; needs EnableRunTimeStatistics)");
        _meter.CreateObservableCounter("bpf.program.run_time", () => Observe(o => o.ObserveRunTime()), "s",
            "Time a program ran, counted by the kernel (run_time_ns; needs EnableRunTimeStatistics)");
        _meter.CreateObservableGauge("bpf.map.entries", () => Observe(o => o.ObserveMapEntries()), "{entry}",
            "Entries of a map, sampled (needs MapEntrySampleInterval)");
    }

    internal void Register(BpfHostedObject hosted) => _objects.TryAdd(hosted, 0);

    internal void Unregister(BpfHostedObject hosted) => _objects.TryRemove(hosted, out _);

    internal void RecordsRead(long count, string obj, string map) =>
        _records.Add(count, new KeyValuePair<string, object?>("bpf.object", obj), new KeyValuePair<string, object?>("bpf.map", map));

    internal void RecordsLost(long count, string obj, string map) =>
        _lost.Add(count, new KeyValuePair<string, object?>("bpf.object", obj), new KeyValuePair<string, object?>("bpf.map", map));

    internal void Loaded(TimeSpan duration, string obj) =>
        _loadDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("bpf.object", obj));

    private IEnumerable<Measurement<T>> Observe<T>(Func<BpfHostedObject, IEnumerable<Measurement<T>>> observe) where T : struct =>
        _objects.Keys.SelectMany(observe).ToList();
}
