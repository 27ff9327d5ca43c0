using BpfSharp.Cli.Output;

namespace BpfSharp.Cli.Records;

/// <summary>
/// One printed kernel object (a program, map or link): the same record is serialized as JSON (bpftool's field names,
/// through <see cref="CliJson"/>'s source-generated serializers) and rendered as a table row and as details.
/// </summary>
internal interface IObjectRecord<TSelf> where TSelf : IObjectRecord<TSelf>
{
    /// <summary>The list table's header.</summary>
    static abstract TextTable NewTable();

    void AddRow(TextTable table);

    /// <summary>"name: value" rows for <c>show</c>.</summary>
    IEnumerable<(string Name, string Value)> DetailRows();
}
