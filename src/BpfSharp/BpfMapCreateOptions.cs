namespace BpfSharp;

/// <summary>The optional parts of a map's creation.</summary>
public sealed class BpfMapCreateOptions
{
    /// <summary>The map's name in the kernel (at most 15 characters are kept).</summary>
    public string? Name { get; init; }

    /// <summary>The creation flags (<c>map_flags</c>).</summary>
    public BpfMapFlags Flags { get; init; }

    /// <summary>A map whose shape the inner maps of an array-of-maps or hash-of-maps must have.</summary>
    public BpfMap? InnerMap { get; init; }

    /// <summary>The NUMA node to allocate on; sets <see cref="BpfMapFlags.NumaNode"/>.</summary>
    public int? NumaNode { get; init; }

    /// <summary>Type-specific: the bloom filter's hash count, the arena's address hint...</summary>
    public ulong MapExtra { get; init; }

    /// <summary>Offload to this network interface.</summary>
    public int Ifindex { get; init; }

    /// <summary>BTF describing the key and value (the object loader sets these).</summary>
    internal SafeFdHandle? Btf { get; init; }
    internal uint BtfKeyTypeId { get; init; }
    internal uint BtfValueTypeId { get; init; }
    internal uint BtfVmlinuxValueTypeId { get; init; }

    /// <summary>A BPF token to create the map with (<c>map_token_fd</c>, Linux 6.9): see <see cref="BpfToken"/>.</summary>
    public BpfToken? Token { get; init; }
}
