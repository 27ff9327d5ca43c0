using BpfSharp.Interop;

using BpfSharp.Btf;

namespace BpfSharp;

/// <summary>
/// Which BTF kinds the running kernel's <c>BPF_BTF_LOAD</c> accepts, each probed once by loading a few types that
/// use it (cached for the process, and per token when asked with one). An object's BTF is rewritten for what is missing (<see cref="BtfSanitizer"/>).
/// </summary>
public static partial class BpfFeatures
{
    /// <summary>BTF at all (Linux 4.18): a blob with one INT.</summary>
    public static BpfFeature BtfLoad { get; } = new("BTF (BPF_BTF_LOAD)", "4.18", token => Probe(token, "an INT", b => b.AddInt("int", 4, BtfIntEncoding.Signed)));

    /// <summary>FUNC and FUNC_PROTO (Linux 5.0).</summary>
    public static BpfFeature BtfFunc { get; } = new("BTF FUNC and FUNC_PROTO", "5.0", token => Probe(token, "a static FUNC", b =>
        b.AddFunc("probe", b.AddFuncProto(0, []), BtfLinkage.Static)));

    /// <summary>FUNC with global linkage (Linux 5.6).</summary>
    public static BpfFeature BtfGlobalFunc { get; } = new("BTF global FUNC", "5.6", token => Probe(token, "a global FUNC", b =>
        b.AddFunc("probe", b.AddFuncProto(0, []), BtfLinkage.Global)));

    /// <summary>VAR and DATASEC (Linux 5.2).</summary>
    public static BpfFeature BtfDataSec { get; } = new("BTF VAR and DATASEC", "5.2", token => Probe(token, "a DATASEC", b =>
    {
        int i = b.AddInt("int", 4, BtfIntEncoding.Signed);
        b.AddDataSec(".data", 4, [new(b.AddVar("probe", i), 0, 4)]);
    }));

    /// <summary>A DATASEC whose name starts with '?' (<c>?.data</c>: a section libbpf may leave out of the object), Linux 6.5.</summary>
    public static BpfFeature BtfQuestionMarkDataSec { get; } = new("BTF DATASEC named from '?'", "6.5", token => Probe(token, "a DATASEC named ?.data", b =>
    {
        int i = b.AddInt("int", 4, BtfIntEncoding.Signed);
        b.AddDataSec("?.data", 4, [new(b.AddVar("probe", i), 0, 4)]);
    }));

    /// <summary>FLOAT (Linux 5.13).</summary>
    public static BpfFeature BtfFloat { get; } = new("BTF FLOAT", "5.13", token => Probe(token, "a FLOAT", b => b.AddFloat("float", 4)));

    /// <summary>DECL_TAG (Linux 5.16).</summary>
    public static BpfFeature BtfDeclTag { get; } = new("BTF DECL_TAG", "5.16", token => Probe(token, "a DECL_TAG on a VAR", b =>
    {
        int i = b.AddInt("int", 4, BtfIntEncoding.Signed);
        b.AddDeclTag("probe", b.AddVar("probe", i));
    }));

    /// <summary>TYPE_TAG (Linux 5.17).</summary>
    public static BpfFeature BtfTypeTag { get; } = new("BTF TYPE_TAG", "5.17", token => Probe(token, "a pointer to a TYPE_TAG", b =>
    {
        int i = b.AddInt("int", 4, BtfIntEncoding.Signed);
        b.AddPointer(b.AddTypeTag("probe", i));
    }));

    /// <summary>ENUM64, and the signedness flag on ENUM (Linux 6.0).</summary>
    public static BpfFeature BtfEnum64 { get; } = new("BTF ENUM64", "6.0", token => Probe(token, "an ENUM64", b =>
        b.AddEnum64("probe", 8, [new("PROBE", 1L << 40)])));

    private static string? Probe(BpfToken? token, string what, Action<BtfBuilder> add)
    {
        var builder = new BtfBuilder();
        add(builder);
        try
        {
            using var fd = BtfLoader.Load(builder.Build(), $"probe: {what}", token);
            return null;
        }
        catch (BpfException e)
        {
            return $"{e.ErrnoName} from BPF_BTF_LOAD of {what}";
        }
    }
}
