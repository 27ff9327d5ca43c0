using BpfSharp.Links;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>
/// DESIGN.md §1, "after the process exits", for USDT links: a child attaches the fixture object's counting program to
/// bpfsharp:args (two sites), pins the link's directory or not, disconnects or not, and exits or is killed; the
/// system's link list and the counter (the parent fires the probe) say what survived.
/// </summary>
public class UsdtProcessExitTests
{
    public static TheoryData<bool, bool, bool, bool> Matrix => new()
    {
        // pinned, disconnected, killed, survives
        { false, false, false, false },
        { false, true, false, false },
        { false, true, true, false },
        { true, false, false, true },
        { true, true, true, true },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void WhatSurvivesTheChild(bool pinned, bool disconnected, bool killed, bool survives)
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        string? pin = pinned ? dir["usdt"] : null;
        string binary = UsdtFixtures.Path("usdt_app_O0");
        var ids = ChildProcess.Run("usdt", pin, disconnected, killed,
            $"{Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", "usdt.bpf.o")}|{binary}");
        bool listed = survives ? BpfLink.EnumerateIds().Contains(ids.Link) : !Eventually.LinkGone(ids.Link);
        bool programLoaded = survives ? BpfProgram.EnumerateIds().Contains(ids.Program) : !Eventually.ProgramGone(ids.Program);
        using (var app = new UsdtFixtures.Running("usdt_app_O0"))
        {
            bool runs = Counters.MovesById(ids.Map, () => app.Fire(1));
            Assert.Equal(survives, listed);
            Assert.Equal(survives, programLoaded);
            Assert.Equal(survives, runs);
        }
        if (!survives) return;
        // Every underlying link is pinned under the directory (one uprobe.multi link where the kernel has them,
        // one perf link per probe site otherwise, as on 6.1); removing the pins ends the attachment.
        var pins = Directory.GetFiles(pin!);
        if (BpfFeatures.UprobeMulti.IsSupported) Assert.Single(pins);
        var linkIds = new List<uint>();
        foreach (var file in pins)
        {
            using var link = BpfLink.OpenPinned(file);
            Assert.Equal(ids.Program, link.GetInfo().ProgramId);
            linkIds.Add(link.Id);
        }
        Assert.Contains(ids.Link, linkIds);
        foreach (var file in pins) File.Delete(file);
        foreach (var id in linkIds) Assert.True(Eventually.LinkGone(id));
        Assert.True(Eventually.ProgramGone(ids.Program));
    }
}
