using System.Globalization;
using System.Text.Json.Serialization;
using BpfSharp.Cli.Output;

namespace BpfSharp.Cli.Records;

/// <summary>A map as <c>map list/show</c> print it; the JSON fields are bpftool's (<c>bpftool -j map show</c>).</summary>
internal sealed record MapRecord(
    uint Id,
    string Type,
    string Name,
    uint Flags,
    int BytesKey,
    int BytesValue,
    int MaxEntries,
    long? BytesMemlock,
    int Frozen,
    uint? BtfId,
    ulong? MapExtra,
    [property: JsonIgnore] BpfMapFlags FlagBits,
    [property: JsonIgnore] uint BtfKeyTypeId,
    [property: JsonIgnore] uint BtfValueTypeId,
    [property: JsonIgnore] string? PinPath) : IObjectRecord<MapRecord>
{
    public static MapRecord Of(BpfMap m)
    {
        var i = m.GetInfo();
        return new MapRecord(i.Id, KernelNames.Of(i.Type), i.Name, (uint)i.Flags, i.KeySize, i.ValueSize, i.MaxEntries,
            FdInfo.Read(m.Handle, "memlock"), FdInfo.Read(m.Handle, "frozen") is > 0 ? 1 : 0, i.BtfId != 0 ? i.BtfId : null,
            i.MapExtra != 0 ? i.MapExtra : null, i.Flags, i.BtfKeyTypeId, i.BtfValueTypeId, m.PinPath);
    }

    public static TextTable NewTable() =>
        new TextTable("ID", "TYPE", "NAME", "KEY", "VALUE", "ENTRIES", "MEMLOCK", "FLAGS").RightAlign("ID", "KEY", "VALUE", "ENTRIES", "MEMLOCK");

    public void AddRow(TextTable table) => table.Add(Id, Type, Name, Units.Bytes(BytesKey), Units.Bytes(BytesValue), MaxEntries,
        BytesMemlock is { } m ? Units.Bytes(m) : "", string.Join(' ', new[] { Flags == 0 ? "" : FlagBits.ToString(), Frozen == 1 ? "frozen" : "" }.Where(s => s.Length > 0)));

    public IEnumerable<(string Name, string Value)> DetailRows()
    {
        yield return ("id", Id.ToString(CultureInfo.InvariantCulture));
        yield return ("type", Type);
        yield return ("name", Name);
        yield return ("key", Units.Bytes(BytesKey));
        yield return ("value", Units.Bytes(BytesValue));
        yield return ("max entries", MaxEntries.ToString(CultureInfo.InvariantCulture));
        yield return ("flags", Flags == 0 ? "-" : $"{FlagBits} (0x{Flags:x})");
        if (BytesMemlock is { } m) yield return ("memlock", Units.Bytes(m));
        yield return ("frozen", Frozen == 1 ? "yes" : "no");
        yield return ("btf id", BtfId is { } b ? $"{b} (key type {BtfKeyTypeId}, value type {BtfValueTypeId})" : "-");
        if (MapExtra is { } extra) yield return ("map extra", extra.ToString(CultureInfo.InvariantCulture));
        if (PinPath is not null) yield return ("pinned", PinPath);
    }
}
