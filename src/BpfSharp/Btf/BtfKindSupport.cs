namespace BpfSharp.Btf;

/// <summary>The BTF kinds a kernel accepts, as <see cref="BtfSanitizer"/> needs them; tests force answers.</summary>
internal sealed record BtfKindSupport(bool Func, bool GlobalFunc, bool DataSec, bool QuestionMarkDataSec, bool Float,
    bool DeclTag, bool TypeTag, bool Enum64)
{
    public static BtfKindSupport Everything { get; } = new(true, true, true, true, true, true, true, true);

    public static BtfKindSupport Nothing { get; } = new(false, false, false, false, false, false, false, false);

    /// <summary>
    /// What the running kernel accepts, probed with the object's token when it has one (a process that holds only a
    /// token is refused the plain probes), each probe once per process or per token. When not even a blob with one
    /// INT loads (no privilege, no BTF at all), the probes say nothing about kinds: everything is taken as supported
    /// and the object's BTF goes to the kernel unchanged, as before probing.
    /// </summary>
    public static BtfKindSupport Probe(BpfToken? token = null)
    {
        bool Has(BpfFeature feature) => token is null ? feature.IsSupported : feature.IsSupportedWith(token);
        return !Has(BpfFeatures.BtfLoad) ? Everything : new(Has(BpfFeatures.BtfFunc), Has(BpfFeatures.BtfGlobalFunc),
            Has(BpfFeatures.BtfDataSec), Has(BpfFeatures.BtfQuestionMarkDataSec), Has(BpfFeatures.BtfFloat),
            Has(BpfFeatures.BtfDeclTag), Has(BpfFeatures.BtfTypeTag), Has(BpfFeatures.BtfEnum64));
    }
}
