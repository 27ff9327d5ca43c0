using BpfSharp.Tracing;

namespace BpfSharp;

/// <summary>
/// The user-space half of libbpf's USDT contract for one object (libbpf's <c>usdt_manager</c>): the two maps
/// <c>usdt.bpf.h</c> defines, <c>__bpf_usdt_specs</c> (spec id → how to fetch each argument, and the USDT cookie)
/// and <c>__bpf_usdt_ip_to_spec_id</c> (probe address → spec id, read only where the program was told the kernel
/// has no BPF cookies), and the spec ids in use. Every attachment of the object's programs shares it.
/// </summary>
internal sealed class UsdtSpecTable
{
    public const string SpecsMapName = "__bpf_usdt_specs";
    public const string IpMapName = "__bpf_usdt_ip_to_spec_id";

    private readonly Lock _lock = new();
    private readonly Stack<int> _free = new();
    private int _next;

    private UsdtSpecTable(BpfMap specs, BpfMap ipToSpecId, UsdtSpecLayout layout, int capacity, bool usesCookies)
    {
        Specs = specs;
        IpToSpecId = ipToSpecId;
        Layout = layout;
        Capacity = capacity;
        UsesCookies = usesCookies;
    }

    public BpfMap Specs { get; }
    public BpfMap IpToSpecId { get; }
    public UsdtSpecLayout Layout { get; }

    /// <summary>The spec map's size (<c>BPF_USDT_MAX_SPEC_CNT</c>).</summary>
    public int Capacity { get; }

    /// <summary>
    /// Whether programs find their spec id in the attach cookie. It follows the <c>LINUX_HAS_BPF_COOKIE</c> value
    /// the object was loaded with: the BPF side reads the address map exactly when that is false.
    /// </summary>
    public bool UsesCookies { get; }

    /// <summary>The table of an object whose maps include usdt.bpf.h's, or null.</summary>
    /// <exception cref="BpfFormatException">The spec map's value is not the struct usdt.bpf.h defines.</exception>
    public static UsdtSpecTable? Create(IReadOnlyDictionary<string, BpfObjectMap> maps, Btf.BtfSpec? btf, Func<bool> usesCookies)
    {
        if (!maps.TryGetValue(SpecsMapName, out var specs) || !maps.TryGetValue(IpMapName, out var ips) || specs.Map is null || ips.Map is null)
            return null;
        var layout = btf is not null && specs.BtfValueTypeId != 0 ? UsdtSpecLayout.FromBtf(btf, (int)specs.BtfValueTypeId) : UsdtSpecLayout.Legacy;
        if (layout.ValueSize != specs.ValueSize)
            throw new BpfFormatException($"map {SpecsMapName}", $"its value is {specs.ValueSize} bytes, not the {layout.ValueSize} of struct __bpf_usdt_spec");
        if (ips.KeySize != 8 || ips.ValueSize != 4)
            throw new BpfFormatException($"map {IpMapName}", $"its key and value are {ips.KeySize} and {ips.ValueSize} bytes, not 8 and 4");
        return new UsdtSpecTable(specs.Map, ips.Map, layout, specs.MaxEntries, usesCookies());
    }

    /// <summary>A free spec id: a released one first, then the next never used.</summary>
    /// <exception cref="BpfException">Every slot of the spec map is in use.</exception>
    public int Allocate(string what)
    {
        lock (_lock)
        {
            if (_free.TryPop(out int id)) return id;
            if (_next >= Capacity)
                throw new BpfException(what, $"all {Capacity} slots of {SpecsMapName} are in use (define BPF_USDT_MAX_SPEC_CNT larger before including usdt.bpf.h)");
            return _next++;
        }
    }

    /// <summary>Returns spec ids for reuse. Their map values stay until overwritten: only this table hands them out.</summary>
    public void Release(IEnumerable<int> ids)
    {
        lock (_lock)
            foreach (int id in ids) _free.Push(id);
    }

    /// <summary>The ids free for reuse and the next new one (for tests and diagnostics).</summary>
    internal (int[] Free, int Next) State
    {
        get { lock (_lock) return ([.. _free], _next); }
    }
}
