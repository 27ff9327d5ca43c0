using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace BpfSharp.Btf;

public sealed partial class BtfSpec
{
    /// <summary>
    /// Finds the first type (lowest id, base types first) with this name and kind.
    /// <see cref="BtfKind.Enum"/> and <see cref="BtfKind.Enum64"/> are distinct kinds here; use
    /// <see cref="TryFind{T}(string, out T)"/> with <see cref="BtfEnum"/> to accept both.
    /// </summary>
    public bool TryFindByName(string name, BtfKind kind, [NotNullWhen(true)] out BtfType? type)
    {
        if (TryFindId(name, kind, out int id))
        {
            type = this[id];
            return true;
        }
        type = null;
        return false;
    }

    /// <summary>Finds the first type with this name and kind.</summary>
    /// <exception cref="KeyNotFoundException">No such type.</exception>
    public BtfType FindByName(string name, BtfKind kind) =>
        TryFindByName(name, kind, out var type)
            ? type
            : throw new KeyNotFoundException($"BTF has no {kind.ToKernelName()} named '{name}'");

    /// <summary>The id of the first type with this name and kind, without creating its object.</summary>
    public bool TryFindId(string name, BtfKind kind, out int id)
    {
        ArgumentNullException.ThrowIfNull(name);
        var search = new NameSearch(name);
        try
        {
            while ((id = search.Next(this)) >= 0)
            {
                if (GetKind(id) == kind)
                    return true;
            }
            return false;
        }
        finally
        {
            search.Dispose();
        }
    }

    /// <summary>
    /// Finds the first type with this name whose object is a <typeparamref name="T"/>: for example
    /// <c>TryFind&lt;BtfStruct&gt;("task_struct", out var task)</c>, or <see cref="BtfComposite"/> for a struct or union.
    /// </summary>
    public bool TryFind<T>(string name, [NotNullWhen(true)] out T? type) where T : BtfType
    {
        ArgumentNullException.ThrowIfNull(name);
        var search = new NameSearch(name);
        try
        {
            int id;
            while ((id = search.Next(this)) >= 0)
            {
                if (this[id] is T match)
                {
                    type = match;
                    return true;
                }
            }
            type = null;
            return false;
        }
        finally
        {
            search.Dispose();
        }
    }

    /// <summary>Finds the first type with this name whose object is a <typeparamref name="T"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such type.</exception>
    public T Find<T>(string name) where T : BtfType =>
        TryFind<T>(name, out var type)
            ? type
            : throw new KeyNotFoundException($"BTF has no {typeof(T).Name} named '{name}'");

    /// <summary>Every type with this name, of any kind, in id order (base types first).</summary>
    public IReadOnlyList<BtfType> FindAll(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = new List<BtfType>();
        var search = new NameSearch(name);
        try
        {
            int id;
            while ((id = search.Next(this)) >= 0)
                found.Add(this[id]);
        }
        finally
        {
            search.Dispose();
        }
        return found;
    }

    private BtfNameIndex NameIndex =>
        Volatile.Read(ref _nameIndex) ?? Interlocked.CompareExchange(ref _nameIndex, new BtfNameIndex(this), null) ?? _nameIndex!;

    /// <summary>Whether a lookup in this spec's own types scans (<see cref="BtfNameScan"/>) rather than indexes.</summary>
    private bool ScansForName() =>
        Volatile.Read(ref _nameIndex) is null && Interlocked.Increment(ref _nameLookups) <= BtfNameScan.LookupsBeforeIndex;

    /// <summary>Whether name lookups have built the index (tests: the scans before it must agree with it).</summary>
    internal bool HasNameIndex => Volatile.Read(ref _nameIndex) is not null;

    internal int GetLocalNameOffset(int local) => (int)_blob.Read32(_offsets[local]);

    /// <summary>Walks the ids named like the query: the root base's first, then each split layer's, in id order.</summary>
    private struct NameSearch
    {
        private readonly byte[] _rented;   // the name and a NUL: the form BtfNameScan looks for
        private readonly int _length;
        private readonly int _hash;
        private BtfSpec? _layer;           // the spec whose own types are being searched
        private int _after;                // last local index returned in that layer, −1 before the first
        private int _depth;                // how many Base links below the searched spec the layer is
        private bool _scanning;            // the layer has no index yet: its types are scanned
        private List<int>? _stringOffsets; // where the name lies in the string sections searched so far
        private int _stringsDepth;         // those sections are the layers from the root down to this depth

        public NameSearch(string name)
        {
            _rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(name.Length) + 1);
            _length = Encoding.UTF8.GetBytes(name, _rented);
            _rented[_length] = 0;
            _hash = BtfNameIndex.Hash(_rented.AsSpan(0, _length));
            _layer = null;
            _after = -1;
            _depth = 0;
            _scanning = false;
            _stringOffsets = null;
            _stringsDepth = int.MaxValue;
        }

        public int Next(BtfSpec spec)
        {
            if (_length == 0)
                return -1; // anonymous types are not indexed
            if (_layer is null)
            {
                // Start at the root base.
                _depth = 0;
                for (var s = spec.Base; s is not null; s = s.Base)
                    _depth++;
                _stringsDepth = _depth + 1;
                Enter(spec);
            }
            while (true)
            {
                int local = _scanning
                    ? BtfNameScan.Next(_layer!, _stringOffsets!, _after)
                    : _layer!.NameIndex.Next(_rented.AsSpan(0, _length), _hash, _after);
                if (local >= 0)
                {
                    _after = local;
                    return _layer!.FirstTypeId + local;
                }
                if (_depth == 0)
                    return -1;
                _depth--;
                Enter(spec);
            }
        }

        private void Enter(BtfSpec spec)
        {
            _layer = LayerAt(spec, _depth);
            _after = -1;
            _scanning = _layer.ScansForName();
            if (!_scanning)
                return;
            // A layer's names lie in its own strings or in any base's: search each section once.
            _stringOffsets ??= [];
            for (; _stringsDepth > _depth; _stringsDepth--)
                BtfNameScan.AddStringOffsets(LayerAt(spec, _stringsDepth - 1), _rented.AsSpan(0, _length + 1), _stringOffsets);
        }

        private static BtfSpec LayerAt(BtfSpec spec, int depth)
        {
            var s = spec;
            for (int i = 0; i < depth; i++)
                s = s.Base!;
            return s;
        }

        public readonly void Dispose() => ArrayPool<byte>.Shared.Return(_rented);
    }
}
