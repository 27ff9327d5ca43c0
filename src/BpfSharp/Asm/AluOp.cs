namespace BpfSharp.Asm;

/// <summary>Arithmetic operations (<c>BPF_OP</c> of the ALU classes, bits 4-7).</summary>
public enum AluOp : byte
{
    /// <summary>Addition.</summary>
    Add = 0x00,
    /// <summary>Subtraction.</summary>
    Sub = 0x10,
    /// <summary>Multiplication (the low bits of the product).</summary>
    Mul = 0x20,
    /// <summary>Unsigned division; with offset 1 it is signed division (<c>sdiv</c>). Division by zero yields 0.</summary>
    Div = 0x30,
    /// <summary>Bitwise or.</summary>
    Or = 0x40,
    /// <summary>Bitwise and.</summary>
    And = 0x50,
    /// <summary>Left shift.</summary>
    Lsh = 0x60,
    /// <summary>Logical (zero-filling) right shift.</summary>
    Rsh = 0x70,
    /// <summary>Negation of the destination; defined only with the immediate source.</summary>
    Neg = 0x80,
    /// <summary>Unsigned modulo; with offset 1 it is signed modulo. Modulo by zero leaves the destination.</summary>
    Mod = 0x90,
    /// <summary>Bitwise exclusive or.</summary>
    Xor = 0xa0,
    /// <summary>Move; with offset 8, 16 or 32 and a register source it sign-extends (<c>movsx</c>).</summary>
    Mov = 0xb0,
    /// <summary>Arithmetic (sign-extending) right shift.</summary>
    Arsh = 0xc0,
    /// <summary>Byte-order conversion of the destination; the immediate is the width (16, 32 or 64).</summary>
    End = 0xd0,
}
