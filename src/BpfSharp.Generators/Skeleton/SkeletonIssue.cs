namespace BpfSharp.Generators.Skeleton;

/// <summary>Something the skeleton could not include; the generator reports it as a diagnostic with this id.</summary>
public sealed class SkeletonIssue
{
    /// <summary>A type asked for by name is not in the object's BTF.</summary>
    public const string TypeNotFound = "BPFSKEL001";
    /// <summary>A name given for the skeleton is not a valid C# identifier.</summary>
    public const string InvalidIdentifier = "BPFSKEL002";
    /// <summary>The object could not be read (not a BPF ELF object, no BTF).</summary>
    public const string UnreadableObject = "BPFSKEL003";
    /// <summary>A member, map or variable has a type C# cannot lay out (a function, a flexible array); it is left out.</summary>
    public const string Skipped = "BPFSKEL004";

    public SkeletonIssue(string id, bool isError, string message) { Id = id; IsError = isError; Message = message; }

    public string Id { get; }
    public bool IsError { get; }
    public string Message { get; }

    public override string ToString() => $"{(IsError ? "error" : "warning")} {Id}: {Message}";
}
