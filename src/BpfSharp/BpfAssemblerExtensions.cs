using BpfSharp.Asm;

namespace BpfSharp;

/// <summary>Assembler shortcuts that take library objects (kept here so Asm/ depends on nothing above it).</summary>
public static class BpfAssemblerExtensions
{
    /// <summary>
    /// Loads a pointer to <paramref name="map"/> into <paramref name="dst"/> (ld_imm64 with BPF_PSEUDO_MAP_FD).
    /// The map must stay open until the program is loaded; the loaded program then holds it itself.
    /// </summary>
    public static BpfAssembler LoadMapFd(this BpfAssembler asm, BpfRegister dst, BpfMap map) =>
        asm.LoadMapFd(dst, map.Handle.Fd);

    /// <summary>Loads the address of byte <paramref name="offset"/> of <paramref name="map"/>'s single value (array maps).</summary>
    public static BpfAssembler LoadMapValue(this BpfAssembler asm, BpfRegister dst, BpfMap map, int offset) =>
        asm.LoadMapValue(dst, map.Handle.Fd, offset);
}
