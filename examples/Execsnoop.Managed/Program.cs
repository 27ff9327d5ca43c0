// What `bpfsharp run examples/execsnoop/execsnoop.bpf.o` does, through the skeleton BpfSharp.Build generates from
// execsnoop.bpf.c (compiled by clang during dotnet build): load, attach, print each ring buffer record until Ctrl+C.
// Run: sudo dotnet run --project examples/Execsnoop.Managed [path/to/execsnoop.bpf.o]
using System.Runtime.InteropServices;
using BpfSharp.Events;
using Execsnoop.Managed;

using var skeleton = args.Length > 0 ? ExecsnoopSkeleton.Open(args[0]) : ExecsnoopSkeleton.Open();
skeleton.Load();
using var reader = new RingBufferReader(skeleton.Maps.Events.Map);

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

using (skeleton.Attach()) // disposing the owner detaches every link before the object releases the program
{
    Console.WriteLine($"{"PID",7} {"PPID",7} {"UID",5}  {"COMM",-16} FILE");
    while (!stop.IsCancellationRequested)
    {
        reader.Poll(TimeSpan.FromMilliseconds(200), record =>
        {
            var e = MemoryMarshal.Read<ExecsnoopSkeleton.Event>(record);
            Console.WriteLine($"{e.pid,7} {e.ppid,7} {e.uid,5}  {e.CommString,-16} {e.FilenameString}");
        });
    }
}
