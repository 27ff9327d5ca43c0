namespace BpfSharp.Btf;

/// <summary>
/// The type objects a spec has handed out, so that an id always yields the same object. Sparse: pages of
/// <see cref="PageSize"/> slots are allocated when a type in them is first asked for, so relocating an object
/// against the kernel's 125,000 types costs the pages of the few hundred it touches, not a slot for every type.
/// Lock-free: two threads creating the same type keep the first object published.
/// </summary>
internal sealed class BtfTypeCache
{
    private const int PageShift = 8;
    private const int PageSize = 1 << PageShift;

    private readonly BtfType?[]?[] _pages;

    /// <param name="count">How many types the spec's own blob defines.</param>
    public BtfTypeCache(int count) => _pages = new BtfType?[]?[(count + PageSize - 1) >> PageShift];

    /// <summary>The object of the type at <paramref name="local"/> (its id minus the spec's first), created by <paramref name="owner"/> on first use.</summary>
    public BtfType GetOrAdd(int local, int id, BtfSpec owner)
    {
        ref var page = ref _pages[local >> PageShift];
        var slots = Volatile.Read(ref page)
            ?? Interlocked.CompareExchange(ref page, new BtfType?[PageSize], null)
            ?? page!;
        ref var slot = ref slots[local & (PageSize - 1)];
        var type = Volatile.Read(ref slot);
        if (type is null)
        {
            var created = owner.Create(id);
            type = Interlocked.CompareExchange(ref slot, created, null) ?? created;
        }
        return type;
    }
}
