namespace BpfSharp.Btf;

/// <summary>
/// The outcome of one CO-RE relocation: the value the local program was compiled with, the value for the
/// target kernel, or <see cref="Poison"/> when the target has no match (the instruction then must fail
/// only if it is reached).
/// </summary>
public readonly record struct CoreResult(ulong LocalValue, ulong TargetValue, bool Poison, string Description)
{
    /// <summary>Whether the instruction's existing immediate or offset must equal <see cref="LocalValue"/> (off for bitfield loads whose size changes).</summary>
    public bool Validate { get; init; } = true;

    /// <summary>For a field offset relocation on a load or store: the target field's size, to fix the access size.</summary>
    public int TargetFieldSize { get; init; }
    /// <summary>For a field offset relocation on a load or store: the local field's size.</summary>
    public int LocalFieldSize { get; init; }
}

/// <summary>
/// "Compile once, run everywhere": computes what a relocation recorded against the object's own (local) BTF
/// becomes against the running kernel's (target) BTF, following libbpf's algorithm: candidates are target
/// types of the same essential name (the <c>___flavor</c> suffix stripped) and compatible kind; a field's access
/// path is matched by its named members, which may sit inside anonymous structs and unions on either side
/// (<see cref="CoreAccessPath"/>); every matching candidate must agree.
/// </summary>
public sealed class CoreRelocator
{
    private readonly BtfSpec _local;
    private readonly IReadOnlyList<BtfSpec> _targets;
    private readonly Dictionary<int, List<(BtfSpec Spec, int Id)>> _candidates = [];
    private readonly Lazy<IReadOnlyList<BtfSpec>>? _fallback;

    /// <param name="targets">The kernel's BTF first, then module BTFs (split on top of it).</param>
    /// <param name="fallbackTargets">
    /// Searched only for a type none of <paramref name="targets"/> has, read on first need: the loaded modules' BTF
    /// (libbpf's rule: a type vmlinux has is never looked for in modules).
    /// </param>
    public CoreRelocator(BtfSpec local, IReadOnlyList<BtfSpec> targets, Func<IReadOnlyList<BtfSpec>>? fallbackTargets = null)
    {
        _local = local;
        _targets = targets;
        if (fallbackTargets is not null) _fallback = new(fallbackTargets);
    }

    /// <summary>The BTF of every loaded kernel module that has some (split on the kernel's).</summary>
    public static IReadOnlyList<BtfSpec> LoadModuleSpecs()
    {
        var specs = new List<BtfSpec>();
        foreach (var module in BtfSpec.GetKernelModuleNames())
        {
            try { specs.Add(BtfSpec.LoadKernelModule(module)); }
            catch (FileNotFoundException) { } // unloaded meanwhile
        }
        return specs;
    }

    /// <summary>
    /// Strips a <c>___flavor</c> suffix: <c>task_struct___old</c> is a local view of <c>task_struct</c>. As libbpf
    /// reads it, the flavour starts at the last <c>___</c> that has a character other than <c>_</c> on each side,
    /// so <c>a___b___c</c> is a flavour of <c>a___b</c> and <c>a____b</c> has none.
    /// </summary>
    public static string EssentialName(string name)
    {
        for (int i = name.Length - 5; i >= 0; i--)
        {
            if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' && name[i + 3] == '_' && name[i + 4] != '_')
                return name[..(i + 1)];
        }
        return name;
    }

    /// <summary>Computes the local and target values of one relocation record, or a poison result when the target has no match.</summary>
    public CoreResult Relocate(BtfCoreRelocation relo)
    {
        var kind = (CoreRelocationKind)relo.Kind;
        string access = _local.GetString(relo.AccessStringOffset);
        string typeName = _local.GetName(relo.TypeId);
        string what = $"{kind} of {DescribeLocal(relo.TypeId)} access {access}";

        if (kind == CoreRelocationKind.TypeIdLocal)
            return new CoreResult((ulong)relo.TypeId, (ulong)relo.TypeId, false, what);
        // Candidates are found by name: like libbpf, a relocation whose own root type has none is refused, not
        // left unresolved (an anonymous struct behind a typedef is found by the typedef's name).
        if (typeName.Length == 0)
            throw new BpfException("CO-RE", (int)Errno.EOPNOTSUPP, $"{what}: relocations of an anonymous type are not supported");

        var indices = ParseAccess(access, what);
        var local = LocalSpec(relo.TypeId, kind, indices, what);

        ulong? agreed = null;
        CoreResult? chosen = null;
        foreach (var (spec, id) in Candidates(relo.TypeId))
        {
            var target = Match(local, spec, id, kind, what);
            if (target is null) continue;
            if (agreed is not null && target.Value.TargetValue != agreed)
                throw new BpfException("CO-RE", $"{what}: candidates disagree ({agreed} vs {target.Value.TargetValue})");
            agreed = target.Value.TargetValue;
            chosen ??= target;
        }
        if (chosen is { } found) return found with { LocalValue = local.Value, Description = what };
        // No candidate: existence checks and every type-based relocation (a missing type's id, size, existence
        // and match) answer 0, as libbpf's bpf_core_calc_type_relo does; field and enum value reads are poisoned.
        return kind is CoreRelocationKind.FieldExists or CoreRelocationKind.EnumValueExists || IsTypeKind(kind)
            ? new CoreResult(local.Value, 0, false, what)
            : new CoreResult(local.Value, 0, true, what + $" (no match for {typeName} in the kernel's BTF)");
    }

    private string DescribeLocal(int id)
    {
        var t = _local[id];
        return t.Name.Length > 0 ? $"{t.Kind.ToString().ToLowerInvariant()} {t.Name}" : $"type {id}";
    }

    private static int[] ParseAccess(string access, string what)
    {
        var parts = access.Split(':');
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], out result[i]) || result[i] < 0)
                throw new BpfFormatException("CO-RE", $"{what}: bad access string");
        return result;
    }

    /// <summary>The local side of a relocation: its value as compiled, and what a target must match (a field's access path, an enumerator's name).</summary>
    private sealed record LocalAccess(int RootId, ulong Value, CoreAccessPath? Path, CoreFieldValue Field, string? EnumName);

    private LocalAccess LocalSpec(int typeId, CoreRelocationKind kind, int[] indices, string what)
    {
        if (IsTypeKind(kind))
        {
            if (indices is not [0]) throw new BpfFormatException("CO-RE", $"{what}: a type relocation's access string must be 0");
            return new LocalAccess(typeId, TypeValue(_local, typeId, kind, typeId), null, default, null);
        }
        if (kind is CoreRelocationKind.EnumValue or CoreRelocationKind.EnumValueExists)
        {
            if (_local[_local.SkipModifiers(typeId)] is not BtfEnum e || indices.Length != 1 || indices[0] >= e.Values.Length)
                throw new BpfFormatException("CO-RE", $"{what}: not an enumerator");
            var v = e.Values[indices[0]];
            return new LocalAccess(typeId, kind == CoreRelocationKind.EnumValue ? (ulong)v.Value : 1, null, default, v.Name);
        }
        var path = CoreAccessPath.Parse(_local, typeId, indices, what);
        var field = path.Value(kind, what);
        return new LocalAccess(typeId, field.Value, path, field, null);
    }

    private static bool IsTypeKind(CoreRelocationKind k) => k is CoreRelocationKind.TypeIdTarget or CoreRelocationKind.TypeExists
        or CoreRelocationKind.TypeSize or CoreRelocationKind.TypeMatches;

    private IEnumerable<(BtfSpec Spec, int Id)> Candidates(int localId)
    {
        if (_candidates.TryGetValue(localId, out var cached)) return cached;
        var local = _local[_local.SkipModifiers(localId)];
        // A relocation on a typedef'd root keeps the typedef name; look candidates up by the named type's name.
        string name = EssentialName(_local[localId].Name.Length > 0 ? _local[localId].Name : local.Name);
        var list = new List<(BtfSpec, int)>();
        if (name.Length > 0)
        {
            AddCandidates(list, _targets, name, localId);
            if (list.Count == 0 && _fallback is not null) AddCandidates(list, _fallback.Value, name, localId);
        }
        _candidates[localId] = list;
        return list;
    }

    private void AddCandidates(List<(BtfSpec, int)> list, IReadOnlyList<BtfSpec> targets, string name, int localId)
    {
        foreach (var target in targets)
            foreach (var t in target.FindAll(name))
                if (t.Spec == target && KindsCompatible(_local[localId], t)) list.Add((target, t.Id));
    }

    private static bool KindsCompatible(BtfType local, BtfType target) =>
        local.Kind == target.Kind || (local is BtfEnum && target is BtfEnum);

    /// <summary>
    /// Called for every target type a relocation matches, with the matched field path (null for type and enum
    /// relocations): what minimal BTF must keep (<see cref="BtfSpec.MinimalFor(IEnumerable{BpfObject}, BtfSpec)"/>).
    /// </summary>
    internal Action<BtfSpec, int, CoreRelocationKind, CoreAccessPath?>? OnMatch { get; init; }

    private CoreResult? Match(LocalAccess local, BtfSpec spec, int targetId, CoreRelocationKind kind, string what)
    {
        if (IsTypeKind(kind))
        {
            bool compatible = kind == CoreRelocationKind.TypeMatches
                ? CoreCompatibility.TypesMatch(_local, local.RootId, spec, targetId)
                : CoreCompatibility.TypesCompatible(_local, local.RootId, spec, targetId);
            if (compatible) OnMatch?.Invoke(spec, targetId, kind, null);
            return compatible ? new CoreResult(local.Value, TypeValue(spec, targetId, kind, targetId), false, "") : null;
        }
        if (kind is CoreRelocationKind.EnumValue or CoreRelocationKind.EnumValueExists)
        {
            if (spec[spec.SkipModifiers(targetId)] is not BtfEnum e) return null;
            foreach (var v in e.Values)
            {
                if (EssentialName(v.Name) != EssentialName(local.EnumName!)) continue;
                OnMatch?.Invoke(spec, targetId, kind, null);
                return new CoreResult(local.Value, kind == CoreRelocationKind.EnumValue ? (ulong)v.Value : 1, false, "");
            }
            return null;
        }
        if (CoreAccessPath.Match(local.Path!, spec, targetId) is not { } path) return null;
        OnMatch?.Invoke(spec, targetId, kind, path);
        var target = path.Value(kind, what);
        return new CoreResult(local.Value, target.Value, false, "")
        {
            Validate = local.Field.Validate,
            TargetFieldSize = target.LoadSize,
            LocalFieldSize = local.Field.LoadSize,
        };
    }

    private static ulong TypeValue(BtfSpec spec, int id, CoreRelocationKind kind, int resolvedId) => kind switch
    {
        CoreRelocationKind.TypeIdTarget => (ulong)resolvedId,
        CoreRelocationKind.TypeExists or CoreRelocationKind.TypeMatches => 1,
        CoreRelocationKind.TypeSize => (ulong)spec.SizeOf(spec.SkipModifiers(id)),
        _ => 0,
    };
}
