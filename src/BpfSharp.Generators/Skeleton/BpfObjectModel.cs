using System.Collections.Generic;

namespace BpfSharp.Generators.Skeleton;

/// <summary>What a skeleton is made of, read from a BPF object: its maps, global variables and programs.</summary>
internal sealed class BpfObjectModel
{
    public sealed class Map
    {
        public Map(string name, int mapType, int keyType, int valueType) { Name = name; MapType = mapType; KeyType = keyType; ValueType = valueType; }
        public string Name { get; }
        /// <summary>The BPF_MAP_TYPE_* number, or 0 when the definition gives none.</summary>
        public int MapType { get; }
        /// <summary>BTF type ids of key and value; 0 when the map declares only sizes (or none, like a ring buffer).</summary>
        public int KeyType { get; }
        public int ValueType { get; }
    }

    public sealed class Variable
    {
        public Variable(string name, string section, int type, bool readOnly) { Name = name; Section = section; Type = type; ReadOnly = readOnly; }
        public string Name { get; }
        public string Section { get; }
        public int Type { get; }
        public bool ReadOnly { get; }
    }

    private BpfObjectModel(BtfTypes btf) => Btf = btf;

    public BtfTypes Btf { get; }
    public List<Map> Maps { get; } = new List<Map>();
    public List<Variable> Variables { get; } = new List<Variable>();
    public List<(string Name, string Section)> Programs { get; } = new List<(string, string)>();

    /// <summary>Raw BTF alone (a kernel's vmlinux BTF): types, no maps, variables or programs.</summary>
    public static BpfObjectModel FromBtf(byte[] btf) => new BpfObjectModel(BtfTypes.Parse(btf));

    public static BpfObjectModel Read(byte[] elfBytes)
    {
        var elf = ElfImage.Parse(elfBytes);
        var btfSection = elf.Find(".BTF") ?? throw new SkeletonException("the object has no .BTF section (compile with clang -g)");
        var btf = BtfTypes.Parse(elf.Bytes(btfSection));
        var model = new BpfObjectModel(btf);
        model.Programs.AddRange(elf.Programs());
        foreach (var sec in btf.All)
        {
            if (sec.Kind != BtfKind.DataSec) continue;
            if (sec.Name == ".maps")
            {
                foreach (var v in sec.Variables)
                    model.Maps.Add(ReadMap(btf, btf[v.Var]));
            }
            else if (IsGlobalData(sec.Name))
            {
                // .rodata is frozen by the loader: settable before Load() only.
                bool readOnly = sec.Name.StartsWith(".rodata", System.StringComparison.Ordinal);
                foreach (var v in sec.Variables)
                {
                    var var = btf[v.Var];
                    if (var.Kind == BtfKind.Var) model.Variables.Add(new Variable(var.Name, sec.Name, var.Type, readOnly));
                }
            }
        }
        return model;
    }

    private static bool IsGlobalData(string section) =>
        section == ".data" || section == ".bss" || section == ".rodata" ||
        section.StartsWith(".data.", System.StringComparison.Ordinal) || section.StartsWith(".rodata.", System.StringComparison.Ordinal);

    /// <summary>
    /// A BTF-defined map (<c>struct { __uint(type, ...); __type(key, K); __type(value, V); } name SEC(".maps")</c>):
    /// <c>__uint(x, N)</c> is a pointer to an array of N, <c>__type(x, T)</c> a pointer to T.
    /// </summary>
    private static Map ReadMap(BtfTypes btf, BtfType var)
    {
        int mapType = 0, key = 0, value = 0;
        var def = btf.Resolve(var.Type);
        foreach (var m in def.Members)
        {
            var member = btf.SkipModifiers(m.Type);
            if (member.Kind != BtfKind.Ptr) continue;
            var target = btf.SkipModifiers(member.Type);
            switch (m.Name)
            {
                case "type" when target.Kind == BtfKind.Array: mapType = target.ArrayLength; break;
                case "key": key = member.Type; break;
                case "value": value = member.Type; break;
            }
        }
        return new Map(var.Name, mapType, key, value);
    }
}
