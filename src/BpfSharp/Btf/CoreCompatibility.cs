namespace BpfSharp.Btf;

/// <summary>
/// When a local type may stand for a target type, by libbpf's three rules: a field's type (relocating an
/// offset), a relocated type itself (type id, size, existence), and the stricter "type matches". Modifiers
/// and typedefs are always looked through; names are compared without their <c>___flavor</c> suffix.
/// </summary>
internal static class CoreCompatibility
{
    private const int MaxDepth = 32;

    /// <summary>
    /// A field's types: any two structs or unions (their members are matched by name on the next step), pointers,
    /// floats, ints that are not old-style bitfield ints, enums of the same name (or one anonymous), forward
    /// declarations of the same name, arrays of compatible elements.
    /// </summary>
    public static bool FieldsCompatible(BtfSpec ls, int lid, BtfSpec ts, int tid)
    {
        for (int depth = 0; depth < MaxDepth; depth++)
        {
            var l = ls[ls.SkipModifiers(lid)];
            var t = ts[ts.SkipModifiers(tid)];
            if (l is BtfComposite && t is BtfComposite) return true;
            if (!KindsCompatible(l, t)) return false;
            switch (l)
            {
                case BtfPointer or BtfFloat: return true;
                case BtfEnum or BtfForward: return NamesCompatible(l.Name, t.Name);
                case BtfInt li: return li.BitOffset == 0 && ((BtfInt)t).BitOffset == 0;
                case BtfArray la:
                    (lid, tid) = (la.ElementTypeId, ((BtfArray)t).ElementTypeId);
                    continue;
                default: return false;
            }
        }
        return false;
    }

    /// <summary>
    /// A relocated type and a candidate of the same essential name: kinds agree; structs, unions, enums and forward
    /// declarations need nothing more, pointers and arrays compare what they hold, function prototypes every
    /// parameter and the return type.
    /// </summary>
    public static bool TypesCompatible(BtfSpec ls, int lid, BtfSpec ts, int tid, int level = MaxDepth)
    {
        if (!KindsCompatible(ls[lid], ts[tid])) return false;
        for (int depth = 0; depth < MaxDepth; depth++)
        {
            var l = ls[ls.SkipModifiers(lid)];
            var t = ts[ts.SkipModifiers(tid)];
            if (!KindsCompatible(l, t)) return false;
            switch (l)
            {
                case BtfVoid or BtfComposite or BtfEnum or BtfForward: return true;
                case BtfInt li: return li.BitOffset == 0 && ((BtfInt)t).BitOffset == 0;
                case BtfPointer lp:
                    (lid, tid) = (lp.TargetId, ((BtfPointer)t).TargetId);
                    continue;
                case BtfArray la:
                    (lid, tid) = (la.ElementTypeId, ((BtfArray)t).ElementTypeId);
                    continue;
                case BtfFuncProto lf:
                    var tf = (BtfFuncProto)t;
                    if (lf.Parameters.Length != tf.Parameters.Length || lf.IsVariadic != tf.IsVariadic || level <= 0) return false;
                    for (int i = 0; i < lf.Parameters.Length; i++)
                        if (!TypesCompatible(ls, ls.SkipModifiers(lf.Parameters[i].TypeId), ts, ts.SkipModifiers(tf.Parameters[i].TypeId), level - 1))
                            return false;
                    (lid, tid) = (lf.ReturnTypeId, tf.ReturnTypeId);
                    continue;
                default: return false;
            }
        }
        return false;
    }

    /// <summary>
    /// <c>bpf_core_type_matches</c>: names agree at every level; ints by size and signedness; enums by size and every
    /// local enumerator's name; structs and unions by kind and every local member (anonymous ones included) having a
    /// same-named target member whose type matches, except behind a pointer, where the kind is enough (a forward
    /// declaration of the right kind too); arrays by length and element; function prototypes by every parameter.
    /// </summary>
    public static bool TypesMatch(BtfSpec ls, int lid, BtfSpec ts, int tid, bool behindPointer = false, int level = MaxDepth)
    {
        if (level <= 0) return false;
        for (int depth = 0; depth < MaxDepth; depth++)
        {
            var l = ls[ls.SkipModifiers(lid)];
            var t = ts[ts.SkipModifiers(tid)];
            if (!NamesMatch(l.Name, t.Name)) return false;
            switch (l)
            {
                case BtfVoid: return t is BtfVoid;
                case BtfForward lf:
                    if (behindPointer && t is BtfComposite tc) return tc.Kind == lf.TargetKind;
                    return t is BtfForward tfw && tfw.IsUnion == lf.IsUnion;
                case BtfEnum le:
                    return t is BtfEnum te && le.Size == te.Size && le.Values.All(v => te.Values.Any(x => NamesMatch(v.Name, x.Name)));
                case BtfComposite lc:
                    if (behindPointer) return t.Kind == lc.Kind || (t is BtfForward f && f.TargetKind == lc.Kind);
                    if (t is not BtfComposite c || c.Kind != lc.Kind || lc.Members.Length > c.Members.Length) return false;
                    return lc.Members.All(m => c.Members.Any(x => NamesMatch(m.Name, x.Name) && TypesMatch(ls, m.TypeId, ts, x.TypeId, behindPointer, level - 1)));
                case BtfInt li:
                    return t is BtfInt ti && li.Size == ti.Size
                        && li.Encoding.HasFlag(BtfIntEncoding.Signed) == ti.Encoding.HasFlag(BtfIntEncoding.Signed);
                case BtfPointer lp when t is BtfPointer tp:
                    (lid, tid, behindPointer) = (lp.TargetId, tp.TargetId, true);
                    continue;
                case BtfArray la when t is BtfArray ta:
                    if (la.Length != ta.Length) return false;
                    (lid, tid) = (la.ElementTypeId, ta.ElementTypeId);
                    continue;
                case BtfFuncProto lf when t is BtfFuncProto tf:
                    if (lf.Parameters.Length != tf.Parameters.Length || lf.IsVariadic != tf.IsVariadic) return false;
                    for (int i = 0; i < lf.Parameters.Length; i++)
                        if (!TypesMatch(ls, lf.Parameters[i].TypeId, ts, tf.Parameters[i].TypeId, behindPointer, level - 1)) return false;
                    (lid, tid) = (lf.ReturnTypeId, tf.ReturnTypeId);
                    continue;
                default: return false;
            }
        }
        return false;
    }

    /// <summary>Kinds that relocate onto each other: the same kind, or enum and enum64.</summary>
    private static bool KindsCompatible(BtfType l, BtfType t) => l.Kind == t.Kind || (l is BtfEnum && t is BtfEnum);

    /// <summary>Flavour-free names equal, or either side anonymous.</summary>
    private static bool NamesCompatible(string l, string t) =>
        l.Length == 0 || t.Length == 0 || CoreRelocator.EssentialName(l) == CoreRelocator.EssentialName(t);

    /// <summary>An anonymous target matches only an anonymous local; otherwise flavour-free names are equal.</summary>
    private static bool NamesMatch(string l, string t) =>
        t.Length == 0 ? l.Length == 0 : CoreRelocator.EssentialName(l) == CoreRelocator.EssentialName(t);
}
