using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace BpfSharp.Cli.Output;

/// <summary>JSON on standard output: indented on a terminal or with -p/--pretty, one compact document in a pipe.</summary>
internal static class JsonOutput
{
    /// <summary>A record (or a list of them) through its source-generated serializer (<see cref="CliJson"/>).</summary>
    public static void Write<T>(T value, JsonTypeInfo<T> type) => Write(w => JsonSerializer.Serialize(w, value, type));

    public static void Write(Action<Utf8JsonWriter> write)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = GlobalOptions.Pretty || !Console.IsOutputRedirected, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(writer);
        stdout.Write("\n"u8);
        stdout.Flush();
    }

    public static Utf8JsonWriter CreateLineWriter(Stream stream) =>
        new(stream, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public static void WriteUIntArray(this Utf8JsonWriter w, string name, IEnumerable<uint> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}
