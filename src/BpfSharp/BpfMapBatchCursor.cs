namespace BpfSharp;

/// <summary>
/// Where a batch walk of a map stands: the kernel's opaque position token (a bucket for hash maps, a key
/// for arrays). Start with a new cursor; <see cref="IsDone"/> turns true after the last batch.
/// </summary>
public sealed class BpfMapBatchCursor
{
    internal byte[] Token = [];
    internal byte[] NextToken = [];
    internal bool Started;

    /// <summary>Whether the last batch has been read.</summary>
    public bool IsDone { get; internal set; }

    /// <summary>Starts the walk again from the first element.</summary>
    public void Reset()
    {
        Started = false;
        IsDone = false;
    }
}
