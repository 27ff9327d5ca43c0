using System.Text.RegularExpressions;
using BpfSharp.Btf;
using Microsoft.Build.Framework;
using Task = Microsoft.Build.Utilities.Task;

namespace BpfSharp.Build;

/// <summary>
/// Writes <c>vmlinux.h</c> (the kernel's types as C, by BpfSharp's own header writer, as <c>bpfsharp btf dump
/// --format c</c> does) when one of the sources includes it and the header is missing or older than the BTF.
/// </summary>
public sealed partial class WriteVmlinuxHeader : Task
{
    /// <summary>The BPF C sources; the header is written only if one of them includes vmlinux.h.</summary>
    [Required] public ITaskItem[] Sources { get; set; } = [];

    /// <summary>The BTF to write from: the build machine's kernel by default, or a raw BTF file.</summary>
    [Required] public string BtfFile { get; set; } = "";

    /// <summary>The header to write.</summary>
    [Required] public string Output { get; set; } = "";

    [GeneratedRegex(@"^\s*#\s*include\s*[<""]vmlinux\.h["">]", RegexOptions.Multiline)]
    private static partial Regex IncludesVmlinux();

    public override bool Execute()
    {
        if (!Sources.Any(s => File.Exists(s.ItemSpec) && IncludesVmlinux().IsMatch(File.ReadAllText(s.ItemSpec))))
            return true;
        if (!File.Exists(BtfFile))
        {
            Log.LogError(null, "BPF0003", null, Sources[0].ItemSpec, 0, 0, 0, 0,
                "a BPF source includes vmlinux.h, but the BTF to write it from ({0}) does not exist: the kernel needs CONFIG_DEBUG_INFO_BTF, or set BpfBtfFile to a BTF file", BtfFile);
            return false;
        }
        if (File.Exists(Output) && File.GetLastWriteTimeUtc(Output) >= File.GetLastWriteTimeUtc(BtfFile))
            return true;

        try
        {
            var spec = BtfSpec.Load(BtfFile);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(Output))!);
            // Written beside and renamed: a build interrupted mid-write must not leave a header that looks current.
            var temporary = Output + ".tmp";
            using (var writer = new StreamWriter(temporary))
                BtfCFormatter.Write(spec, writer);
            File.Move(temporary, Output, overwrite: true);
            Log.LogMessage(MessageImportance.Normal, "wrote {0} from {1} ({2} types)", Output, BtfFile, spec.Count);
        }
        catch (Exception e) when (e is BpfException or IOException or InvalidOperationException)
        {
            Log.LogError(null, "BPF0004", null, BtfFile, 0, 0, 0, 0, "writing vmlinux.h from {0} failed: {1}", BtfFile, e.Message);
        }
        return !Log.HasLoggedErrors;
    }
}
