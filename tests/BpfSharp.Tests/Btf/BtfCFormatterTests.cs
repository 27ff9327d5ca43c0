using BpfSharp.Btf;

namespace BpfSharp.Tests.Btf;

/// <summary>The C header writer on hand-built BTF; the kernel's whole BTF is compiled by clang in the Cli tests.</summary>
public sealed class BtfCFormatterTests
{
    [Fact]
    public void OrdersByValueDependenciesAndDeclaresPointees()
    {
        // outer embeds inner by value (inner has the higher id, so it must be moved first) and points at node.
        var b = new BtfBlobBuilder();
        int i32 = b.Int("int", 4, BtfIntEncoding.Signed);
        int nodeFwd = b.Forward("node", false);
        int nodePtr = b.Pointer(nodeFwd);
        int innerId = b.NextId + 1;
        int outer = b.Struct("outer", 16, ("in", innerId, 0), ("next", nodePtr, 64));
        int inner = b.Struct("inner", 8, ("a", i32, 0), ("b", i32, 32));
        Assert.Equal(innerId, inner);
        int fn = b.FuncProto(i32, false, ("x", i32), ("o", b.Pointer(outer)));
        b.Typedef("callback_t", b.Pointer(fn));
        b.Enum("mode", 4, false, ("MODE_A", 0), ("MODE_B", 1 << 20));
        string c = BtfCFormatter.Format(BtfSpec.Parse(b.Build()), "__T_H__");

        Assert.Contains("struct node;", c);
        Assert.True(c.IndexOf("struct inner {", StringComparison.Ordinal) < c.IndexOf("struct outer {", StringComparison.Ordinal), c);
        Assert.Contains("\tstruct inner in;\n", c);
        Assert.Contains("\tstruct node *next;\n", c);
        Assert.Contains("typedef int (*callback_t)(int x, struct outer *o);", c);
        Assert.Contains("MODE_B = 1048576,", c);
        Assert.StartsWith("#ifndef __T_H__", c);
    }

    [Fact]
    public void GapsBecomePaddingAndOffAlignmentMembersPack()
    {
        var b = new BtfBlobBuilder();
        int i32 = b.Int("int", 4, BtfIntEncoding.Signed);
        int ch = b.Int("char", 1, BtfIntEncoding.Signed);
        b.Struct("gap", 16, ("a", i32, 0), ("b", i32, 96));   // 8 bytes of gap before b
        b.Struct("packed", 5, ("c", ch, 0), ("i", i32, 8));    // i at offset 1
        b.Struct("aligned", 64, ("x", i32, 0));               // __aligned(64): tail padding
        string c = BtfCFormatter.Format(BtfSpec.Parse(b.Build()));
        Assert.Contains("struct gap {\n\tint a;\n\tint: 32;\n\tint: 32;\n\tint b;\n};", c);
        Assert.Contains("} __attribute__((packed));", c);
        // 60 bytes of tail padding: one char array (alignment 1, like the bitfields it replaces for long gaps).
        Assert.Contains("struct aligned {\n\tint x;\n\tchar __pad_4[60];\n};", c);
    }

    [Fact]
    public void DuplicateNamesGetSuffixes()
    {
        var b = new BtfBlobBuilder();
        int i32 = b.Int("int", 4, BtfIntEncoding.Signed);
        b.Struct("dup", 4, ("a", i32, 0));
        b.Struct("dup", 8, ("a", i32, 0), ("b", i32, 32));
        b.Enum("e1", 4, false, ("SAME", 0));
        b.Enum("e2", 4, false, ("SAME", 1));
        string c = BtfCFormatter.Format(BtfSpec.Parse(b.Build()));
        Assert.Contains("struct dup {", c);
        Assert.Contains("struct dup___2 {", c);
        Assert.Contains("SAME___2 = 1,", c);
    }
}
