using BpfSharp.Btf;

namespace BpfSharp.Tests.Btf;

/// <summary>
/// Copies some types of a spec, with everything they refer to, into a new small blob (ids renumbered). Pointers to
/// structs and unions become pointers to forward declarations, which keeps the closure of a kernel type small.
/// </summary>
internal sealed class BtfClosureCopier
{
    private readonly BtfSpec _source;
    private readonly BtfBlobBuilder _builder = new();
    private readonly Dictionary<int, int> _map = new() { [0] = 0 };

    private BtfClosureCopier(BtfSpec source) => _source = source;

    /// <summary>The new blob and the new id of each source id copied.</summary>
    public static (byte[] Blob, IReadOnlyDictionary<int, int> Ids) Copy(BtfSpec source, params int[] roots)
    {
        var copier = new BtfClosureCopier(source);
        // Pass 1 assigns ids in visiting order; records must then be emitted in that order.
        var order = new List<int>();
        var pending = new Stack<int>(roots.Reverse());
        var assigned = new Dictionary<int, int> { [0] = 0 };
        int next = 1;
        while (pending.Count > 0)
        {
            int id = pending.Pop();
            if (assigned.ContainsKey(id))
                continue;
            assigned[id] = next++;
            order.Add(id);
            foreach (var r in copier.References(id).Reverse())
            {
                if (!assigned.ContainsKey(r))
                    pending.Push(r);
            }
        }
        foreach (var (k, v) in assigned)
            copier._map[k] = v;
        foreach (int id in order)
            copier.Emit(id);
        return (copier._builder.Build(), copier._map);
    }

    private int M(int id) => _map[id];

    /// <summary>The ids a type's record refers to, after the pointer-to-forward rewrite.</summary>
    private IEnumerable<int> References(int id)
    {
        if (id < 0)
            yield break; // a synthetic forward declaration
        switch (_source[id])
        {
            case BtfPointer p:
                yield return PointeeReplacement(p) ?? p.TargetId;
                break;
            case BtfTypedef t: yield return t.TargetId; break;
            case BtfModifier m: yield return m.TargetId; break;
            case BtfArray a:
                yield return a.ElementTypeId;
                yield return a.IndexTypeId;
                break;
            case BtfComposite c:
                foreach (var m in c.Members)
                    yield return m.TypeId;
                break;
            case BtfFunc f: yield return f.ProtoId; break;
            case BtfFuncProto fp:
                yield return fp.ReturnTypeId;
                foreach (var p in fp.Parameters)
                    yield return p.TypeId;
                break;
            case BtfVar v: yield return v.TypeId; break;
            case BtfDataSec d:
                foreach (var v in d.Variables)
                    yield return v.TypeId;
                break;
            case BtfDeclTag dt: yield return dt.TargetId; break;
        }
    }

    // Forward declarations stand in for pointed-to structs: keyed by a synthetic negative id.
    private readonly Dictionary<int, (string Name, bool IsUnion)> _forwards = new();

    private int? PointeeReplacement(BtfPointer p)
    {
        int target = _source.SkipQualifiers(p.TargetId);
        if (_source[target] is not BtfComposite c || c.IsAnonymous)
            return null;
        int key = -target;
        _forwards[key] = (c.Name, c.Kind == BtfKind.Union);
        return key;
    }

    private void Emit(int id)
    {
        var b = _builder;
        if (id < 0)
        {
            var (name, isUnion) = _forwards[id];
            b.Forward(name, isUnion);
            return;
        }
        switch (_source[id])
        {
            case BtfInt i: b.Int(i.Name, i.Size, i.Encoding, i.Bits, i.BitOffset); break;
            case BtfFloat f: b.Float(f.Name, f.Size); break;
            case BtfPointer p: b.Pointer(M(PointeeReplacement(p) ?? p.TargetId)); break;
            case BtfArray a: b.Array(M(a.ElementTypeId), M(a.IndexTypeId), a.Length); break;
            case BtfComposite c when c.HasBitfieldOffsets:
                b.Bitfields(c.Kind, c.Name, c.Size,
                    c.Members.Select(m => (m.Name, M(m.TypeId), m.BitOffset, m.BitfieldSize)).ToArray());
                break;
            case BtfStruct c:
                b.Struct(c.Name, c.Size, c.Members.Select(m => (m.Name, M(m.TypeId), m.BitOffset)).ToArray());
                break;
            case BtfUnion c:
                b.Union(c.Name, c.Size, c.Members.Select(m => (m.Name, M(m.TypeId), m.BitOffset)).ToArray());
                break;
            case BtfEnum e when e.Is64Bit: b.Enum64(e.Name, e.Size, e.IsSigned, e.Values.Select(v => (v.Name, v.Value)).ToArray()); break;
            case BtfEnum e: b.Enum(e.Name, e.Size, e.IsSigned, e.Values.Select(v => (v.Name, v.Value)).ToArray()); break;
            case BtfForward f: b.Forward(f.Name, f.IsUnion); break;
            case BtfTypedef t: b.Typedef(t.Name, M(t.TargetId)); break;
            case BtfConst m: b.Const(M(m.TargetId)); break;
            case BtfVolatile m: b.Volatile(M(m.TargetId)); break;
            case BtfRestrict m: b.Restrict(M(m.TargetId)); break;
            case BtfTypeTag m: b.TypeTag(m.Value, M(m.TargetId), m.IsAttribute); break;
            case BtfFunc f: b.Func(f.Name, M(f.ProtoId), f.Linkage); break;
            case BtfFuncProto fp:
                b.FuncProto(M(fp.ReturnTypeId), fp.IsVariadic, fp.Parameters.Select(p => (p.Name, M(p.TypeId))).ToArray());
                break;
            case BtfVar v: b.Var(v.Name, M(v.TypeId), v.Linkage); break;
            case BtfDataSec d: b.DataSec(d.Name, d.Size, d.Variables.Select(v => (M(v.TypeId), v.Offset, v.Size)).ToArray()); break;
            case BtfDeclTag dt: b.DeclTag(dt.Value, M(dt.TargetId), dt.ComponentIndex, dt.IsAttribute); break;
            default: throw new InvalidOperationException($"cannot copy {_source[id]}");
        }
    }
}
