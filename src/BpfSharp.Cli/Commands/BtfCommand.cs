using System.CommandLine;
using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Cli.Output;
using BpfSharp.Cli.Records;

namespace BpfSharp.Cli.Commands;

/// <summary><c>bpfsharp btf dump (FILE | --id N | --vmlinux) [--format c|json|raw]</c>.</summary>
internal static class BtfCommand
{
    public static Command Create()
    {
        var command = new Command("btf", "BTF type information: the kernel's BTF objects (list, show) and their types (dump)");
        command.Subcommands.Add(ObjectVerbs.List(Kind));
        command.Subcommands.Add(ObjectVerbs.Show(Kind));
        command.Subcommands.Add(Dump());
        command.Subcommands.Add(BtfMinCoreCommand.Create());
        return command;
    }

    /// <summary>BTF objects: by id only (they have no pins or names to select by); nothing to close or pin.</summary>
    internal static readonly ObjectKind<BtfObjectInfo, BtfRecord> Kind = new(
        "BTF object", "ID", BtfObjectInfo.EnumerateIds, BtfObjectInfo.FromId, ById, t => [ById(t)], BtfRecord.Of, _ => { },
        (_, _) => throw new CliError("BTF objects cannot be pinned"), _ => "", CliJson.Default.BtfRecord, CliJson.Default.ListBtfRecord);

    private static BtfObjectInfo ById(string target) =>
        uint.TryParse(Selectors.Parse(target).Value, out uint id) ? BtfObjectInfo.FromId(id) : throw new CliError($"{Selectors.Describe(target)}: give a BTF object's id");

    private static Command Dump()
    {
        var file = new Argument<string?>("FILE") { Description = "A raw BTF file or a BPF object with a .BTF section", Arity = ArgumentArity.ZeroOrOne };
        var id = new Option<uint?>("--id") { HelpName = "N", Description = "A kernel BTF object id (a program's or map's btf_id)" };
        var vmlinux = new Option<bool>("--vmlinux") { Description = "The running kernel's BTF (/sys/kernel/btf/vmlinux)" };
        var format = new Option<string>("--format", "-f") { Description = "c: a header clang compiles (a vmlinux.h); json; raw: one line per type", DefaultValueFactory = _ => "c" };
        format.AcceptOnlyFromAmong("c", "json", "raw");
        var output = new Option<FileInfo?>("--output", "-o") { HelpName = "FILE", Description = "Write to this file instead of standard output" };
        var command = new Command("dump", "Print BTF as C, JSON or raw type lines") { file, id, vmlinux, format, output };
        command.SetGuardedAction(r =>
        {
            string? path = r.GetValue(file);
            uint? btfId = r.GetValue(id);
            bool kernel = r.GetValue(vmlinux);
            if ((path is not null ? 1 : 0) + (btfId is not null ? 1 : 0) + (kernel ? 1 : 0) != 1)
                throw new CliError("btf dump: give exactly one of FILE, --id N or --vmlinux");
            var spec = kernel ? BtfSpec.LoadKernel() : btfId is { } n ? BtfSpec.LoadFromKernelId(n) : LoadFile(path!);
            string guard = kernel || path is null ? "__VMLINUX_H__" : $"__{Sanitize(Path.GetFileName(path))}_H__";

            TextWriter writer = r.GetValue(output) is { } o ? new StreamWriter(o.FullName) : new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
            using (writer)
            {
                // -j/-p anywhere asks for JSON, as bpftool's -j btf dump does, unless --format says otherwise.
                switch (GlobalOptions.Json && r.GetResult(format) is null or { Implicit: true } ? "json" : r.GetValue(format))
                {
                    case "json":
                        writer.Flush();
                        WriteJson(spec, writer);
                        break;
                    case "raw":
                        BtfRawFormat.Write(spec, writer);
                        break;
                    default:
                        BtfCFormatter.Write(spec, writer, guard);
                        break;
                }
            }
            return 0;
        });
        return command;
    }

    private static BtfSpec LoadFile(string path)
    {
        if (!File.Exists(path)) throw new CliError($"{path}: no such file");
        try
        {
            var head = new byte[4];
            using (var f = File.OpenRead(path))
                if (f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length)
                    throw new CliError($"{path}: not BTF: {f.Length} bytes, shorter than a BTF header");
            if (head is [0x7f, (byte)'E', (byte)'L', (byte)'F'])
            {
                using var obj = BpfObject.Open(path);
                return obj.Btf ?? throw new CliError($"{path}: the object has no .BTF section (compile with -g)");
            }
            return BtfSpec.Load(path);
        }
        catch (Exception e) when (e is BpfFormatException or EndOfStreamException or InvalidDataException && !e.Message.Contains(path, StringComparison.Ordinal))
        {
            // The parsers name what is wrong; the user needs to know in which file.
            throw new CliError($"{path}: {e.Message}");
        }
    }

    private static string Sanitize(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_').ToArray());

    private static void WriteJson(BtfSpec spec, TextWriter writer)
    {
        using var buffer = new MemoryStream();
        using (var w = JsonOutput.CreateLineWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("types");
            foreach (var t in spec.Types) WriteType(w, t);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        writer.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        writer.WriteLine();
    }

    private static void WriteType(Utf8JsonWriter w, BtfType t)
    {
        w.WriteStartObject();
        w.WriteNumber("id", t.Id);
        w.WriteString("kind", t.ToString().Split(' ')[1]);
        w.WriteString("name", t.IsAnonymous ? "(anon)" : t.Name);
        switch (t)
        {
            case BtfInt i:
                w.WriteNumber("size", i.Size);
                w.WriteNumber("bits_offset", i.BitOffset);
                w.WriteNumber("nr_bits", i.Bits);
                w.WriteString("encoding", i.IsBool ? "BOOL" : i.IsChar ? "CHAR" : i.IsSigned ? "SIGNED" : "(none)");
                break;
            case BtfFloat f: w.WriteNumber("size", f.Size); break;
            case BtfPointer p: w.WriteNumber("type_id", p.TargetId); break;
            case BtfArray a:
                w.WriteNumber("type_id", a.ElementTypeId);
                w.WriteNumber("index_type_id", a.IndexTypeId);
                w.WriteNumber("nr_elems", a.Length);
                break;
            case BtfComposite c:
                w.WriteNumber("size", c.Size);
                w.WriteNumber("vlen", c.Members.Length);
                w.WriteStartArray("members");
                foreach (var m in c.Members)
                {
                    w.WriteStartObject();
                    w.WriteString("name", m.IsAnonymous ? "(anon)" : m.Name);
                    w.WriteNumber("type_id", m.TypeId);
                    w.WriteNumber("bits_offset", m.BitOffset);
                    if (m.IsBitfield) w.WriteNumber("bitfield_size", m.BitfieldSize);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            case BtfEnum e:
                w.WriteNumber("size", e.Size);
                w.WriteNumber("vlen", e.Values.Length);
                w.WriteString("encoding", e.IsSigned ? "SIGNED" : "UNSIGNED");
                w.WriteStartArray("values");
                foreach (var v in e.Values)
                {
                    w.WriteStartObject();
                    w.WriteString("name", v.Name);
                    if (e.IsSigned) w.WriteNumber("val", v.Value); else w.WriteNumber("val", v.UnsignedValue);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            case BtfForward f: w.WriteString("fwd_kind", f.IsUnion ? "union" : "struct"); break;
            case BtfTypedef td: w.WriteNumber("type_id", td.TargetId); break;
            case BtfModifier m: w.WriteNumber("type_id", m.TargetId); break;
            case BtfFunc fn:
                w.WriteNumber("type_id", fn.ProtoId);
                w.WriteString("linkage", fn.Linkage.ToString().ToLowerInvariant());
                break;
            case BtfFuncProto fp:
                w.WriteNumber("ret_type_id", fp.ReturnTypeId);
                w.WriteNumber("vlen", fp.Parameters.Length + (fp.IsVariadic ? 1 : 0));
                w.WriteStartArray("params");
                foreach (var p in fp.Parameters)
                {
                    w.WriteStartObject();
                    w.WriteString("name", p.Name);
                    w.WriteNumber("type_id", p.TypeId);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (fp.IsVariadic) w.WriteBoolean("variadic", true);
                break;
            case BtfVar v:
                w.WriteNumber("type_id", v.TypeId);
                w.WriteString("linkage", v.Linkage.ToString().ToLowerInvariant());
                break;
            case BtfDataSec ds:
                w.WriteNumber("size", ds.Size);
                w.WriteNumber("vlen", ds.Variables.Length);
                w.WriteStartArray("vars");
                foreach (var v in ds.Variables)
                {
                    w.WriteStartObject();
                    w.WriteNumber("type_id", v.TypeId);
                    w.WriteNumber("offset", v.Offset);
                    w.WriteNumber("size", v.Size);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            case BtfDeclTag dt:
                w.WriteNumber("type_id", dt.TargetId);
                w.WriteNumber("component_idx", dt.ComponentIndex);
                break;
        }
        w.WriteEndObject();
    }
}
