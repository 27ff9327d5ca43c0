namespace BpfSharp.Cli.Dump;

/// <summary>A program's code as one of bpftool's <c>prog dump</c> modes prints it (xlated or jited).</summary>
internal interface IBpftoolDump
{
    string Plain(bool opcodes, bool linum);

    string Json(bool opcodes, bool linum, bool pretty);

    void WriteJson(BpftoolJsonWriter json, bool opcodes, bool linum);
}
