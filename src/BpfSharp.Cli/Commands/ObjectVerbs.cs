using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using BpfSharp.Cli.Output;
using BpfSharp.Cli.Records;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// The kernel objects <c>list</c>, <c>show</c> and <c>pin</c> work on alike (programs, maps, links): how to find,
/// open, describe and pin one. <see cref="ObjectVerbs"/> makes the three commands from it.
/// </summary>
internal sealed record ObjectKind<TObject, TRecord>(
    string Noun,
    string Argument,
    Func<IEnumerable<uint>> EnumerateIds,
    Func<uint, TObject> OpenById,
    Func<string, TObject> Open,
    Func<string, List<TObject>> OpenSelected,
    Func<TObject, TRecord> Describe,
    Action<TObject> Close,
    Action<TObject, string> Pin,
    Func<TObject, string> Pinned,
    JsonTypeInfo<TRecord> Json,
    JsonTypeInfo<List<TRecord>> JsonList)
    where TRecord : IObjectRecord<TRecord>;

internal static class ObjectVerbs
{
    public static Command List<TObject, TRecord>(ObjectKind<TObject, TRecord> kind) where TRecord : IObjectRecord<TRecord>
    {
        var json = Cli.JsonOption();
        var command = new Command("list", $"List every {kind.Noun}") { json };
        command.SetGuardedAction(r =>
        {
            var records = Targets.OpenAll(kind.EnumerateIds(), id =>
            {
                var o = kind.OpenById(id);
                try { return kind.Describe(o); }
                finally { kind.Close(o); }
            }).ToList();
            if (Cli.Json(r, json))
            {
                JsonOutput.Write(records, kind.JsonList);
                return 0;
            }
            var table = TRecord.NewTable();
            foreach (var record in records) record.AddRow(table);
            table.Write(Console.Out);
            return 0;
        });
        return command;
    }

    public static Command Show<TObject, TRecord>(ObjectKind<TObject, TRecord> kind) where TRecord : IObjectRecord<TRecord>
    {
        var json = Cli.JsonOption();
        var target = new Argument<string>(kind.Argument) { Description = Targets.Help };
        var command = new Command("show", $"Show one {kind.Noun}") { target, json };
        command.SetGuardedAction(r =>
        {
            string selector = r.GetValue(target)!;
            var objects = kind.OpenSelected(selector);
            try
            {
                var records = objects.Select(kind.Describe).ToList();
                // A name or tag may select several, and bpftool prints a list for them; an id or pin selects one.
                bool many = Selectors.Parse(selector).Kind is "name" or "tag";
                if (Cli.Json(r, json))
                {
                    if (many) JsonOutput.Write(records, kind.JsonList);
                    else JsonOutput.Write(records[0], kind.Json);
                    return 0;
                }
                for (int i = 0; i < records.Count; i++)
                {
                    if (i > 0) Console.WriteLine();
                    Details.Write([.. records[i].DetailRows()]);
                }
            }
            finally
            {
                foreach (var o in objects) kind.Close(o);
            }
            return 0;
        });
        return command;
    }

    public static Command Pin<TObject, TRecord>(ObjectKind<TObject, TRecord> kind, string description) where TRecord : IObjectRecord<TRecord>
    {
        var target = new Argument<string>(kind.Argument) { Description = Targets.Help };
        var path = new Argument<string>("PATH") { Description = "Where to pin it in bpffs" };
        var command = new Command("pin", description) { target, path };
        command.SetGuardedAction(r =>
        {
            string where = r.GetValue(path)!;
            if (!BpfFsPaths.IsOnBpfFs(where)) throw new CliError($"{where}: not in bpffs (pins live on a bpf filesystem such as /sys/fs/bpf)");
            var o = kind.Open(r.GetValue(target)!);
            try
            {
                kind.Pin(o, where);
                Console.WriteLine(kind.Pinned(o));
            }
            finally { kind.Close(o); }
            return 0;
        });
        return command;
    }
}
