namespace BpfSharp.Cli.Records;

/// <summary>
/// A struct_ops map as <c>struct_ops list/show</c> prints it; the JSON fields are bpftool's: the map's id and name and
/// the kernel struct it implements (<c>tcp_congestion_ops</c>).
/// </summary>
internal sealed record StructOpsRecord(uint Id, string Name, string KernelStructOps)
{
    /// <summary>The kernel's value type is <c>bpf_struct_ops_NAME</c>: bpftool names the struct without the prefix.</summary>
    public static StructOpsRecord Of(BpfMapInfo info, Btf.BtfSpec? kernel)
    {
        string type = kernel is not null && info.BtfVmlinuxValueTypeId != 0 && info.BtfVmlinuxValueTypeId < (uint)kernel.Count
            ? kernel[(int)info.BtfVmlinuxValueTypeId].Name : "";
        const string prefix = "bpf_struct_ops_";
        return new StructOpsRecord(info.Id, info.Name, type.StartsWith(prefix, StringComparison.Ordinal) ? type[prefix.Length..] : type);
    }

    /// <summary>bpftool's line: the id, then the name and the struct in columns of 15 and 32.</summary>
    public string Line => $"{Id}: {Name,-15} {KernelStructOps,-32}";
}
