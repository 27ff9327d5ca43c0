using BpfSharp.Asm;
using Xunit;
using static BpfSharp.Asm.BpfRegister;
using static BpfSharp.Tests.Asm.AsmTestHelpers;

namespace BpfSharp.Tests.Asm;

/// <summary>
/// Every instruction form, checked against the bytes llvm produces for it. The bytes were made once
/// by assembling the llvm syntax in each row's comment with <c>clang-19 -target bpf -mcpu=v4 -c</c>
/// and reading them back with <c>llvm-objdump-19 -d</c>. The text is what the kernel verifier
/// prints for the same bytes, in BpfSharp's dialect (<c>goto +3</c>, <c>call 1</c>, <c>ll</c>).
/// </summary>
public sealed class LlvmReferenceTests
{
    private sealed record Case(string Text, string Bytes, Func<string> Assemble);

    private static Case Row(string text, string bytes, Func<BpfAssembler, BpfAssembler> emit) =>
        new(text, bytes, () => Assemble(emit));

    private static Case JumpRow(string text, string bytes, int distance, Func<BpfAssembler, BpfAssembler> emit) =>
        new(text, bytes, () => AssembleJump(distance, emit));

    private static readonly Case[] Cases =
    [
        Row("r0 = 1", "b7 00 00 00 01 00 00 00", a => a.Mov64(R0, 1)),                      // r0 = 1
        Row("w0 = 1", "b4 00 00 00 01 00 00 00", a => a.Mov32(R0, 1)),                      // w0 = 1
        Row("r1 = -5", "b7 01 00 00 fb ff ff ff", a => a.Mov64(R1, -5)),                    // r1 = -5
        Row("r1 = r2", "bf 21 00 00 00 00 00 00", a => a.Mov64(R1, R2)),                    // r1 = r2
        Row("w1 = w2", "bc 21 00 00 00 00 00 00", a => a.Mov32(R1, R2)),                    // w1 = w2
        Row("r1 += r2", "0f 21 00 00 00 00 00 00", a => a.Add64(R1, R2)),                   // r1 += r2
        Row("r1 += -4", "07 01 00 00 fc ff ff ff", a => a.Add64(R1, -4)),                   // r1 += -4
        Row("w1 += 7", "04 01 00 00 07 00 00 00", a => a.Add32(R1, 7)),                     // w1 += 7
        Row("r1 -= r2", "1f 21 00 00 00 00 00 00", a => a.Sub64(R1, R2)),                   // r1 -= r2
        Row("w1 -= 9", "14 01 00 00 09 00 00 00", a => a.Sub32(R1, 9)),                     // w1 -= 9
        Row("r1 *= 3", "27 01 00 00 03 00 00 00", a => a.Mul64(R1, 3)),                     // r1 *= 3
        Row("w1 *= w2", "2c 21 00 00 00 00 00 00", a => a.Mul32(R1, R2)),                   // w1 *= w2
        Row("r1 /= r2", "3f 21 00 00 00 00 00 00", a => a.Div64(R1, R2)),                   // r1 /= r2
        Row("w1 /= 10", "34 01 00 00 0a 00 00 00", a => a.Div32(R1, 10)),                   // w1 /= 10
        Row("r1 %= r2", "9f 21 00 00 00 00 00 00", a => a.Mod64(R1, R2)),                   // r1 %= r2
        Row("w1 %= 7", "94 01 00 00 07 00 00 00", a => a.Mod32(R1, 7)),                     // w1 %= 7
        Row("r1 |= 255", "47 01 00 00 ff 00 00 00", a => a.Or64(R1, 0xff)),                 // r1 |= 0xff
        Row("w1 |= w2", "4c 21 00 00 00 00 00 00", a => a.Or32(R1, R2)),                    // w1 |= w2
        Row("r1 &= r2", "5f 21 00 00 00 00 00 00", a => a.And64(R1, R2)),                   // r1 &= r2
        Row("w1 &= 15", "54 01 00 00 0f 00 00 00", a => a.And32(R1, 15)),                   // w1 &= 15
        Row("r1 ^= r2", "af 21 00 00 00 00 00 00", a => a.Xor64(R1, R2)),                   // r1 ^= r2
        Row("w1 ^= -1", "a4 01 00 00 ff ff ff ff", a => a.Xor32(R1, -1)),                   // w1 ^= -1
        Row("r1 <<= 3", "67 01 00 00 03 00 00 00", a => a.Lsh64(R1, 3)),                    // r1 <<= 3
        Row("w1 <<= w2", "6c 21 00 00 00 00 00 00", a => a.Lsh32(R1, R2)),                  // w1 <<= w2
        Row("r1 >>= r2", "7f 21 00 00 00 00 00 00", a => a.Rsh64(R1, R2)),                  // r1 >>= r2
        Row("w1 >>= 4", "74 01 00 00 04 00 00 00", a => a.Rsh32(R1, 4)),                    // w1 >>= 4
        Row("r1 s>>= 3", "c7 01 00 00 03 00 00 00", a => a.Arsh64(R1, 3)),                  // r1 s>>= 3
        Row("w1 s>>= w2", "cc 21 00 00 00 00 00 00", a => a.Arsh32(R1, R2)),                // w1 s>>= w2
        Row("r1 = -r1", "87 01 00 00 00 00 00 00", a => a.Neg64(R1)),                       // r1 = -r1
        Row("w1 = -w1", "84 01 00 00 00 00 00 00", a => a.Neg32(R1)),                       // w1 = -w1
        Row("r1 s/= r2", "3f 21 01 00 00 00 00 00", a => a.SDiv64(R1, R2)),                 // r1 s/= r2
        Row("r1 s/= 3", "37 01 01 00 03 00 00 00", a => a.SDiv64(R1, 3)),                   // r1 s/= 3
        Row("w1 s/= w2", "3c 21 01 00 00 00 00 00", a => a.SDiv32(R1, R2)),                 // w1 s/= w2
        Row("w1 s/= -3", "34 01 01 00 fd ff ff ff", a => a.SDiv32(R1, -3)),                 // w1 s/= -3
        Row("r1 s%= r2", "9f 21 01 00 00 00 00 00", a => a.SMod64(R1, R2)),                 // r1 s%= r2
        Row("r1 s%= 3", "97 01 01 00 03 00 00 00", a => a.SMod64(R1, 3)),                   // r1 s%= 3
        Row("w1 s%= w2", "9c 21 01 00 00 00 00 00", a => a.SMod32(R1, R2)),                 // w1 s%= w2
        Row("w1 s%= 5", "94 01 01 00 05 00 00 00", a => a.SMod32(R1, 5)),                   // w1 s%= 5
        Row("r1 = (s8)r2", "bf 21 08 00 00 00 00 00", a => a.MovSx64(R1, R2, 8)),           // r1 = (s8)r2
        Row("r1 = (s16)r2", "bf 21 10 00 00 00 00 00", a => a.MovSx64(R1, R2, 16)),         // r1 = (s16)r2
        Row("r1 = (s32)r2", "bf 21 20 00 00 00 00 00", a => a.MovSx64(R1, R2, 32)),         // r1 = (s32)r2
        Row("w1 = (s8)w2", "bc 21 08 00 00 00 00 00", a => a.MovSx32(R1, R2, 8)),           // w1 = (s8)w2
        Row("w1 = (s16)w2", "bc 21 10 00 00 00 00 00", a => a.MovSx32(R1, R2, 16)),         // w1 = (s16)w2
        Row("r1 = be16 r1", "dc 01 00 00 10 00 00 00", a => a.ToBigEndian(R1, 16)),         // r1 = be16 r1
        Row("r1 = be32 r1", "dc 01 00 00 20 00 00 00", a => a.ToBigEndian(R1, 32)),         // r1 = be32 r1
        Row("r1 = be64 r1", "dc 01 00 00 40 00 00 00", a => a.ToBigEndian(R1, 64)),         // r1 = be64 r1
        Row("r1 = le16 r1", "d4 01 00 00 10 00 00 00", a => a.ToLittleEndian(R1, 16)),      // r1 = le16 r1
        Row("r1 = le32 r1", "d4 01 00 00 20 00 00 00", a => a.ToLittleEndian(R1, 32)),      // r1 = le32 r1
        Row("r1 = le64 r1", "d4 01 00 00 40 00 00 00", a => a.ToLittleEndian(R1, 64)),      // r1 = le64 r1
        Row("r1 = bswap16 r1", "d7 01 00 00 10 00 00 00", a => a.ByteSwap(R1, 16)),         // r1 = bswap16 r1
        Row("r1 = bswap32 r1", "d7 01 00 00 20 00 00 00", a => a.ByteSwap(R1, 32)),         // r1 = bswap32 r1
        Row("r1 = bswap64 r1", "d7 01 00 00 40 00 00 00", a => a.ByteSwap(R1, 64)),         // r1 = bswap64 r1
        Row("r1 = *(u8 *)(r2 +1)", "71 21 01 00 00 00 00 00", a => a.Load(R1, R2, 1, BpfSize.B)),        // r1 = *(u8 *)(r2 + 1)
        Row("r1 = *(u16 *)(r2 +2)", "69 21 02 00 00 00 00 00", a => a.Load(R1, R2, 2, BpfSize.H)),       // r1 = *(u16 *)(r2 + 2)
        Row("r1 = *(u32 *)(r10 -4)", "61 a1 fc ff 00 00 00 00", a => a.Load(R1, R10, -4, BpfSize.W)),    // r1 = *(u32 *)(r10 - 4)
        Row("r1 = *(u64 *)(r10 -8)", "79 a1 f8 ff 00 00 00 00", a => a.Load(R1, R10, -8, BpfSize.DW)),   // r1 = *(u64 *)(r10 - 8)
        Row("r1 = *(s8 *)(r2 +1)", "91 21 01 00 00 00 00 00", a => a.LoadSignExtend(R1, R2, 1, BpfSize.B)),      // r1 = *(s8 *)(r2 + 1)
        Row("r1 = *(s16 *)(r2 -2)", "89 21 fe ff 00 00 00 00", a => a.LoadSignExtend(R1, R2, -2, BpfSize.H)),    // r1 = *(s16 *)(r2 - 2)
        Row("r1 = *(s32 *)(r10 -4)", "81 a1 fc ff 00 00 00 00", a => a.LoadSignExtend(R1, R10, -4, BpfSize.W)),  // r1 = *(s32 *)(r10 - 4)
        Row("*(u8 *)(r10 -1) = r1", "73 1a ff ff 00 00 00 00", a => a.Store(R10, -1, R1, BpfSize.B)),    // *(u8 *)(r10 - 1) = r1
        Row("*(u16 *)(r10 -2) = r1", "6b 1a fe ff 00 00 00 00", a => a.Store(R10, -2, R1, BpfSize.H)),   // *(u16 *)(r10 - 2) = r1
        Row("*(u32 *)(r10 -4) = r1", "63 1a fc ff 00 00 00 00", a => a.Store(R10, -4, R1, BpfSize.W)),   // *(u32 *)(r10 - 4) = r1
        Row("*(u64 *)(r10 -8) = r1", "7b 1a f8 ff 00 00 00 00", a => a.Store(R10, -8, R1, BpfSize.DW)),  // *(u64 *)(r10 - 8) = r1
        Row("*(u8 *)(r10 -1) = 7", "72 0a ff ff 07 00 00 00", a => a.StoreImm(R10, -1, 7, BpfSize.B)),   // *(u8 *)(r10 - 1) = 7
        Row("*(u16 *)(r10 -2) = -2", "6a 0a fe ff fe ff ff ff", a => a.StoreImm(R10, -2, -2, BpfSize.H)), // *(u16 *)(r10 - 2) = -2
        Row("*(u32 *)(r10 -4) = 5", "62 0a fc ff 05 00 00 00", a => a.StoreImm(R10, -4, 5, BpfSize.W)),  // *(u32 *)(r10 - 4) = 5
        Row("*(u64 *)(r10 -8) = -1", "7a 0a f8 ff ff ff ff ff", a => a.StoreImm(R10, -8, -1, BpfSize.DW)), // *(u64 *)(r10 - 8) = -1
        Row("r0 = *(u8 *)skb[23]", "30 00 00 00 17 00 00 00", a => a.LoadAbsolute(BpfSize.B, 23)),       // r0 = *(u8 *)skb[23]
        Row("r0 = *(u16 *)skb[12]", "28 00 00 00 0c 00 00 00", a => a.LoadAbsolute(BpfSize.H, 12)),      // r0 = *(u16 *)skb[12]
        Row("r0 = *(u32 *)skb[26]", "20 00 00 00 1a 00 00 00", a => a.LoadAbsolute(BpfSize.W, 26)),      // r0 = *(u32 *)skb[26]
        Row("r0 = *(u8 *)skb[r1 + 0]", "50 10 00 00 00 00 00 00", a => a.LoadIndirect(BpfSize.B, R1, 0)),  // r0 = *(u8 *)skb[r1]
        Row("r0 = *(u32 *)skb[r7 + 0]", "40 70 00 00 00 00 00 00", a => a.LoadIndirect(BpfSize.W, R7, 0)), // r0 = *(u32 *)skb[r7]
        Row("lock *(u64 *)(r1 +8) += r2", "db 21 08 00 00 00 00 00", a => a.AtomicAdd(R1, 8, R2, BpfSize.DW)),   // lock *(u64 *)(r1 + 8) += r2
        Row("lock *(u32 *)(r1 +4) += r2", "c3 21 04 00 00 00 00 00", a => a.AtomicAdd(R1, 4, R2, BpfSize.W)),    // lock *(u32 *)(r1 + 4) += w2
        Row("lock *(u64 *)(r1 +0) |= r2", "db 21 00 00 40 00 00 00", a => a.Atomic(AtomicOp.Or, R1, 0, R2, BpfSize.DW)),  // lock *(u64 *)(r1 + 0) |= r2
        Row("lock *(u64 *)(r1 +0) &= r2", "db 21 00 00 50 00 00 00", a => a.Atomic(AtomicOp.And, R1, 0, R2, BpfSize.DW)), // lock *(u64 *)(r1 + 0) &= r2
        Row("lock *(u64 *)(r1 +0) ^= r2", "db 21 00 00 a0 00 00 00", a => a.Atomic(AtomicOp.Xor, R1, 0, R2, BpfSize.DW)), // lock *(u64 *)(r1 + 0) ^= r2
        Row("lock *(u32 *)(r1 +0) ^= r2", "c3 21 00 00 a0 00 00 00", a => a.Atomic(AtomicOp.Xor, R1, 0, R2, BpfSize.W)),  // lock *(u32 *)(r1 + 0) ^= w2
        Row("r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)", "db 21 00 00 01 00 00 00", a => a.Atomic(AtomicOp.FetchAdd, R1, 0, R2, BpfSize.DW)), // r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)
        Row("r2 = atomic_fetch_add((u32 *)(r1 +0), r2)", "c3 21 00 00 01 00 00 00", a => a.Atomic(AtomicOp.FetchAdd, R1, 0, R2, BpfSize.W)),    // w2 = atomic_fetch_add((u32 *)(r1 + 0), w2)
        Row("r2 = atomic64_fetch_or((u64 *)(r1 +0), r2)", "db 21 00 00 41 00 00 00", a => a.Atomic(AtomicOp.FetchOr, R1, 0, R2, BpfSize.DW)),   // r2 = atomic_fetch_or((u64 *)(r1 + 0), r2)
        Row("r2 = atomic64_fetch_and((u64 *)(r1 +0), r2)", "db 21 00 00 51 00 00 00", a => a.Atomic(AtomicOp.FetchAnd, R1, 0, R2, BpfSize.DW)), // r2 = atomic_fetch_and((u64 *)(r1 + 0), r2)
        Row("r2 = atomic64_fetch_xor((u64 *)(r1 +0), r2)", "db 21 00 00 a1 00 00 00", a => a.Atomic(AtomicOp.FetchXor, R1, 0, R2, BpfSize.DW)), // r2 = atomic_fetch_xor((u64 *)(r1 + 0), r2)
        Row("r2 = atomic64_xchg((u64 *)(r1 +0), r2)", "db 21 00 00 e1 00 00 00", a => a.AtomicExchange(R1, 0, R2, BpfSize.DW)),               // r2 = xchg_64(r1 + 0, r2)
        Row("r2 = atomic_xchg((u32 *)(r1 +0), r2)", "c3 21 00 00 e1 00 00 00", a => a.AtomicExchange(R1, 0, R2, BpfSize.W)),                  // w2 = xchg32_32(r1 + 0, w2)
        Row("r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)", "db 21 00 00 f1 00 00 00", a => a.AtomicCompareExchange(R1, 0, R2, BpfSize.DW)), // r0 = cmpxchg_64(r1 + 0, r0, r2)
        Row("r0 = atomic_cmpxchg((u32 *)(r1 +0), r0, r2)", "c3 21 00 00 f1 00 00 00", a => a.AtomicCompareExchange(R1, 0, R2, BpfSize.W)),    // w0 = cmpxchg32_32(r1 + 0, w0, w2)
        Row("r1 = 0x123456789abc ll", "18 01 00 00 bc 9a 78 56 00 00 00 00 34 12 00 00", a => a.LoadImm64(R1, 0x123456789abc)), // r1 = 0x123456789abc ll
        Row("r1 = 0xffffffffffffffff ll", "18 01 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff", a => a.LoadImm64(R1, -1)),        // r1 = -1 ll
        Row("r1 = 0x0 ll", "18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00", a => a.LoadImm64(R1, 0)),                        // r1 = 0 ll
        JumpRow("if r1 == 0x0 goto +3", "15 01 03 00 00 00 00 00", 3, a => a.JumpIf(JumpOp.Eq, R1, 0, "t")),           // if r1 == 0 goto +3
        JumpRow("if r1 != 0xffffffff goto -4", "55 01 fc ff ff ff ff ff", -4, a => a.JumpIf(JumpOp.Ne, R1, -1, "t")),  // if r1 != -1 goto -4
        JumpRow("if r1 > r2 goto +1", "2d 21 01 00 00 00 00 00", 1, a => a.JumpIf(JumpOp.Gt, R1, R2, "t")),            // if r1 > r2 goto +1
        JumpRow("if r1 >= 0x5 goto +0", "35 01 00 00 05 00 00 00", 0, a => a.JumpIf(JumpOp.Ge, R1, 5, "t")),           // if r1 >= 5 goto +0
        JumpRow("if r1 < r2 goto +2", "ad 21 02 00 00 00 00 00", 2, a => a.JumpIf(JumpOp.Lt, R1, R2, "t")),            // if r1 < r2 goto +2
        JumpRow("if r1 <= 0x5 goto +2", "b5 01 02 00 05 00 00 00", 2, a => a.JumpIf(JumpOp.Le, R1, 5, "t")),           // if r1 <= 5 goto +2
        JumpRow("if r1 s> r2 goto +2", "6d 21 02 00 00 00 00 00", 2, a => a.JumpIf(JumpOp.SGt, R1, R2, "t")),          // if r1 s> r2 goto +2
        JumpRow("if r1 s>= 0xfffffff9 goto +2", "75 01 02 00 f9 ff ff ff", 2, a => a.JumpIf(JumpOp.SGe, R1, -7, "t")), // if r1 s>= -7 goto +2
        JumpRow("if r1 s< r2 goto +2", "cd 21 02 00 00 00 00 00", 2, a => a.JumpIf(JumpOp.SLt, R1, R2, "t")),          // if r1 s< r2 goto +2
        JumpRow("if r1 s<= 0x0 goto +2", "d5 01 02 00 00 00 00 00", 2, a => a.JumpIf(JumpOp.SLe, R1, 0, "t")),         // if r1 s<= 0 goto +2
        JumpRow("if r1 & 0x8 goto +2", "45 01 02 00 08 00 00 00", 2, a => a.JumpIf(JumpOp.Set, R1, 8, "t")),           // if r1 & 8 goto +2
        JumpRow("if w1 == 0x0 goto +3", "16 01 03 00 00 00 00 00", 3, a => a.JumpIf32(JumpOp.Eq, R1, 0, "t")),         // if w1 == 0 goto +3
        JumpRow("if w1 > w2 goto -2", "2e 21 fe ff 00 00 00 00", -2, a => a.JumpIf32(JumpOp.Gt, R1, R2, "t")),         // if w1 > w2 goto -2
        JumpRow("if w1 s< 0xffffffff goto +1", "c6 01 01 00 ff ff ff ff", 1, a => a.JumpIf32(JumpOp.SLt, R1, -1, "t")), // if w1 s< -1 goto +1
        JumpRow("if w1 & w2 goto +1", "4e 21 01 00 00 00 00 00", 1, a => a.JumpIf32(JumpOp.Set, R1, R2, "t")),         // if w1 & w2 goto +1
        JumpRow("goto +1", "05 00 01 00 00 00 00 00", 1, a => a.Jump("t")),                                            // goto +1
        JumpRow("goto -1", "05 00 ff ff 00 00 00 00", -1, a => a.Jump("t")),                                           // goto -1
        Row("call 1", "85 00 00 00 01 00 00 00", a => a.Call(BpfHelper.MapLookupElem)),                                // call 1
        Row("call 130", "85 00 00 00 82 00 00 00", a => a.Call(BpfHelper.RingbufOutput)),                              // call 130
        Row("exit", "95 00 00 00 00 00 00 00", a => a.Exit()),                                                          // exit
    ];

    public static TheoryData<string> Texts => new(Cases.Select(c => c.Text));

    private static Case Find(string text) => Cases.Single(c => c.Text == text);

    [Theory]
    [MemberData(nameof(Texts))]
    public void AssemblerEmitsLlvmBytes(string text)
    {
        var row = Find(text);
        Assert.Equal(row.Bytes, row.Assemble());
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void DisassemblerPrintsKernelText(string text)
    {
        var program = Parse(Find(text).Bytes);
        Assert.Equal(text, program.Length == 1 ? program[0].ToString() : DisassembleBody(program));
    }

    [Fact]
    public void AllFormsAreCovered()
    {
        // One case per distinct encoding: the same bytes twice would mean a copy-paste slip.
        Assert.Equal(Cases.Length, Cases.Select(c => c.Bytes).Distinct().Count());
        Assert.Equal(Cases.Length, Cases.Select(c => c.Text).Distinct().Count());
    }

    // A two-slot instruction is one line of Disassemble: "0: (18) <text>".
    private static string DisassembleBody(BpfInstruction[] program)
    {
        var line = BpfInstruction.Disassemble(program).TrimEnd('\n');
        Assert.DoesNotContain('\n', line);
        return line[(line.IndexOf(") ", StringComparison.Ordinal) + 2)..];
    }
}
