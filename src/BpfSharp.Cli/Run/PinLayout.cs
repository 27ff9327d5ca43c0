namespace BpfSharp.Cli.Run;

/// <summary>
/// Where <c>run --pin DIR</c> pins and <c>unload DIR</c> looks: links under DIR/links/PROGRAM, maps under
/// DIR/maps/MAP, and programs loaded but not attached under DIR/progs/PROGRAM (they would be unloaded at exit
/// otherwise). bpffs holds only BPF objects, so the layout itself says what each pin is.
/// </summary>
internal static class PinLayout
{
    public static string Links(string dir) => Path.Combine(dir, "links");

    public static string Maps(string dir) => Path.Combine(dir, "maps");

    public static string Programs(string dir) => Path.Combine(dir, "progs");

    /// <summary>A pin file name for an object name: bpffs refuses '/' and reserves '.' (EPERM), as in "obj.rodata".</summary>
    public static string FileName(string name) => name.Replace('/', '_').Replace('.', '_');
}
