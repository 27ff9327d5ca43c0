using BpfSharp.Events;
using Microsoft.Extensions.Logging;

namespace BpfSharp.Hosting;

/// <summary>
/// One ring buffer or perf buffer map read on a thread of its own, handing each record to the registered
/// handlers. A handler that throws is logged and reading goes on; a reader that fails is logged and stops.
/// </summary>
internal sealed class EventPump : IDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(250);

    private readonly EventReader _reader;
    private readonly RecordHandler[] _handlers;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly string _object;
    private long _records;
    private long _lost;
    private volatile Exception? _fault;

    public string MapName { get; }
    public long Records => Interlocked.Read(ref _records);
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Why the reader stopped before the host did; null while it runs.</summary>
    public Exception? Fault => _fault;

    public EventPump(string objectName, string mapName, BpfMap map, IEnumerable<Func<CancellationToken, RecordHandler>> handlers,
        PerfBufferOptions? perfOptions, ILogger logger, Action<long>? onRecords, Action<long>? onLost)
    {
        _object = objectName;
        MapName = mapName;
        _logger = logger;
        _handlers = handlers.Select(create => create(_stop.Token)).ToArray();
        _onRecords = onRecords;
        _reader = map.Type switch
        {
            BpfMapType.RingBuf => new RingBufferReader(map),
            BpfMapType.PerfEventArray => new PerfBufferReader(map, WithLostCallback(perfOptions, onLost)),
            _ => throw new ArgumentException($"map {mapName} of {objectName} is a {map.Type} map: only ring buffers and perf buffers have records to read"),
        };
        _thread = new Thread(Run) { IsBackground = true, Name = $"bpf {objectName}/{mapName}" };
    }

    private readonly Action<long>? _onRecords;

    private PerfBufferOptions WithLostCallback(PerfBufferOptions? options, Action<long>? onLost) => new()
    {
        PagesPerCpu = options?.PagesPerCpu ?? new PerfBufferOptions().PagesPerCpu,
        WakeupEvents = options?.WakeupEvents ?? 1,
        WakeupWatermark = options?.WakeupWatermark ?? 0,
        Cpus = options?.Cpus,
        LostSamplesCallback = (cpu, lost) =>
        {
            Interlocked.Add(ref _lost, lost);
            onLost?.Invoke(lost);
            BpfLog.LostSamples(_logger, lost, cpu, MapName, _object);
            options?.LostSamplesCallback?.Invoke(cpu, lost);
        },
    };

    public void Start() => _thread.Start();

    private void Run()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int n = _reader.Poll(PollTimeout, Dispatch);
                if (n > 0)
                {
                    Interlocked.Add(ref _records, n);
                    _onRecords?.Invoke(n);
                }
            }
        }
        catch (Exception e) when (_stop.IsCancellationRequested && e is ObjectDisposedException or OperationCanceledException)
        {
            // Stopping: the reader was disposed under Poll, or a handler's wait was cancelled.
        }
        catch (Exception e)
        {
            _fault = e;
            BpfLog.ReaderFault(_logger, MapName, _object, e);
        }
    }

    private void Dispatch(ReadOnlySpan<byte> record)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                handler(record);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                BpfLog.HandlerFault(_logger, MapName, _object, e);
            }
        }
    }

    /// <summary>Stops the thread (waking a Poll that waits) and releases the reader; the map stays.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _reader.Wake();
        if (_thread.IsAlive) _thread.Join();
        _reader.Dispose();
        _stop.Dispose();
    }
}
