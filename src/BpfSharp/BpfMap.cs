using BpfSharp.Interop;

namespace BpfSharp;

/// <summary>
/// A BPF map held by an fd. Disposing closes the fd: the kernel frees the map when nothing else
/// (a pin, a loaded program, another fd) holds it.
/// </summary>
public sealed unsafe partial class BpfMap : IDisposable
{
    private uint _id;

    /// <summary>The map's fd.</summary>
    public SafeFdHandle Handle { get; }

    /// <summary>The map type.</summary>
    public BpfMapType Type { get; }
    /// <summary>The key size in bytes.</summary>
    public int KeySize { get; }
    /// <summary>The value size in bytes (per CPU for per-CPU maps).</summary>
    public int ValueSize { get; }
    /// <summary>The maximum number of elements.</summary>
    public int MaxEntries { get; }
    /// <summary>The creation flags.</summary>
    public BpfMapFlags Flags { get; }
    /// <summary>The map's name (as given at creation; the kernel keeps at most 15 characters).</summary>
    public string Name { get; }

    /// <summary>The kernel's id of the map (stable while the map exists, unlike the fd).</summary>
    public uint Id => _id != 0 ? _id : _id = GetInfo().Id;

    /// <summary>Where the map is pinned, when this object pinned it or was opened from a pin.</summary>
    public string? PinPath { get; private set; }

    /// <summary>Whether each key holds one value per possible CPU.</summary>
    public bool IsPerCpu => Type is BpfMapType.PerCpuHash or BpfMapType.PerCpuArray
        or BpfMapType.LruPerCpuHash or BpfMapType.PerCpuCgroupStorage;

    /// <summary>
    /// The size of the value buffer a lookup fills: <see cref="ValueSize"/>, or for per-CPU maps one
    /// 8-byte-aligned slot per possible CPU.
    /// </summary>
    public int ValueBufferSize { get; }

    private int PerCpuStride => (ValueSize + 7) & ~7;

    private BpfMap(SafeFdHandle handle, BpfMapType type, int keySize, int valueSize, int maxEntries, BpfMapFlags flags, string name, uint id)
    {
        Handle = handle;
        Type = type;
        KeySize = keySize;
        ValueSize = valueSize;
        MaxEntries = maxEntries;
        Flags = flags;
        Name = name;
        _id = id;
        // Computed once: every element operation checks its buffer against it.
        ValueBufferSize = IsPerCpu ? PerCpuStride * Cpus.PossibleCount : ValueSize;
    }

    /// <summary>Creates a map (BPF_MAP_CREATE).</summary>
    public static BpfMap Create(BpfMapType type, int keySize, int valueSize, int maxEntries, BpfMapCreateOptions? options = null)
    {
        options ??= new BpfMapCreateOptions();
        var flags = options.Flags | (options.NumaNode is not null ? BpfMapFlags.NumaNode : 0);
        var attr = new MapCreateAttr
        {
            map_type = (uint)type,
            key_size = checked((uint)keySize),
            value_size = checked((uint)valueSize),
            max_entries = checked((uint)maxEntries),
            map_flags = (uint)flags,
            numa_node = (uint)(options.NumaNode ?? 0),
            map_name = ObjName.From(options.Name),
            map_ifindex = (uint)options.Ifindex,
            map_extra = options.MapExtra,
            btf_key_type_id = options.BtfKeyTypeId,
            btf_value_type_id = options.BtfValueTypeId,
            btf_vmlinux_value_type_id = options.BtfVmlinuxValueTypeId,
        };
        var refs = new HandleRefs();
        try
        {
            if (options.InnerMap is not null) attr.inner_map_fd = refs.Add(options.InnerMap.Handle);
            if (options.Btf is not null) attr.btf_fd = refs.Add(options.Btf);
            if (options.Token is not null)
            {
                attr.map_token_fd = (int)refs.Add(options.Token.Handle);
                attr.map_flags |= BpfToken.TokenFdFlag;
            }
            var fd = Bpf.CallForFd(BpfCommand.BPF_MAP_CREATE, ref attr, $"{type} map \"{options.Name}\"");
            return new BpfMap(fd, type, keySize, valueSize, maxEntries, flags, attr.map_name.ToString(), 0);
        }
        finally
        {
            refs.Dispose();
        }
    }

    /// <summary>Wraps an fd of an existing map, reading its shape from the kernel.</summary>
    public static BpfMap FromHandle(SafeFdHandle handle)
    {
        try
        {
            BpfFdKind.Require(handle, BpfFdKind.Map, "open of a BPF map");
            var info = Bpf.GetInfo<BpfMapInfoRaw>(handle, "map");
            return new BpfMap(handle, (BpfMapType)info.type, (int)info.key_size, (int)info.value_size,
                (int)info.max_entries, (BpfMapFlags)info.map_flags, info.name.ToString(), info.id);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Opens the map pinned at <paramref name="path"/>.</summary>
    public static BpfMap OpenPinned(string path)
    {
        var map = FromHandle(Bpf.OpenPinned(path));
        map.PinPath = path;
        return map;
    }

    /// <summary>Opens the map with kernel id <paramref name="id"/>.</summary>
    public static BpfMap FromId(uint id) => FromHandle(Bpf.OpenById(BpfCommand.BPF_MAP_GET_FD_BY_ID, id, "map"));

    /// <summary>The ids of every map in the system.</summary>
    public static IEnumerable<uint> EnumerateIds() => Bpf.EnumerateIds(BpfCommand.BPF_MAP_GET_NEXT_ID);

    /// <summary>Pins the map in bpffs; the map then outlives every fd, until the pin is removed.</summary>
    public void Pin(string path)
    {
        BpfFs.Pin(Handle, path, $"map \"{Name}\"");
        PinPath = path;
    }

    /// <summary>Removes the pin file this map was pinned at or opened from.</summary>
    public void Unpin()
    {
        if (PinPath is null) return;
        BpfFs.Unpin(PinPath);
        PinPath = null;
    }

    /// <summary>What the kernel reports about the map (BPF_OBJ_GET_INFO_BY_FD).</summary>
    public BpfMapInfo GetInfo()
    {
        var i = Bpf.GetInfo<BpfMapInfoRaw>(Handle, $"map \"{Name}\"");
        return new BpfMapInfo(i.id, (BpfMapType)i.type, i.name.ToString(), (int)i.key_size, (int)i.value_size,
            (int)i.max_entries, (BpfMapFlags)i.map_flags, i.btf_id, i.btf_key_type_id, i.btf_value_type_id,
            i.btf_vmlinux_value_type_id, i.map_extra, (int)i.ifindex);
    }

    /// <summary>
    /// The kernel's <c>struct bpf_map_info</c> as it writes it, <paramref name="length"/> bytes (what the kernel does
    /// not fill stays zero): for a reader that walks it through the running kernel's BTF, which may describe fields
    /// <see cref="BpfMapInfo"/> has no name for (bpftool's <c>struct_ops dump</c> prints it so).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public byte[] GetInfoBytes(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var info = new byte[length];
        Bpf.GetInfo(Handle, info, $"map \"{Name}\"");
        return info;
    }

    /// <summary>
    /// Freezes the map (BPF_MAP_FREEZE): from now on user space can no longer change it; programs still
    /// can unless the map was created with <see cref="BpfMapFlags.ReadOnlyProgram"/>.
    /// </summary>
    public void Freeze()
    {
        using var use = new HandleUse(Handle);
        var attr = new MapElemAttr { map_fd = use.Fd };
        Bpf.Call(BpfCommand.BPF_MAP_FREEZE, ref attr, $"map \"{Name}\"");
    }

    /// <summary>Closes the map's fd; the map lives on while a pin, a program or another fd holds it.</summary>
    public void Dispose() => Handle.Dispose();

    /// <summary>The map's type, name and sizes.</summary>
    public override string ToString() => $"{Type} map \"{Name}\" (key {KeySize} B, value {ValueSize} B, {MaxEntries} entries)";
}
