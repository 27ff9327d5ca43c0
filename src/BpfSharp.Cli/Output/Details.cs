namespace BpfSharp.Cli.Output;

/// <summary>One object's fields as aligned "name: value" lines.</summary>
internal static class Details
{
    public static void Write(IReadOnlyList<(string Name, string Value)> rows)
    {
        int width = rows.Max(r => r.Name.Length) + 1;
        foreach (var (name, value) in rows) Console.WriteLine($"{(name + ":").PadRight(width)} {value}");
    }
}
