using System.CommandLine;
using BpfSharp.Cli.Dump;
using BpfSharp.Cli.Output;
using BpfSharp.Cli.Records;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>bpfsharp struct_ops list|show|dump [STRUCT_OPS_MAP]</c>, <c>register OBJ [LINK_DIR]</c>, <c>unregister STRUCT_OPS_MAP</c>:
/// bpftool's struct_ops verbs. A struct_ops map implements a kernel struct of function pointers (a TCP congestion
/// control, a sched_ext scheduler) with BPF programs; registering it hands it to the kernel. STRUCT_OPS_MAP is
/// <c>id ID</c> or <c>name NAME</c>.
/// </summary>
internal static class StructOpsCommand
{
    public static Command Create()
    {
        var command = new Command("struct_ops", "struct_ops maps: kernel structs of function pointers implemented in BPF (list, show, dump, register, unregister)");
        command.Subcommands.Add(Show("list"));
        command.Subcommands.Add(Show("show"));
        command.Subcommands.Add(Dump());
        command.Subcommands.Add(Register());
        command.Subcommands.Add(Unregister());
        return command;
    }

    private const string TargetHelp = "id ID or name NAME (a number alone is an id)";

    private static Command Show(string verb)
    {
        var target = new Argument<string?>("STRUCT_OPS_MAP") { Description = TargetHelp, Arity = ArgumentArity.ZeroOrOne };
        var json = Cli.JsonOption();
        var command = new Command(verb, "The system's struct_ops maps, or one: id, name and the kernel struct it implements") { target, json };
        command.SetGuardedAction(r =>
        {
            var kernel = Btf.BtfSpec.LoadKernel();
            var records = new List<StructOpsRecord>();
            foreach (var map in Find(r.GetValue(target)))
                using (map) records.Add(StructOpsRecord.Of(map.GetInfo(), kernel));
            // bpftool 7.1 answers one id with the object, the others with a list.
            bool byId = r.GetValue(target) is { } t && Selectors.Parse(t).Kind == "";
            if (Cli.Json(r, json) && byId) JsonOutput.Write(records[0], CliJson.Default.StructOpsRecord);
            else if (Cli.Json(r, json)) JsonOutput.Write(records, CliJson.Default.ListStructOpsRecord);
            else foreach (var s in records) Console.WriteLine(s.Line);
            return 0;
        });
        return command;
    }

    private static Command Dump()
    {
        var target = new Argument<string?>("STRUCT_OPS_MAP") { Description = TargetHelp, Arity = ArgumentArity.ZeroOrOne };
        var json = Cli.JsonOption();
        var command = new Command("dump", "Each struct_ops map's info and value through the kernel's BTF, function pointers as the programs that implement them (bpftool's struct_ops dump, byte for byte)") { target, json };
        command.SetGuardedAction(r =>
        {
            // bpftool writes this verb's text as pretty JSON too, in its plain-text flavour (pointers as %p, names for ids).
            bool asJson = Cli.Json(r, json);
            var writer = new BpftoolJsonWriter(pretty: !asJson || GlobalOptions.Pretty);
            var kernel = Btf.BtfSpec.LoadKernel();
            var dumper = new BpftoolBtfDumper(kernel, writer, plainText: !asJson) { ProgramIdsAsFunctions = true };
            var infoType = kernel.Find<Btf.BtfStruct>("bpf_map_info");
            string? selector = r.GetValue(target);
            // One id: its two objects bare; a name or none: every match in a list.
            var (kind, name) = selector is null ? ("", "") : Selectors.Parse(selector);
            bool byId = selector is not null && kind == "";
            var maps = kind == "name" ? FindNamed(name) : Find(selector);
            if (!byId) writer.StartArray();
            foreach (var map in maps)
            {
                using (map)
                {
                    var raw = map.GetInfoBytes(infoType.Size);
                    var info = map.GetInfo();
                    var value = new byte[map.ValueBufferSize];
                    if (!map.TryLookup(BitConverter.GetBytes(0), value))
                        throw new CliError($"can't lookup struct_ops map {info.Name} id {info.Id}");
                    writer.StartObject();
                    writer.Name("bpf_map_info");
                    dumper.Write(infoType.Id, raw);
                    writer.EndObject();
                    writer.StartObject();
                    writer.Name(kernel.GetName((int)info.BtfVmlinuxValueTypeId));
                    dumper.Write((int)info.BtfVmlinuxValueTypeId, value);
                    writer.EndObject();
                }
            }
            if (!byId) writer.EndArray();
            Console.Write(writer.ToString());
            // bpftool prints an empty list for a name nothing has, and fails.
            return maps.Count > 0 ? 0 : 1;
        });
        return command;
    }

    private static Command Register()
    {
        var obj = new Argument<string>("OBJ") { Description = "A compiled BPF object with .struct_ops or .struct_ops.link maps" };
        var linkDir = new Argument<string?>("LINK_DIR") { Description = "A bpffs directory: each struct_ops link is pinned at LINK_DIR/MAP, so it stays registered after the tool exits", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("register", "Load an object and register its struct_ops maps (bpftool's struct_ops register)") { obj, linkDir };
        command.SetGuardedAction(r =>
        {
            string file = r.GetValue(obj)!;
            string? dir = r.GetValue(linkDir);
            if (!File.Exists(file)) throw new CliError($"{file}: no such file");
            if (dir is not null && !BpfFsPaths.IsOnBpfFs(dir)) throw new CliError($"{dir}: not in bpffs (pins live on a bpf filesystem such as /sys/fs/bpf)");
            using var loaded = BpfObject.Open(file);
            loaded.Load();
            var kernel = Btf.BtfSpec.LoadKernel();
            int registered = 0;
            foreach (var def in loaded.Maps.Values.Where(m => m.Type == BpfMapType.StructOps))
            {
                var map = def.Map!;
                var info = StructOpsRecord.Of(map.GetInfo(), kernel);
                if (!def.Flags.HasFlag(BpfMapFlags.Link))
                {
                    // The kernel holds the registered map itself: it stays until unregistered.
                    ProgAttachCommand.Keep(loaded.RegisterStructOps(def.Name));
                    Info($"Registered {info.KernelStructOps} {info.Name} id {info.Id}");
                }
                else
                {
                    var link = map.AttachStructOps();
                    uint linkId = link.Id;
                    try
                    {
                        if (dir is not null) link.Pin(Path.Combine(dir, info.Name));
                    }
                    finally
                    {
                        // Pinned, the link outlives the tool; otherwise it ends with the process, as bpftool's does.
                        link.Disconnect();
                        link.Dispose();
                    }
                    Info($"Registered {info.KernelStructOps} {info.Name} map id {info.Id} link id {linkId}");
                }
                registered++;
            }
            if (registered == 0) throw new CliError($"no struct_ops found in {file}");
            if (GlobalOptions.Json) Console.WriteLine("null");
            return 0;
        });
        return command;
    }

    private static Command Unregister()
    {
        var target = new Argument<string>("STRUCT_OPS_MAP") { Description = TargetHelp };
        var command = new Command("unregister", "Unregister struct_ops maps registered by update (bpftool's struct_ops unregister); a link's map is unregistered through its link") { target };
        command.SetGuardedAction(r =>
        {
            var kernel = Btf.BtfSpec.LoadKernel();
            foreach (var map in Find(r.GetValue(target)))
            {
                using (map)
                {
                    var info = StructOpsRecord.Of(map.GetInfo(), kernel);
                    try
                    {
                        map.Delete(BitConverter.GetBytes(0));
                    }
                    catch (BpfException e)
                    {
                        throw new CliError($"can't unload {info.KernelStructOps} {info.Name} id {info.Id}: {e.ErrnoName}{(e.Errno == Errno.EOPNOTSUPP ? " (registered through a link: detach or unpin the link)" : "")}");
                    }
                    Info($"Unregistered {info.KernelStructOps} {info.Name} id {info.Id}");
                }
            }
            if (GlobalOptions.Json) Console.WriteLine("null");
            return 0;
        });
        return command;
    }

    /// <summary>bpftool's notes go to standard error, and not with -j.</summary>
    private static void Info(string line)
    {
        if (!GlobalOptions.Json) Console.Error.WriteLine(line);
    }

    /// <summary>The struct_ops maps of a name (none is an empty list).</summary>
    private static List<BpfMap> FindNamed(string name) =>
        [.. Targets.OpenAll(BpfMap.EnumerateIds(), BpfMap.FromId).Where(StructOpsOnly(m => m.Name == name))];

    /// <summary>The struct_ops maps a selector names: all without one, one by id, every one of a name.</summary>
    private static List<BpfMap> Find(string? target)
    {
        if (target is null) return [.. Targets.OpenAll(BpfMap.EnumerateIds(), BpfMap.FromId).Where(StructOpsOnly(_ => true))];
        var (kind, value) = Selectors.Parse(target);
        if (kind == "name")
        {
            var named = FindNamed(value);
            return named.Count > 0 ? named : throw new CliError($"no struct_ops found for {value}");
        }
        if (kind != "" || !uint.TryParse(value, out uint id)) throw new CliError($"{Selectors.Describe(target)}: give id ID or name NAME");
        var map = BpfMap.FromId(id);
        if (map.Type != BpfMapType.StructOps)
        {
            string name = map.Name;
            map.Dispose();
            throw new CliError($"{name} id {id} is not a struct_ops map");
        }
        return [map];
    }

    /// <summary>A filter that keeps struct_ops maps matching <paramref name="matches"/> and closes the others.</summary>
    private static Func<BpfMap, bool> StructOpsOnly(Func<BpfMap, bool> matches) => m =>
    {
        if (m.Type == BpfMapType.StructOps && matches(m)) return true;
        m.Dispose();
        return false;
    };
}
