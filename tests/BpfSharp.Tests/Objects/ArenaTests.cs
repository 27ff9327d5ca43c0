using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Objects;

/// <summary>
/// Arenas (Linux 6.9) with arena.bpf.c: the object's arena map is mapped at load with its <c>__arena</c> globals in its
/// last pages; the BPF side and this process see the same bytes at the same addresses. This host refuses arena maps
/// (EPERM); the 6.12 guest runs these.
/// </summary>
public sealed class ArenaTests
{
    private const int PageSize = 4096;

    [Fact]
    public void ArenaGlobals_AreSharedWithUserSpace_AtTheAddressesTheProgramSees()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.MapType(BpfMapType.Arena));
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("arena.bpf.o"));
        obj.Load();
        var map = obj.Maps["arena"];
        var arena = map.Arena!;
        Assert.Equal(4L * Environment.SystemPageSize, arena.Length);
        // libbpf 1.7's placement: the 80 bytes of .addr_space.1 in the last page.
        Assert.Equal(arena.Length - Environment.SystemPageSize, map.ArenaDataOffset);

        ulong counter = obj.ArenaAddressOf("arena_counter");
        Assert.Equal(arena.Address + (ulong)map.ArenaDataOffset, counter);
        Assert.Equal(7ul, arena.At<ulong>(counter));               // the initial value the loader copied in

        var prog = obj.Programs["bump_arena"].Program!;
        Assert.Equal(8u, prog.TestRun(new BpfTestRunOptions()).ReturnValue);
        Assert.Equal(8ul, arena.At<ulong>(counter));
        // The pointer the program stored is an address in this process's mapping.
        ulong written = arena.At<ulong>(obj.ArenaAddressOf("last_written"));
        Assert.Equal(obj.ArenaAddressOf("arena_values") + 16, written);
        Assert.Equal(800ul, arena.At<ulong>(written));

        // And the other way: what this process writes, the program reads.
        arena.At<ulong>(counter) = 41;
        Assert.Equal(42u, prog.TestRun(new BpfTestRunOptions()).ReturnValue);
        Assert.Equal(4200ul, arena.At<ulong>(written));
    }

    [Fact]
    public void AnArenaMap_IsMappedWithItsPages_AndRefusesAPointerOutsideIt()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.MapType(BpfMapType.Arena));
        using var map = BpfMap.Create(BpfMapType.Arena, 0, 0, 2, new BpfMapCreateOptions { Name = "t_arena", Flags = BpfMapFlags.Mmapable });
        using var memory = map.MapArena();
        Assert.Equal(2L * Environment.SystemPageSize, memory.Length);
        memory.Span[PageSize + 5] = 0x5a;                          // a page appears on first touch
        Assert.Equal(0x5a, memory.At<byte>(memory.Address + PageSize + 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => memory.OffsetOf(memory.Address + (ulong)memory.Length));
    }

    [Fact]
    public void AnArenaObject_OpensWithoutTheKernel_AndHasNoArenaAddressesBeforeLoad()
    {
        var bytes = File.ReadAllBytes(ObjectLoadTests.Fixture("arena.bpf.o"));
        using var obj = BpfObject.Open(bytes, "arena");
        Assert.Equal(BpfMapType.Arena, obj.Maps["arena"].Type);
        Assert.Throws<InvalidOperationException>(() => obj.ArenaAddressOf("arena_counter")); // not loaded
    }

    [Fact]
    public void ANonArenaMap_CannotBeMappedAsOne()
    {
        TestKernel.RequireRoot();
        using var map = BpfMap.Create(BpfMapType.Array, 4, 8, 1, new BpfMapCreateOptions { Name = "t_notarena", Flags = BpfMapFlags.Mmapable });
        Assert.Throws<InvalidOperationException>(() => map.MapArena());
    }
}
