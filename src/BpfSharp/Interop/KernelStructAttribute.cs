namespace BpfSharp.Interop;

/// <summary>
/// Names the kernel type an ABI struct mirrors, so a test can check every field's offset and size against
/// the running kernel's BTF. <see cref="Member"/> is the named member of <see cref="Type"/> (e.g. <c>batch</c>
/// of <c>union bpf_attr</c>); <see cref="Containing"/> picks an anonymous member by a field it contains.
/// </summary>
[AttributeUsage(AttributeTargets.Struct)]
internal sealed class KernelStructAttribute(string type) : Attribute
{
    public string Type { get; } = type;
    public string? Member { get; init; }
    public string? Containing { get; init; }
}

/// <summary>The kernel's name of a field whose C# name cannot be the same (a dotted path through nested members).</summary>
[AttributeUsage(AttributeTargets.Field)]
internal sealed class KernelFieldAttribute(string path) : Attribute
{
    public string Path { get; } = path;
}
