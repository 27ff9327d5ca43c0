namespace BpfSharp;

/// <summary>Map types, with the kernel's numbers (<c>enum bpf_map_type</c>).</summary>
public enum BpfMapType : uint
{
    /// <summary><c>BPF_MAP_TYPE_UNSPEC</c>: reserved; not a map type.</summary>
    Unspec = 0,
    /// <summary><c>BPF_MAP_TYPE_HASH</c>: a hash table of fixed-size keys and values.</summary>
    Hash = 1,
    /// <summary><c>BPF_MAP_TYPE_ARRAY</c>: an array of fixed-size values indexed by a 32-bit key, preallocated and zero-filled.</summary>
    Array = 2,
    /// <summary><c>BPF_MAP_TYPE_PROG_ARRAY</c>: an array of program file descriptors, the targets of <c>bpf_tail_call</c>.</summary>
    ProgArray = 3,
    /// <summary><c>BPF_MAP_TYPE_PERF_EVENT_ARRAY</c>: per-CPU perf event file descriptors, for <c>bpf_perf_event_output</c> and <c>bpf_perf_event_read</c>.</summary>
    PerfEventArray = 4,
    /// <summary><c>BPF_MAP_TYPE_PERCPU_HASH</c>: a hash table with a separate value per CPU.</summary>
    PerCpuHash = 5,
    /// <summary><c>BPF_MAP_TYPE_PERCPU_ARRAY</c>: an array with a separate value per CPU.</summary>
    PerCpuArray = 6,
    /// <summary><c>BPF_MAP_TYPE_STACK_TRACE</c>: stack traces recorded by <c>bpf_get_stackid</c>, keyed by stack id.</summary>
    StackTrace = 7,
    /// <summary><c>BPF_MAP_TYPE_CGROUP_ARRAY</c>: cgroup file descriptors, for <c>bpf_skb_under_cgroup</c> and <c>bpf_current_task_under_cgroup</c>.</summary>
    CgroupArray = 8,
    /// <summary><c>BPF_MAP_TYPE_LRU_HASH</c>: a hash table that evicts the least recently used element when full.</summary>
    LruHash = 9,
    /// <summary><c>BPF_MAP_TYPE_LRU_PERCPU_HASH</c>: an LRU hash table with a separate value per CPU.</summary>
    LruPerCpuHash = 10,
    /// <summary><c>BPF_MAP_TYPE_LPM_TRIE</c>: a longest-prefix-match trie (keys are a prefix length and the data, such as IP addresses).</summary>
    LpmTrie = 11,
    /// <summary><c>BPF_MAP_TYPE_ARRAY_OF_MAPS</c>: an array whose values are inner maps.</summary>
    ArrayOfMaps = 12,
    /// <summary><c>BPF_MAP_TYPE_HASH_OF_MAPS</c>: a hash table whose values are inner maps.</summary>
    HashOfMaps = 13,
    /// <summary><c>BPF_MAP_TYPE_DEVMAP</c>: network devices by index, the targets of XDP redirects.</summary>
    DevMap = 14,
    /// <summary><c>BPF_MAP_TYPE_SOCKMAP</c>: sockets by index, for socket redirection (sk_msg, sk_skb).</summary>
    SockMap = 15,
    /// <summary><c>BPF_MAP_TYPE_CPUMAP</c>: CPUs, the targets of XDP redirects to another CPU.</summary>
    CpuMap = 16,
    /// <summary><c>BPF_MAP_TYPE_XSKMAP</c>: AF_XDP sockets, the targets of XDP redirects.</summary>
    XskMap = 17,
    /// <summary><c>BPF_MAP_TYPE_SOCKHASH</c>: sockets by key, for socket redirection (sk_msg, sk_skb).</summary>
    SockHash = 18,
    /// <summary><c>BPF_MAP_TYPE_CGROUP_STORAGE</c>: per-cgroup storage of a cgroup program (superseded by <c>BPF_MAP_TYPE_CGRP_STORAGE</c>).</summary>
    CgroupStorage = 19,
    /// <summary><c>BPF_MAP_TYPE_REUSEPORT_SOCKARRAY</c>: sockets of a <c>SO_REUSEPORT</c> group, for <c>bpf_sk_select_reuseport</c>.</summary>
    ReuseportSockArray = 20,
    /// <summary><c>BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE</c>: per-CPU per-cgroup storage of a cgroup program.</summary>
    PerCpuCgroupStorage = 21,
    /// <summary><c>BPF_MAP_TYPE_QUEUE</c>: a FIFO of values without keys (<c>bpf_map_push_elem</c>, <c>bpf_map_pop_elem</c>).</summary>
    Queue = 22,
    /// <summary><c>BPF_MAP_TYPE_STACK</c>: a LIFO of values without keys (<c>bpf_map_push_elem</c>, <c>bpf_map_pop_elem</c>).</summary>
    Stack = 23,
    /// <summary><c>BPF_MAP_TYPE_SK_STORAGE</c>: storage attached to each socket (<c>bpf_sk_storage_get</c>).</summary>
    SkStorage = 24,
    /// <summary><c>BPF_MAP_TYPE_DEVMAP_HASH</c>: network devices by a hash key, the targets of XDP redirects.</summary>
    DevMapHash = 25,
    /// <summary><c>BPF_MAP_TYPE_STRUCT_OPS</c>: a kernel <c>struct_ops</c> structure whose function pointers are BPF programs.</summary>
    StructOps = 26,
    /// <summary><c>BPF_MAP_TYPE_RINGBUF</c>: a multi-producer, single-consumer ring buffer shared by all CPUs, read from user space.</summary>
    RingBuf = 27,
    /// <summary><c>BPF_MAP_TYPE_INODE_STORAGE</c>: storage attached to each inode (<c>bpf_inode_storage_get</c>).</summary>
    InodeStorage = 28,
    /// <summary><c>BPF_MAP_TYPE_TASK_STORAGE</c>: storage attached to each task (<c>bpf_task_storage_get</c>).</summary>
    TaskStorage = 29,
    /// <summary><c>BPF_MAP_TYPE_BLOOM_FILTER</c>: a Bloom filter: membership tests with false positives but no false negatives.</summary>
    BloomFilter = 30,
    /// <summary><c>BPF_MAP_TYPE_USER_RINGBUF</c>: a ring buffer written by user space and drained by programs (<c>bpf_user_ringbuf_drain</c>).</summary>
    UserRingBuf = 31,
    /// <summary><c>BPF_MAP_TYPE_CGRP_STORAGE</c>: storage attached to each cgroup (<c>bpf_cgrp_storage_get</c>).</summary>
    CgrpStorage = 32,
    /// <summary><c>BPF_MAP_TYPE_ARENA</c>: a sparse memory region shared by programs and user space.</summary>
    Arena = 33,
}

/// <summary>Map creation flags (<c>BPF_F_*</c> for BPF_MAP_CREATE).</summary>
[Flags]
public enum BpfMapFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary><c>BPF_F_NO_PREALLOC</c>: do not preallocate the elements of a hash map.</summary>
    NoPrealloc = 1 << 0,
    /// <summary><c>BPF_F_NO_COMMON_LRU</c>: give each CPU its own LRU list.</summary>
    NoCommonLru = 1 << 1,
    /// <summary><c>BPF_F_NUMA_NODE</c>: allocate on the NUMA node given at creation.</summary>
    NumaNode = 1 << 2,
    /// <summary><c>BPF_F_RDONLY</c>: user space may only read the map.</summary>
    ReadOnly = 1 << 3,
    /// <summary><c>BPF_F_WRONLY</c>: user space may only write the map.</summary>
    WriteOnly = 1 << 4,
    /// <summary><c>BPF_F_STACK_BUILD_ID</c>: stack traces hold build ids and offsets instead of addresses.</summary>
    StackBuildId = 1 << 5,
    /// <summary><c>BPF_F_ZERO_SEED</c>: hash with a zero seed (testing only).</summary>
    ZeroSeed = 1 << 6,
    /// <summary><c>BPF_F_RDONLY_PROG</c>: programs may only read the map.</summary>
    ReadOnlyProgram = 1 << 7,
    /// <summary><c>BPF_F_WRONLY_PROG</c>: programs may only write the map.</summary>
    WriteOnlyProgram = 1 << 8,
    /// <summary><c>BPF_F_CLONE</c>: clone the socket storage to a child socket.</summary>
    Clone = 1 << 9,
    /// <summary>The map's values can be memory-mapped (array maps): see <see cref="BpfMap.MapMemory"/>.</summary>
    Mmapable = 1 << 10,
    /// <summary><c>BPF_F_PRESERVE_ELEMS</c>: keep a perf event array's entries when the file that added them is closed.</summary>
    PreserveElems = 1 << 11,
    /// <summary><c>BPF_F_INNER_MAP</c>: an inner map whose max_entries may differ between inner maps.</summary>
    InnerMap = 1 << 12,
    /// <summary><c>BPF_F_LINK</c>: a struct_ops map to attach through a link.</summary>
    Link = 1 << 13,
    /// <summary><c>BPF_F_PATH_FD</c>: the pathname is relative to a file descriptor (object get).</summary>
    PathFd = 1 << 14,
    /// <summary><c>BPF_F_VTYPE_BTF_OBJ_FD</c>: the value type id is in the BTF object given by a file descriptor.</summary>
    VTypeBtfObjFd = 1 << 15,
    /// <summary><c>BPF_F_TOKEN_FD</c>: the request carries a BPF token file descriptor.</summary>
    TokenFd = 1 << 16,
    /// <summary><c>BPF_F_SEGV_ON_FAULT</c>: an arena access to an unpopulated page faults in user space.</summary>
    SegvOnFault = 1 << 17,
    /// <summary><c>BPF_F_NO_USER_CONV</c>: arena pointers are not converted to user-space addresses.</summary>
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
    /// <summary>A plain lookup.</summary>
    None = 0,
    /// <summary><c>BPF_F_LOCK</c>: copy the value under its <c>struct bpf_spin_lock</c>.</summary>
    Lock = 4,
}
