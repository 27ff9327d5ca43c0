namespace BpfSharp.Cli.Records;

/// <summary>A test run's result as <c>prog run --json</c> prints it (bpftool's <c>prog run</c> fields).</summary>
internal sealed record TestRunRecord(uint Retval, long Duration, int DataSizeOut);

/// <summary>One instruction as <c>prog dump --json</c> prints it: bpftool's shape, "disasm" holding the text.</summary>
internal sealed record InstructionRecord(int Pc, string Disasm);
