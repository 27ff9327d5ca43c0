using BpfSharp.Btf;

namespace BpfSharp.Tracing;

/// <summary>
/// The layout of <c>struct __bpf_usdt_spec</c>, the value of the <c>__bpf_usdt_specs</c> map libbpf's
/// <c>usdt.bpf.h</c> reads: twelve <c>struct __bpf_usdt_arg_spec</c> (displacement or constant, argument kind,
/// <c>pt_regs</c> offset of the register, signedness, the shift that narrows the value), the USDT cookie and the
/// argument count. The header changed it (libbpf 1.7 added the indexed kind and its fields, growing each argument
/// from 16 to 24 bytes), so the layout is read from the BPF object's own BTF, which describes the header it was
/// compiled with.
/// </summary>
public sealed class UsdtSpecLayout
{
    /// <summary>A field: bit offset and width.</summary>
    private readonly record struct Field(int BitOffset, int Bits);

    private readonly Field _valOff, _argType, _regOff, _signed, _bitshift, _cookie, _argCount;
    private readonly Field? _indexRegOff, _scaleShift;
    private readonly int _argsByteOffset, _argStride;
    private readonly long[] _kindValues;

    private UsdtSpecLayout(int valueSize, int argsByteOffset, int argStride, int maxArguments, Field valOff, Field argType, Field regOff,
        Field signed, Field bitshift, Field? indexRegOff, Field? scaleShift, Field cookie, Field argCount, long[] kindValues)
    {
        ValueSize = valueSize;
        _argsByteOffset = argsByteOffset;
        _argStride = argStride;
        MaxArguments = maxArguments;
        (_valOff, _argType, _regOff, _signed, _bitshift, _indexRegOff, _scaleShift, _cookie, _argCount) =
            (valOff, argType, regOff, signed, bitshift, indexRegOff, scaleShift, cookie, argCount);
        _kindValues = kindValues;
    }

    /// <summary>The size of one spec (the map's value size).</summary>
    public int ValueSize { get; }

    /// <summary>How many argument specs one spec holds (<c>BPF_USDT_MAX_ARG_CNT</c>).</summary>
    public int MaxArguments { get; }

    /// <summary>Whether the header reads base + index × scale operands (<c>BPF_USDT_ARG_SIB</c>, libbpf 1.7).</summary>
    public bool SupportsIndexedMemory => _indexRegOff is not null && _kindValues[(int)UsdtArgumentKind.IndexedMemory] >= 0;

    /// <summary>
    /// The layout of libbpf 1.0–1.6's header (208 bytes: 16-byte argument specs with a 4-byte kind), for an object
    /// without BTF.
    /// </summary>
    public static UsdtSpecLayout Legacy { get; } = new(208, 0, 16, 12,
        valOff: new(0, 64), argType: new(64, 32), regOff: new(96, 16), signed: new(112, 8), bitshift: new(120, 8),
        indexRegOff: null, scaleShift: null, cookie: new(192 * 8, 64), argCount: new(200 * 8, 16), kindValues: [0, 1, 2, -1]);

    /// <summary>Reads the layout from <c>struct __bpf_usdt_spec</c> (type <paramref name="specTypeId"/>) in <paramref name="btf"/>.</summary>
    /// <exception cref="BpfFormatException">The type is not the struct usdt.bpf.h defines.</exception>
    public static UsdtSpecLayout FromBtf(BtfSpec btf, int specTypeId)
    {
        ArgumentNullException.ThrowIfNull(btf);
        const string what = "USDT spec map value (struct __bpf_usdt_spec)";
        try
        {
            if (btf[btf.SkipModifiers(specTypeId)] is not BtfStruct spec)
                throw new BpfFormatException(what, $"type {specTypeId} is not a struct");
            var args = btf.FindMember(specTypeId, "args");
            if (btf[btf.SkipModifiers(args.TypeId)] is not BtfArray array || btf[btf.SkipModifiers(array.ElementTypeId)] is not BtfStruct arg)
                throw new BpfFormatException(what, "member args is not an array of struct __bpf_usdt_arg_spec");
            int argId = btf.SkipModifiers(array.ElementTypeId);
            Field F(int id, string name, long baseBits = 0)
            {
                var m = btf.FindMember(id, name);
                int bits = m.IsBitfield ? m.BitfieldSize : (btf.TryGetSize(m.TypeId, out int size) ? size * 8 : throw new BpfFormatException(what, $"member {name} has no size"));
                return new Field((int)(m.BitOffset + baseBits), bits);
            }
            Field? Optional(int id, string name) => btf.TryFindMember(id, name, out _) ? F(id, name) : null;
            // Enumerator values as the header declares them; -1 for a kind it does not know.
            long[] kinds = [-1, -1, -1, -1];
            var typeMember = btf.FindMember(argId, "arg_type");
            if (btf[btf.SkipModifiers(typeMember.TypeId)] is BtfEnum e)
            {
                string[] names = ["BPF_USDT_ARG_CONST", "BPF_USDT_ARG_REG", "BPF_USDT_ARG_REG_DEREF", "BPF_USDT_ARG_SIB"];
                for (int i = 0; i < names.Length; i++)
                    kinds[i] = e.Values.FirstOrDefault(v => v.Name == names[i]) is { Name: not null } v ? v.Value : -1;
            }
            if (kinds[0] < 0 || kinds[1] < 0 || kinds[2] < 0)
                throw new BpfFormatException(what, "arg_type is not enum __bpf_usdt_arg_type with CONST, REG and REG_DEREF");
            return new UsdtSpecLayout(spec.Size, (int)args.ByteOffset, arg.Size, array.Length,
                F(argId, "val_off"), F(argId, "arg_type"), F(argId, "reg_off"), F(argId, "arg_signed"), F(argId, "arg_bitshift"),
                Optional(argId, "idx_reg_off"), Optional(argId, "scale_bitshift"),
                F(specTypeId, "usdt_cookie"), F(specTypeId, "arg_cnt"), kinds);
        }
        catch (KeyNotFoundException e)
        {
            throw new BpfFormatException(what, e.Message, e);
        }
    }

    /// <summary>
    /// Encodes the spec of one probe site: its arguments as <paramref name="site"/> places them, and the USDT cookie
    /// (<c>bpf_usdt_cookie()</c>).
    /// </summary>
    /// <exception cref="UsdtArgumentException">An argument is of a kind this header cannot read, or there are too many.</exception>
    public byte[] Encode(UsdtTarget site, ulong cookie)
    {
        ArgumentNullException.ThrowIfNull(site);
        var args = site.ParsedArguments;
        string probe = $"{site.Provider}:{site.Name} in {site.BinaryPath}";
        if (args.Count > MaxArguments)
            throw new UsdtArgumentException(probe, site.Arguments, $"{args.Count} arguments, more than the {MaxArguments} the program's usdt.bpf.h has room for");
        var value = new byte[ValueSize];
        for (int i = 0; i < args.Count; i++)
        {
            var a = args[i];
            long kind = _kindValues[(int)a.Kind];
            if (kind < 0 || a.Kind == UsdtArgumentKind.IndexedMemory && !SupportsIndexedMemory)
                throw new UsdtArgumentException(probe, a.Text,
                    "a base + index × scale operand needs BPF_USDT_ARG_SIB, which the program's usdt.bpf.h (older than libbpf 1.7) does not have");
            int at = (_argsByteOffset + i * _argStride) * 8;
            Write(value, at, _argType, (ulong)kind);
            Write(value, at, _valOff, a.Kind == UsdtArgumentKind.Constant ? unchecked((ulong)a.Value) : unchecked((ulong)site.Displacement(a)));
            Write(value, at, _regOff, a.Kind == UsdtArgumentKind.Constant ? 0 : (ulong)a.RegisterOffset);
            if (a.Kind == UsdtArgumentKind.IndexedMemory)
            {
                Write(value, at, _indexRegOff!.Value, (ulong)a.IndexRegisterOffset);
                Write(value, at, _scaleShift!.Value, (ulong)System.Numerics.BitOperations.Log2((uint)a.Scale));
            }
            Write(value, at, _signed, a.IsSigned ? 1UL : 0);
            // The BPF side shifts left then (arithmetically, when signed) right by this to narrow the 8 bytes it read.
            Write(value, at, _bitshift, (ulong)(64 - a.Size * 8));
        }
        Write(value, 0, _cookie, cookie);
        Write(value, 0, _argCount, (ulong)args.Count);
        return value;
    }

    // Little-endian bit placement, as both clang's bitfields and plain members are laid out on the BPF target.
    private static void Write(byte[] buffer, int baseBits, Field field, ulong v)
    {
        int start = baseBits + field.BitOffset;
        for (int b = 0; b < field.Bits; b++)
        {
            int bit = start + b;
            if (((v >> b) & 1) != 0) buffer[bit / 8] |= (byte)(1 << (bit % 8));
            else buffer[bit / 8] &= (byte)~(1 << (bit % 8));
        }
    }
}
