using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Objects;

/// <summary>C bools among an object's globals: one byte each, read and written without touching their neighbours.</summary>
public class BoolVariableTests
{
    [Fact]
    public void ABool_IsOneByte_AndItsNeighbourKeepsItsValue()
    {
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("bool_globals.bpf.o"));
        Assert.Equal(1, obj.Variables["enabled"].Size);
        Assert.True(obj.Variables["enabled"].Get<bool>());
        Assert.False(obj.Variables["verbose"].Get<bool>());
        obj.Variables["enabled"].Set(false);
        obj.Variables["verbose"].Set(true);
        Assert.False(obj.Variables["enabled"].Get<bool>());
        Assert.True(obj.Variables["verbose"].Get<bool>());
        Assert.Equal((byte)7, obj.Variables["after_enabled"].Get<byte>());
        Assert.Equal((byte)9, obj.Variables["after_verbose"].Get<byte>());
    }

    [Fact]
    public void AfterLoad_TheProgramSeesTheBoolsAsSet()
    {
        TestKernel.RequireRoot();
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("bool_globals.bpf.o"));
        obj.Load();
        using var link = obj.Programs["tick"].Program!.Attach();
        // enabled and not verbose: every syscall adds 9.
        Assert.True(Eventually.Holds(() => { File.Exists("/"); return obj.Variables["after_enabled"].Get<byte>() != 7; }), "the program ran");
        // Clearing the one-byte bool stops it: a syscall already past the check may still add once, then nothing.
        obj.Variables["enabled"].Set(false);
        Thread.Sleep(50);
        byte settled = obj.Variables["after_enabled"].Get<byte>();
        Thread.Sleep(100);
        Assert.Equal(settled, obj.Variables["after_enabled"].Get<byte>());
    }
}
