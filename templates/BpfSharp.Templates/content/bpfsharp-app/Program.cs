// Prints every exec on the machine until Ctrl+C. Run as root: sudo dotnet run
using System.Runtime.InteropServices;
using BpfSharp.Events;
using BpfSharpApp;

using var probe = ProbeSkeleton.Open();
probe.Load();
using var reader = new RingBufferReader(probe.Maps.Events.Map);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

using (probe.Attach())
{
    Console.WriteLine($"{"PID",7} {"PPID",7}  COMM");
    while (!stop.IsCancellationRequested)
    {
        reader.Poll(TimeSpan.FromMilliseconds(200), record =>
        {
            var e = MemoryMarshal.Read<ProbeSkeleton.Event>(record);
            Console.WriteLine($"{e.pid,7} {e.ppid,7}  {e.CommString}");
        });
    }
}
