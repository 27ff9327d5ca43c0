using System.Text.Json;
using System.Text.RegularExpressions;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>struct_ops register/show/list/unregister</c> beside bpftool 7.1: what one registers the other shows and
/// unregisters; the kernel's list of TCP congestion controls witnesses the registration.
/// </summary>
public sealed class CliStructOpsTests
{
    private const string Congestion = "bpfsharp_fx";

    private static bool Registered() => CongestionControls.IsRegistered(Congestion);

    /// <summary>Registers with the tool, or skips naming the kernel's errno where this kernel refuses the struct_ops.</summary>
    private static BpfSharpTool.Result RegisterOrSkip(params string[] args)
    {
        var r = BpfSharpTool.Run(["struct_ops", "register", .. args]);
        if (r.ExitCode != 0 && Regex.Match(r.Stderr, @"\b(E[A-Z]+): ") is { Success: true } m && m.Groups[1].Value is "ENOTSUPP" or "EOPNOTSUPP" or "EINVAL" or "ESRCH" or "ENOENT")
            Assert.Skip($"the kernel refuses the struct_ops ({m.Groups[1].Value}): {r.Stderr.Trim()}");
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r;
    }

    private static void AssertSameShow(string id)
    {
        var theirs = TestKernel.Bpftool(null, "struct_ops", "show", "id", id);
        var ours = BpfSharpTool.Ok("-j", "struct_ops", "show", "id", id).Json;
        // bpftool 7.1 answers one id with the object itself.
        var (t, o) = (theirs, ours);
        Assert.Equal(JsonValueKind.Object, o.ValueKind);
        foreach (var field in t.EnumerateObject())
            Assert.True(o.TryGetProperty(field.Name, out var mine) && mine.ToString() == field.Value.ToString(), $"{field.Name}: bpftool {field.Value}, bpfsharp {o}");
        Assert.Equal(TestKernel.Run("bpftool", "struct_ops", "show", "id", id), BpfSharpTool.Ok("struct_ops", "show", "id", id).Stdout);
        Assert.Contains(BpfSharpTool.Ok("-j", "struct_ops", "list").Json.EnumerateArray(), e => e.GetProperty("id").ToString() == id);
    }

    [Fact]
    public void Register_ThroughALinkPinnedInLinkDir_ShowsAsBpftool_AndUnpinningUnregisters()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireTool("bpftool");
        TestKernel.RequireFeature(BpfFeatures.StructOpsLinks);
        string dir = $"/sys/fs/bpf/verbs-{Guid.NewGuid():N}"[..30];
        Directory.CreateDirectory(dir);
        try
        {
            var r = RegisterOrSkip(BpfSharpTool.Fixture("struct_ops.bpf.o"), dir);
            var m = Regex.Match(r.Stderr, @"Registered tcp_congestion_ops fx_cc map id (\d+) link id (\d+)");
            Assert.True(m.Success, r.Stderr);
            Assert.True(Registered());
            AssertSameShow(m.Groups[1].Value);
            // bpftool 7.1 shows the pinned link but not its map: the kernel's link info says which.
            Assert.Equal(m.Groups[2].Value, TestKernel.Bpftool(null, "link", "show", "pinned", dir + "/fx_cc").GetProperty("id").ToString());
            using (var link = BpfSharp.Links.BpfLink.OpenPinned(dir + "/fx_cc"))
                Assert.Equal(m.Groups[1].Value, ((BpfSharp.Links.StructOpsLinkInfo)link.GetInfo()).MapId.ToString());

            // A link's map is not unregistered by deleting its element: the kernel refuses, and says so.
            var refused = BpfSharpTool.Run("struct_ops", "unregister", "id", m.Groups[1].Value);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("can't unload tcp_congestion_ops fx_cc", refused.Stderr);
            Assert.True(Registered());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Assert.True(Eventually.Holds(() => !Registered()), "the congestion control went with its link's pin");
    }

    [Fact]
    public void RegisterByUpdate_AndUnregister_WithBpftoolOnTheOtherSide()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireTool("bpftool");
        string obj = BpfSharpTool.Fixture("struct_ops_update.bpf.o");
        try
        {
            var r = RegisterOrSkip(obj);
            var m = Regex.Match(r.Stderr, @"Registered tcp_congestion_ops fx_cc id (\d+)");
            Assert.True(m.Success, r.Stderr);
            Assert.True(Registered()); // after the tool exited: the kernel holds the map
            AssertSameShow(m.Groups[1].Value);
            TestKernel.Run("bpftool", "struct_ops", "unregister", "id", m.Groups[1].Value);
            Assert.True(Eventually.Holds(() => !Registered()), "bpftool unregistered what bpfsharp registered");

            TestKernel.Run("bpftool", "struct_ops", "register", obj);
            Assert.True(Registered());
            var u = BpfSharpTool.Ok("struct_ops", "unregister", "name", "fx_cc");
            Assert.Contains("Unregistered tcp_congestion_ops fx_cc id", u.Stderr);
            Assert.True(Eventually.Holds(() => !Registered()), "bpfsharp unregistered what bpftool registered");

            var none = BpfSharpTool.Run("struct_ops", "show", "name", "verbs_no_such");
            Assert.Equal(1, none.ExitCode);
            Assert.Contains("no struct_ops found for verbs_no_such", none.Stderr);
        }
        finally
        {
            if (Registered()) TestKernel.TryRun("bpftool", "struct_ops", "unregister", "name", "fx_cc");
        }
    }

    [Fact]
    public void Dump_IsBpftools_ByteForByte_InEveryForm()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireTool("bpftool");
        TestKernel.RequireFeature(BpfFeatures.StructOpsLinks);
        string dir = $"/sys/fs/bpf/dump-{Guid.NewGuid():N}"[..29];
        Directory.CreateDirectory(dir);
        try
        {
            var r = RegisterOrSkip(BpfSharpTool.Fixture("struct_ops.bpf.o"), dir);
            string id = Regex.Match(r.Stderr, @"map id (\d+)").Groups[1].Value;
            // The map's info through the kernel's struct bpf_map_info, the value through bpf_struct_ops_tcp_congestion_ops:
            // enums by name, function pointers as signatures with the implementing program, NULL pointers as "(nil)".
            foreach (string[] selector in new[] { new[] { "id", id }, ["name", "fx_cc"], [] })
            {
                foreach (string[] form in new[] { Array.Empty<string>(), ["-j"], ["-p"] })
                {
                    string[] args = [.. form, "struct_ops", "dump", .. selector];
                    string theirs = TestKernel.Run("bpftool", args);
                    var ours = BpfSharpTool.Ok(args);
                    Assert.True(theirs == ours.Stdout, $"bpftool {string.Join(' ', args)}:\n{theirs}\nbpfsharp:\n{ours.Stdout}");
                }
            }
            string text = BpfSharpTool.Ok("struct_ops", "dump", "id", id).Stdout;
            Assert.Contains("\"ssthresh\": \"u32 (struct sock *) fx_ssthresh/prog_id:", text);
            Assert.Contains("\"name\": \"bpfsharp_fx\"", text);
            // -j is JSON (ids and pointers as numbers): the two objects bpftool writes for one id, comma-separated.
            var json = System.Text.Json.JsonDocument.Parse("[" + BpfSharpTool.Ok("-j", "struct_ops", "dump", "id", id).Stdout + "]").RootElement;
            Assert.Equal(id, json[0].GetProperty("bpf_map_info").GetProperty("id").ToString());
            Assert.Equal(0, json[1].GetProperty("bpf_struct_ops_tcp_congestion_ops").GetProperty("data").GetProperty("owner").GetInt64());

            var none = BpfSharpTool.Run("struct_ops", "dump", "name", "dump_no_such");
            Assert.Equal("[]\n", none.Stdout);
            Assert.NotEqual(0, none.ExitCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Assert.True(Eventually.Holds(() => !Registered()), "the congestion control went with its link's pin");
    }
}
