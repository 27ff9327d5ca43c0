namespace BpfSharp.Asm;
public readonly struct BpfInstruction { private readonly ulong _raw; public BpfInstruction(ulong raw) => _raw = raw; }
