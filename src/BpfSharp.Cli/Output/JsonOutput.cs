using System.Text.Json;

namespace BpfSharp.Cli.Output;

/// <summary>JSON on standard output: indented on a terminal, one compact document in a pipe.</summary>
internal static class JsonOutput
{
    public static void Write(Action<Utf8JsonWriter> write)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = !Console.IsOutputRedirected, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
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
