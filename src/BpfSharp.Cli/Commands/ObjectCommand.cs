using System.CommandLine;
using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Cli.Output;
using BpfSharp.Elf;

namespace BpfSharp.Cli.Commands;

/// <summary><c>bpfsharp object inspect OBJECT</c>: what a compiled BPF object holds, without loading it.</summary>
internal static class ObjectCommand
{
    public static Command Create()
    {
        var command = new Command("object", "Compiled BPF objects (.bpf.o)");
        command.Subcommands.Add(Inspect());
        command.Subcommands.Add(Extract());
        command.Subcommands.Add(Load());
        return command;
    }

    /// <summary>
    /// <c>object load OBJECT</c>: open and load an object as <c>run</c> does (maps created, programs verified), attach
    /// nothing, unload it. A check that the kernel accepts it; what bench/process_load.py times against libbpf.
    /// </summary>
    private static Command Load()
    {
        var file = new Argument<string>("OBJECT") { Description = "A BPF object compiled by clang (-target bpf -g)" };
        var command = new Command("load", "Load an object (create its maps, verify its programs), attach nothing, unload it") { file };
        command.SetGuardedAction(r =>
        {
            string path = r.GetValue(file)!;
            if (!File.Exists(path)) throw new CliError($"{path}: no such file");
            using var obj = BpfObject.Open(path);
            obj.Load();
            int programs = obj.Programs.Values.Count(p => p.Program is not null);
            int maps = obj.Maps.Values.Count(m => m.Map is not null);
            Console.WriteLine($"{Path.GetFileName(path)}: {programs} programs and {maps} maps loaded");
            return 0;
        });
        return command;
    }

    /// <summary><c>object extract EXE -o DIR</c>: the BPF objects an executable embeds, as NAME.bpf.o (NAME.N.bpf.o when several).</summary>
    private static Command Extract()
    {
        var file = new Argument<string>("EXECUTABLE") { Description = "A program that embeds BPF objects (a libbpf skeleton's user space)" };
        var output = new Option<string>("--output", "-o") { HelpName = "DIR", Description = "Where to write the objects", Required = true };
        var command = new Command("extract", "Write out the BPF ELF objects embedded in an executable") { file, output };
        command.SetGuardedAction(r =>
        {
            string path = r.GetValue(file)!;
            if (!File.Exists(path)) throw new CliError($"{path}: no such file");
            var objects = EmbeddedObjects.Find(File.ReadAllBytes(path));
            if (objects.Count == 0) throw new CliError($"{path}: embeds no BPF object");
            string dir = r.GetValue(output)!;
            Directory.CreateDirectory(dir);
            string name = Path.GetFileName(path);
            for (int i = 0; i < objects.Count; i++)
            {
                string target = Path.Combine(dir, objects.Count == 1 ? $"{name}.bpf.o" : $"{name}.{i}.bpf.o");
                File.WriteAllBytes(target, objects[i].ToArray());
                Console.WriteLine($"{target} ({objects[i].Length} bytes)");
            }
            return 0;
        });
        return command;
    }

    private sealed record ProgramRow(string Name, string Section, string Type, string AttachType, string AutoAttach, int Instructions, bool Autoload, int CoreRelocations);

    private sealed record SectionRow(int Index, string Name, string Type, long Size, int Relocations);

    private sealed record VariableRow(string Name, string Section, int Offset, int Size, string Type);

    private static Command Inspect()
    {
        var file = new Argument<string>("OBJECT") { Description = "A BPF object compiled by clang (-target bpf -g)" };
        var json = Cli.JsonOption();
        var command = new Command("inspect", "Sections, programs, maps, global variables and relocations of an object") { file, json };
        command.SetGuardedAction(r =>
        {
            string path = r.GetValue(file)!;
            if (!File.Exists(path)) throw new CliError($"{path}: no such file");
            using var obj = BpfObject.Open(path);
            var coreBySection = CoreRelocations(obj);
            var relocations = obj.Elf.RelocationTables.Where(t => t.Target is not null)
                .GroupBy(t => t.Target!.Index).ToDictionary(g => g.Key, g => g.Sum(t => t.Entries.Count));
            var sections = obj.Elf.Sections.Where(s => s.Index > 0 && !s.IsRelocation && s.Type is not ElfSectionType.SymbolTable and not ElfSectionType.StringTable)
                .Select(s => new SectionRow(s.Index, s.Name, s.Type.ToString(), (long)s.Size, relocations.GetValueOrDefault(s.Index))).ToList();
            var programs = obj.Programs.Values.Select(p => new ProgramRow(p.Name, p.SectionName, KernelNames.Of(p.Type),
                p.ExpectedAttachType is { } a ? KernelNames.Of(a) : "", AutoAttachOf(p.SectionName), p.InstructionCount, p.Autoload,
                coreBySection.GetValueOrDefault(p.SectionName))).ToList();
            var variables = obj.Variables.Values.OrderBy(v => v.SectionName).ThenBy(v => v.Offset)
                .Select(v => new VariableRow(v.Name, v.SectionName, v.Offset, v.Size, TypeName(obj.Btf, v.TypeId))).ToList();
            int coreTotal = coreBySection.Values.Sum();

            if (Cli.Json(r, json))
            {
                JsonOutput.Write(w => WriteJson(w, obj, path, sections, programs, variables, coreBySection));
                return 0;
            }
            Console.WriteLine($"object {obj.Name} ({path}), license {(obj.License.Length > 0 ? obj.License : "none")}, {(obj.Btf is null ? "no BTF" : $"BTF with {obj.Btf.Count - 1} types")}");
            Console.WriteLine();
            Console.WriteLine("Programs:");
            var pt = new TextTable("NAME", "SECTION", "TYPE", "ATTACH TYPE", "AUTO-ATTACH", "INSNS", "AUTOLOAD", "CO-RE").RightAlign("INSNS", "CO-RE");
            foreach (var p in programs) pt.Add(p.Name, p.Section, p.Type, p.AttachType, p.AutoAttach, p.Instructions, p.Autoload ? "yes" : "no", p.CoreRelocations);
            pt.Write(Console.Out);
            Console.WriteLine();
            Console.WriteLine("Maps:");
            var mt = new TextTable("NAME", "TYPE", "KEY", "VALUE", "ENTRIES", "FLAGS", "SECTION").RightAlign("KEY", "VALUE", "ENTRIES");
            foreach (var m in obj.Maps.Values)
                mt.Add(m.Name, KernelNames.Of(m.Type), Units.Bytes(m.KeySize), Units.Bytes(m.ValueSize), m.MaxEntries, m.Flags == 0 ? "" : m.Flags.ToString(), m.SectionName);
            mt.Write(Console.Out);
            if (variables.Count > 0)
            {
                Console.WriteLine();
                Console.WriteLine("Global variables:");
                var vt = new TextTable("NAME", "SECTION", "OFFSET", "SIZE", "TYPE").RightAlign("OFFSET", "SIZE");
                foreach (var v in variables) vt.Add(v.Name, v.Section, v.Offset, v.Size, v.Type);
                vt.Write(Console.Out);
            }
            Console.WriteLine();
            Console.WriteLine("Sections:");
            var st = new TextTable("IDX", "NAME", "TYPE", "SIZE", "RELOCATIONS").RightAlign("IDX", "SIZE", "RELOCATIONS");
            foreach (var s in sections) st.Add(s.Index, s.Name, s.Type, Units.Bytes(s.Size), s.Relocations == 0 ? "" : s.Relocations.ToString());
            st.Write(Console.Out);
            Console.WriteLine();
            Console.WriteLine($"Relocations: {relocations.Values.Sum()} ELF relocations, {coreTotal} CO-RE relocations");
            return 0;
        });
        return command;
    }

    /// <summary>CO-RE relocation records per ELF section, from the object's .BTF.ext.</summary>
    private static Dictionary<string, int> CoreRelocations(BpfObject obj)
    {
        if (obj.Btf is null || obj.Elf.FindSection(".BTF.ext") is not { } ext) return [];
        var parsed = BtfExt.Parse(ext.Data.Span, obj.Btf);
        return parsed.CoreRelocations.ToDictionary(kv => kv.Key, kv => kv.Value.Count);
    }

    private static string AutoAttachOf(string section) =>
        SectionDefinitions.TryMatch(section, out var def, out _) && def.Attacher.AttachesByName ? def.Attacher.Name : "-";

    private static string TypeName(BtfSpec? btf, int id)
    {
        if (btf is null || id <= 0 || id >= btf.Count) return "";
        // The declaration as C writes it, e.g. "const volatile __u32" or "struct pair".
        return BtfTypeNames.Describe(btf, id);
    }

    private static void WriteJson(Utf8JsonWriter w, BpfObject obj, string path, List<SectionRow> sections, List<ProgramRow> programs,
        List<VariableRow> variables, Dictionary<string, int> core)
    {
        w.WriteStartObject();
        w.WriteString("name", obj.Name);
        w.WriteString("file", path);
        w.WriteString("license", obj.License);
        w.WriteNumber("btf_types", obj.Btf is null ? 0 : obj.Btf.Count - 1);
        w.WriteStartArray("programs");
        foreach (var p in programs)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("section", p.Section);
            w.WriteString("type", p.Type);
            if (p.AttachType.Length > 0) w.WriteString("attach_type", p.AttachType);
            w.WriteString("auto_attach", p.AutoAttach);
            w.WriteNumber("insns", p.Instructions);
            w.WriteBoolean("autoload", p.Autoload);
            w.WriteNumber("core_relocations", p.CoreRelocations);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("maps");
        foreach (var m in obj.Maps.Values)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            w.WriteString("type", KernelNames.Of(m.Type));
            w.WriteNumber("bytes_key", m.KeySize);
            w.WriteNumber("bytes_value", m.ValueSize);
            w.WriteNumber("max_entries", m.MaxEntries);
            w.WriteNumber("flags", (uint)m.Flags);
            w.WriteString("section", m.SectionName);
            if (m.InnerMap is { } inner)
            {
                w.WriteStartObject("inner_map");
                w.WriteString("type", KernelNames.Of(inner.Type));
                w.WriteNumber("bytes_key", inner.KeySize);
                w.WriteNumber("bytes_value", inner.ValueSize);
                w.WriteNumber("max_entries", inner.MaxEntries);
                w.WriteEndObject();
            }
            if (m.Pinning != BpfMapPinning.None) w.WriteString("pinning", "by_name");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("variables");
        foreach (var v in variables)
        {
            w.WriteStartObject();
            w.WriteString("name", v.Name);
            w.WriteString("section", v.Section);
            w.WriteNumber("offset", v.Offset);
            w.WriteNumber("size", v.Size);
            w.WriteString("type", v.Type);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("sections");
        foreach (var s in sections)
        {
            w.WriteStartObject();
            w.WriteNumber("index", s.Index);
            w.WriteString("name", s.Name);
            w.WriteString("type", s.Type);
            w.WriteNumber("size", s.Size);
            w.WriteNumber("relocations", s.Relocations);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("relocations");
        w.WriteNumber("elf", sections.Sum(s => s.Relocations));
        w.WriteNumber("core", core.Values.Sum());
        w.WriteStartObject("core_by_section");
        foreach (var (name, count) in core) w.WriteNumber(name, count);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
