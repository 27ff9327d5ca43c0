namespace BpfSharp.Btf;

/// <summary>The CO-RE relocation kinds clang emits (<c>enum bpf_core_relo_kind</c>).</summary>
public enum CoreRelocationKind
{
    /// <c>BPF_CORE_FIELD_BYTE_OFFSET</c>: a field's offset in bytes.
    FieldByteOffset = 0,
    /// <c>BPF_CORE_FIELD_BYTE_SIZE</c>: a field's size in bytes.
    FieldByteSize = 1,
    /// <c>BPF_CORE_FIELD_EXISTS</c>: 1 when the field exists in the target, else 0.
    FieldExists = 2,
    /// <c>BPF_CORE_FIELD_SIGNED</c>: 1 when the field is signed.
    FieldSigned = 3,
    /// <c>BPF_CORE_FIELD_LSHIFT_U64</c>: the left shift that extracts a bitfield from a 64-bit load.
    FieldLShiftU64 = 4,
    /// <c>BPF_CORE_FIELD_RSHIFT_U64</c>: the right shift that extracts a bitfield from a 64-bit load.
    FieldRShiftU64 = 5,
    /// <c>BPF_CORE_TYPE_ID_LOCAL</c>: the type's id in the object's own BTF.
    TypeIdLocal = 6,
    /// <c>BPF_CORE_TYPE_ID_TARGET</c>: the matching type's id in the target BTF.
    TypeIdTarget = 7,
    /// <c>BPF_CORE_TYPE_EXISTS</c>: 1 when the target has a compatible type.
    TypeExists = 8,
    /// <c>BPF_CORE_TYPE_SIZE</c>: the type's size in bytes in the target.
    TypeSize = 9,
    /// <c>BPF_CORE_ENUMVAL_EXISTS</c>: 1 when the target's enum has the enumerator.
    EnumValueExists = 10,
    /// <c>BPF_CORE_ENUMVAL_VALUE</c>: the enumerator's value in the target.
    EnumValue = 11,
    /// <c>BPF_CORE_TYPE_MATCHES</c>: 1 when the target type matches the local one strictly (<c>bpf_core_type_matches</c>).
    TypeMatches = 12,
}
