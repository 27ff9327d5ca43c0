using BpfSharp.Asm;
using BpfSharp.Tests.Support;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.Tests;

/// <summary><see cref="ProgramLoadTime"/>: the kernel's load_time, since boot and on the wall clock.</summary>
public sealed class ProgramLoadTimeTests
{
    private static BpfProgram Load() => BpfProgram.Load(BpfProgramType.SocketFilter, new BpfAssembler().Mov64(R0, 0).Exit().Build(),
        new BpfProgramLoadOptions { Name = "helper_loadtime" });

    [Fact]
    public void LoadTimeIsWhenTheProgramWasLoaded()
    {
        TestKernel.RequireRoot();
        var before = DateTimeOffset.UtcNow;
        using var first = Load();
        Thread.Sleep(50);
        using var second = Load();
        var after = DateTimeOffset.UtcNow;
        // Since boot: in load order, 50 ms apart at least, and not after now.
        var a = first.GetLoadTimeSinceBoot();
        var b = second.GetLoadTimeSinceBoot();
        Assert.True(b - a >= TimeSpan.FromMilliseconds(45), $"{a} then {b}");
        Assert.True(b <= DateTimeOffset.UtcNow - ProgramLoadTime.GetBootTime() + TimeSpan.FromMilliseconds(20));
        // Wall clock: between the instants around the loads (/proc/uptime has 10 ms steps).
        var loadedAt = first.GetLoadedAt();
        Assert.InRange(loadedAt, before - TimeSpan.FromMilliseconds(50), after + TimeSpan.FromMilliseconds(50));
        var boot = ProgramLoadTime.GetBootTime();
        Assert.Equal(boot + b, second.GetLoadedAt(boot));
    }
}
