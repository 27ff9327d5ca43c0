// What `bpfsharp run examples/execsnoop/execsnoop.bpf.o` does, with the library API only:
// open and load the object, attach its program, print each ring buffer record until Ctrl+C.
// Run: sudo dotnet run --project examples/Execsnoop.Managed [path/to/execsnoop.bpf.o]
using System.Runtime.InteropServices;
using System.Text;
using BpfSharp;
using BpfSharp.Events;

string path = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "execsnoop.bpf.o");
using var obj = BpfObject.Open(path);
obj.Load();
var links = obj.AttachAll();

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

using var reader = new RingBufferReader(obj.Maps["events"].Map!);
Console.WriteLine($"{"PID",7} {"PPID",7} {"UID",5}  {"COMM",-16} FILE");
while (!stop.IsCancellationRequested)
{
    reader.Poll(TimeSpan.FromMilliseconds(200), record =>
    {
        var e = MemoryMarshal.Read<ExecEvent>(record);
        Console.WriteLine($"{e.Pid,7} {e.Ppid,7} {e.Uid,5}  {Text(e.Comm),-16} {Text(e.Filename)}");
    });
}
foreach (var link in links) link.Dispose(); // detach before the object releases the program

static string Text(ReadOnlySpan<byte> bytes)
{
    int end = bytes.IndexOf((byte)0);
    return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
}

/// <summary>struct event of execsnoop.bpf.c.</summary>
[StructLayout(LayoutKind.Sequential)]
struct ExecEvent
{
    public uint Pid, Ppid, Uid;
    public CommBytes Comm;
    public FilenameBytes Filename;
}

[System.Runtime.CompilerServices.InlineArray(16)]
struct CommBytes { private byte _first; }

[System.Runtime.CompilerServices.InlineArray(64)]
struct FilenameBytes { private byte _first; }
