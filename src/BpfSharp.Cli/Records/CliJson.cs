using System.Text.Json.Serialization;

namespace BpfSharp.Cli.Records;

/// <summary>
/// The serializers of every printed record, generated at compile time (no reflection: trimming and NativeAOT safe).
/// Property names become bpftool's snake_case; absent (null) fields are left out, as bpftool leaves them out.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProgRecord))]
[JsonSerializable(typeof(List<ProgRecord>))]
[JsonSerializable(typeof(MapRecord))]
[JsonSerializable(typeof(List<MapRecord>))]
[JsonSerializable(typeof(LinkRecord))]
[JsonSerializable(typeof(List<LinkRecord>))]
[JsonSerializable(typeof(BtfRecord))]
[JsonSerializable(typeof(List<BtfRecord>))]
[JsonSerializable(typeof(List<CgroupProgramRecord>))]
[JsonSerializable(typeof(List<CgroupTreeRecord>))]
[JsonSerializable(typeof(TestRunRecord))]
[JsonSerializable(typeof(List<InstructionRecord>))]
[JsonSerializable(typeof(StructOpsRecord))]
[JsonSerializable(typeof(List<StructOpsRecord>))]
internal sealed partial class CliJson : JsonSerializerContext;
