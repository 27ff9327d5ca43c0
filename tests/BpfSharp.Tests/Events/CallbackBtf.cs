using System.Text;
using BpfSharp.Interop;

namespace BpfSharp.Tests.Events;

/// <summary>
/// The smallest BTF the verifier accepts for a program that passes a bpf-to-bpf function as a callback
/// (it insists on func_info then): <c>int main(void *ctx)</c> at instruction 0 and a static
/// <c>int callback(void *, void *)</c>. Written by hand for the tests, loaded with BPF_BTF_LOAD.
/// </summary>
internal static unsafe class CallbackBtf
{
    private const uint KindInt = 1, KindPtr = 2, KindFunc = 12, KindFuncProto = 13;

    /// <summary>Loads the BTF and returns its fd with func_info records for main (insn 0) and the callback.</summary>
    public static (SafeFdHandle Btf, byte[] FuncInfo) Load(int callbackInstruction)
    {
        // A function's parameters must be named.
        var strings = "\0int\0main\0callback\0ctx\0arg\0"u8.ToArray();
        const uint intName = 1, mainName = 5, callbackName = 10, ctxName = 19, argName = 23;
        var types = new List<uint>();
        void Type(uint name, uint kind, uint vlen, uint sizeOrType) => types.AddRange([name, kind << 24 | vlen, sizeOrType]);
        Type(intName, KindInt, 0, 4); types.Add(1u << 24 | 32);        // [1] int: signed, 32 bits
        Type(0, KindPtr, 0, 0);                                         // [2] void *
        Type(0, KindFuncProto, 1, 1); types.AddRange([ctxName, 2]);                      // [3] int (void *ctx)
        Type(0, KindFuncProto, 2, 1); types.AddRange([argName, 2, ctxName, 2]);          // [4] int (void *arg, void *ctx)
        Type(mainName, KindFunc, 1, 3);                                 // [5] global main
        Type(callbackName, KindFunc, 0, 4);                             // [6] static callback

        int typeLen = types.Count * 4;
        var blob = new byte[24 + typeLen + strings.Length];
        var header = new uint[] { 0x0001eb9f /* magic, version 1, flags 0 */, 24, 0, (uint)typeLen, (uint)typeLen, (uint)strings.Length };
        Buffer.BlockCopy(header, 0, blob, 0, 24);
        Buffer.BlockCopy(types.ToArray(), 0, blob, 24, typeLen);
        strings.CopyTo(blob, 24 + typeLen);

        var log = new byte[64 * 1024];
        fixed (byte* b = blob, l = log)
        {
            var attr = new BtfLoadAttr { btf = (ulong)b, btf_size = (uint)blob.Length, btf_log_buf = (ulong)l, btf_log_size = (uint)log.Length, btf_log_level = 1 };
            int fd = Bpf.TryCall(BpfCommand.BPF_BTF_LOAD, ref attr);
            if (fd < 0) throw new BpfException("BPF_BTF_LOAD", -fd, Encoding.UTF8.GetString(log).TrimEnd('\0'));
            var funcInfo = new uint[] { 0, 5, (uint)callbackInstruction, 6 };
            var bytes = new byte[16];
            Buffer.BlockCopy(funcInfo, 0, bytes, 0, 16);
            return (new SafeFdHandle(fd), bytes);
        }
    }
}
