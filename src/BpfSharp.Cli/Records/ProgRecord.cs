using System.Globalization;
using System.Text.Json.Serialization;
using BpfSharp.Cli.Output;

namespace BpfSharp.Cli.Records;

/// <summary>
/// A loaded program as <c>prog list/show</c> print it; the JSON fields are bpftool's (<c>bpftool -j prog show</c>),
/// with <c>verified_insns</c> more.
/// </summary>
internal sealed record ProgRecord(
    uint Id,
    string Type,
    string Name,
    string Tag,
    bool GplCompatible,
    long? RunTimeNs,
    ulong? RunCnt,
    ulong? RecursionMisses,
    long LoadedAt,
    uint Uid,
    int BytesXlated,
    bool Jited,
    int BytesJited,
    long? BytesMemlock,
    uint[]? MapIds,
    uint? BtfId,
    uint VerifiedInsns,
    [property: JsonIgnore] string? PinPath) : IObjectRecord<ProgRecord>
{
    public static ProgRecord Of(BpfProgram p)
    {
        var i = p.GetInfo();
        bool stats = i.RunCount > 0 || i.RunTime > TimeSpan.Zero;
        return new ProgRecord(i.Id, KernelNames.Of(i.Type), ProgramNames.Full(p, i), i.Tag, i.GplCompatible,
            stats ? i.RunTime.Ticks * 100 : null, stats ? i.RunCount : null, i.RecursionMisses > 0 ? i.RecursionMisses : null,
            LoadedAtSeconds(p), i.CreatedByUid, i.TranslatedSize, i.JitedSize > 0, i.JitedSize,
            FdInfo.Read(p.Handle, "memlock"), i.MapIds.Count > 0 ? [.. i.MapIds] : null, i.BtfId != 0 ? i.BtfId : null,
            i.VerifiedInstructions, p.PinPath);
    }

    /// <summary>The boot's wall-clock time, read once per command: a list reads every program's load time.</summary>
    private static readonly Lazy<DateTimeOffset> BootedAt = new(ProgramLoadTime.GetBootTime);

    private static long LoadedAtSeconds(BpfProgram p) => p.GetLoadedAt(BootedAt.Value).ToUnixTimeSeconds();

    public static TextTable NewTable() =>
        new TextTable("ID", "TYPE", "NAME", "TAG", "LOADED AT", "XLATED", "JITED", "MEMLOCK", "MAPS").RightAlign("ID", "XLATED", "JITED", "MEMLOCK");

    public void AddRow(TextTable table) => table.Add(Id, Type, Name, Tag, LoadedAtText, Units.Bytes(BytesXlated), Units.Bytes(BytesJited),
        BytesMemlock is { } m ? Units.Bytes(m) : "", MapIds is null ? "" : string.Join(',', MapIds));

    public IEnumerable<(string Name, string Value)> DetailRows()
    {
        yield return ("id", Id.ToString(CultureInfo.InvariantCulture));
        yield return ("type", Type);
        yield return ("name", Name);
        yield return ("tag", Tag);
        yield return ("gpl compatible", GplCompatible ? "yes" : "no");
        yield return ("loaded at", LoadedAtText);
        yield return ("loaded by uid", Uid.ToString(CultureInfo.InvariantCulture));
        yield return ("translated", Units.Bytes(BytesXlated));
        yield return ("jited", Units.Bytes(BytesJited));
        if (BytesMemlock is { } m) yield return ("memlock", Units.Bytes(m));
        yield return ("verified insns", VerifiedInsns.ToString(CultureInfo.InvariantCulture));
        yield return ("maps", MapIds is null ? "-" : string.Join(", ", MapIds));
        yield return ("btf id", BtfId?.ToString(CultureInfo.InvariantCulture) ?? "-");
        if (RunCnt is { } runs and > 0 && RunTimeNs is { } ns)
        {
            var total = TimeSpan.FromTicks(ns / 100);
            yield return ("runs", $"{runs} ({Units.Duration(total)} total, {Units.Duration(total / runs)} each)");
        }
        if (RecursionMisses is { } misses) yield return ("recursion misses", misses.ToString(CultureInfo.InvariantCulture));
        if (PinPath is not null) yield return ("pinned", PinPath);
    }

    private string LoadedAtText => DateTimeOffset.FromUnixTimeSeconds(LoadedAt).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
