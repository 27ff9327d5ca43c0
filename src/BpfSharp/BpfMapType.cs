namespace BpfSharp;

/// <summary>Map types, with the kernel's numbers (<c>enum bpf_map_type</c>).</summary>
public enum BpfMapType : uint
{
    Unspec = 0,
    Hash = 1,
    Array = 2,
    ProgArray = 3,
    PerfEventArray = 4,
    PerCpuHash = 5,
    PerCpuArray = 6,
    StackTrace = 7,
    CgroupArray = 8,
    LruHash = 9,
    LruPerCpuHash = 10,
    LpmTrie = 11,
    ArrayOfMaps = 12,
    HashOfMaps = 13,
    DevMap = 14,
    SockMap = 15,
    CpuMap = 16,
    XskMap = 17,
    SockHash = 18,
    CgroupStorage = 19,
    ReuseportSockArray = 20,
    PerCpuCgroupStorage = 21,
    Queue = 22,
    Stack = 23,
    SkStorage = 24,
    DevMapHash = 25,
    StructOps = 26,
    RingBuf = 27,
    InodeStorage = 28,
    TaskStorage = 29,
    BloomFilter = 30,
    UserRingBuf = 31,
    CgrpStorage = 32,
    Arena = 33,
}

/// <summary>Map creation flags (<c>BPF_F_*</c> for BPF_MAP_CREATE).</summary>
[Flags]
public enum BpfMapFlags : uint
{
    None = 0,
    NoPrealloc = 1 << 0,
    NoCommonLru = 1 << 1,
    NumaNode = 1 << 2,
    ReadOnly = 1 << 3,
    WriteOnly = 1 << 4,
    StackBuildId = 1 << 5,
    ZeroSeed = 1 << 6,
    ReadOnlyProgram = 1 << 7,
    WriteOnlyProgram = 1 << 8,
    Clone = 1 << 9,
    /// <summary>The map's values can be memory-mapped (array maps): see <see cref="BpfMap.MapMemory"/>.</summary>
    Mmapable = 1 << 10,
    PreserveElems = 1 << 11,
    InnerMap = 1 << 12,
    Link = 1 << 13,
    PathFd = 1 << 14,
    VTypeBtfObjFd = 1 << 15,
    TokenFd = 1 << 16,
    SegvOnFault = 1 << 17,
    NoUserConv = 1 << 18,
}

/// <summary>How an update treats an existing element (<c>BPF_ANY</c>, <c>BPF_NOEXIST</c>, <c>BPF_EXIST</c>, <c>BPF_F_LOCK</c>).</summary>
[Flags]
public enum BpfMapUpdateFlags : ulong
{
    /// <summary>Create the element or replace it.</summary>
    Any = 0,
    /// <summary>Create only: fails with EEXIST when the key is present.</summary>
    NoExist = 1,
    /// <summary>Replace only: fails with ENOENT when the key is absent.</summary>
    Exist = 2,
    /// <summary>Update the value under its <c>struct bpf_spin_lock</c> (values with a spin lock only).</summary>
    Lock = 4,
}

/// <summary>Lookup flags: <see cref="Lock"/> copies the value under its spin lock.</summary>
[Flags]
public enum BpfMapLookupFlags : ulong
{
    None = 0,
    Lock = 4,
}
