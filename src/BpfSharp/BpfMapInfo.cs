namespace BpfSharp;

/// <summary>What the kernel reports about a map (BPF_OBJ_GET_INFO_BY_FD).</summary>
public sealed record BpfMapInfo(
    uint Id,
    BpfMapType Type,
    string Name,
    int KeySize,
    int ValueSize,
    int MaxEntries,
    BpfMapFlags Flags,
    uint BtfId,
    uint BtfKeyTypeId,
    uint BtfValueTypeId,
    uint BtfVmlinuxValueTypeId,
    ulong MapExtra,
    int Ifindex);
