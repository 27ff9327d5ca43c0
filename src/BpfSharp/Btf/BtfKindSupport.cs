namespace BpfSharp.Btf;

/// <summary>The BTF kinds a kernel accepts, as <see cref="BtfSanitizer"/> needs them; tests force answers.</summary>
internal sealed record BtfKindSupport(bool Func, bool GlobalFunc, bool DataSec, bool QuestionMarkDataSec, bool Float,
    bool DeclTag, bool TypeTag, bool Enum64)
{
    public static BtfKindSupport Everything { get; } = new(true, true, true, true, true, true, true, true);

    public static BtfKindSupport Nothing { get; } = new(false, false, false, false, false, false, false, false);

    /// <summary>
    /// What the running kernel accepts (each probe runs once per process). When not even a blob with one INT loads
    /// (no privilege outside a token's namespace, no BTF at all), the probes say nothing about kinds: everything is
    /// taken as supported and the object's BTF goes to the kernel unchanged, as before probing.
    /// </summary>
    public static BtfKindSupport Probe() => !BpfFeatures.BtfLoad.IsSupported ? Everything : new(BpfFeatures.BtfFunc.IsSupported, BpfFeatures.BtfGlobalFunc.IsSupported,
        BpfFeatures.BtfDataSec.IsSupported, BpfFeatures.BtfQuestionMarkDataSec.IsSupported, BpfFeatures.BtfFloat.IsSupported,
        BpfFeatures.BtfDeclTag.IsSupported, BpfFeatures.BtfTypeTag.IsSupported, BpfFeatures.BtfEnum64.IsSupported);
}
