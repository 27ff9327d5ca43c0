using System.Globalization;
using BpfSharp.Btf;
using BpfSharp.Cli.Output;

namespace BpfSharp.Cli.Records;

/// <summary>
/// A kernel BTF object as <c>btf list/show</c> print it; the JSON fields are bpftool's (<c>bpftool -j btf show</c>):
/// the programs and maps that use it, found by their <c>btf_id</c>.
/// </summary>
internal sealed record BtfRecord(uint Id, int Size, uint[] ProgIds, uint[] MapIds, bool Kernel, string? Name) : IObjectRecord<BtfRecord>
{
    /// <summary>Which programs and maps use each BTF object: read once per command.</summary>
    private static readonly Lazy<(ILookup<uint, uint> Programs, ILookup<uint, uint> Maps)> Users = new(() =>
    {
        var programs = Targets.OpenAll(BpfProgram.EnumerateIds(), id =>
        {
            using var p = BpfProgram.FromId(id);
            var info = p.GetInfo();
            return (info.BtfId, info.Id);
        }).ToLookup(x => x.BtfId, x => x.Id);
        var maps = Targets.OpenAll(BpfMap.EnumerateIds(), id =>
        {
            using var m = BpfMap.FromId(id);
            var info = m.GetInfo();
            return (info.BtfId, info.Id);
        }).ToLookup(x => x.BtfId, x => x.Id);
        return (programs, maps);
    });

    public static BtfRecord Of(BtfObjectInfo btf) =>
        new(btf.Id, btf.Size, [.. Users.Value.Programs[btf.Id]], [.. Users.Value.Maps[btf.Id]], btf.IsKernel, btf.Name.Length > 0 ? btf.Name : null);

    public static TextTable NewTable() => new TextTable("ID", "NAME", "SIZE", "KERNEL", "PROGS", "MAPS").RightAlign("ID", "SIZE");

    public void AddRow(TextTable table) =>
        table.Add(Id, Name ?? "", Units.Bytes(Size), Kernel ? "yes" : "", string.Join(',', ProgIds), string.Join(',', MapIds));

    public IEnumerable<(string Name, string Value)> DetailRows()
    {
        yield return ("id", Id.ToString(CultureInfo.InvariantCulture));
        yield return ("name", Name ?? "-");
        yield return ("size", Units.Bytes(Size));
        yield return ("kernel", Kernel ? "yes" : "no");
        yield return ("programs", ProgIds.Length == 0 ? "-" : string.Join(", ", ProgIds));
        yield return ("maps", MapIds.Length == 0 ? "-" : string.Join(", ", MapIds));
    }
}
