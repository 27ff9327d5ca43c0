using System.Diagnostics;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Objects;

/// <summary>
/// BPF tokens (Linux 6.9) with token.bpf.c: in a child process in its own user and mount namespaces, without any
/// capability in the initial namespace, the object loads, attaches and runs with a token from a bpffs this test
/// delegated, and is refused with EPERM without it. The namespaces and the (detached) mount end with the child.
/// </summary>
public sealed class TokenTests
{
    [Fact]
    public async Task InAUserNamespace_AnObjectLoadsAttachesAndRuns_WithATokenOnly()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Tokens);
        string unshare = TestKernel.RequireTool("unshare");
        var psi = new ProcessStartInfo(unshare) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--user", "--map-root-user", "--mount", "--", "dotnet",
            Path.Combine(AppContext.BaseDirectory, "BpfSharp.TestChild.dll"), "token", "-", "0", "normal", ObjectLoadTests.Fixture("token.bpf.o") })
            psi.ArgumentList.Add(a);
        using var child = Process.Start(psi)!;
        try
        {
            var stderr = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            string? line = child.StandardOutput.ReadLine();
            if (line is null || !line.StartsWith("fsfd ", StringComparison.Ordinal))
            {
                string why = await stderr;
                // The CI guests run the suite in a chroot, where the kernel refuses CLONE_NEWUSER: there the
                // environment, not the kernel's tokens, stops the test (the host proves them).
                if (TestKernel.GuestKernel is not null && why.Contains("unshare failed: Operation not permitted", StringComparison.Ordinal))
                    Assert.Skip("user namespaces cannot be created in the guest's chroot (CLONE_NEWUSER is refused in a chroot)");
                Assert.Fail($"the child opened no bpffs context: {line} {why}");
            }
            var parts = line!.Split(' ');
            DelegatedBpffs.Create(int.Parse(parts[1]), int.Parse(parts[2]));
            child.StandardInput.WriteLine("created");
            child.StandardInput.Flush();

            string? result = child.StandardOutput.ReadLine();
            var probes = new List<string>();
            for (string? l; (l = child.StandardOutput.ReadLine()) is not null && l != "end";) probes.Add(l);
            Assert.True(child.WaitForExit(60_000), "the child did not finish");
            if (result is null || child.ExitCode != 0) Assert.Fail($"the child failed (exit {child.ExitCode}): {await stderr}");
            var fields = result!.Split(' ');
            Assert.Equal("token", fields[0]);
            Assert.Equal("EPERM", fields[1]);
            Assert.True(ulong.Parse(fields[2]) >= 20, $"the program counted {fields[2]} of the child's system calls");
            // Probes made through the token answer what the kernel offers the token's holder; the process-wide ones
            // are refused in the child's namespace. Each must match the same probe in this (privileged) process.
            var expected = new[] { BpfFeatures.BtfFunc, BpfFeatures.BtfDeclTag, BpfFeatures.ProgramType(BpfProgramType.RawTracepoint),
                BpfFeatures.MapType(BpfMapType.Hash), BpfFeatures.BpfCookie };
            Assert.Equal(expected.Length, probes.Count);
            foreach (var (feature, answered) in expected.Zip(probes))
            {
                Assert.Equal($"probe {feature.Name.Replace(' ', '_')} without=EPERM with={(feature.IsSupported ? "ok" : feature.MissingReason!.Split(' ')[0])}", answered);
            }
        }
        finally
        {
            if (!child.HasExited) child.Kill();
        }
    }

    [Fact]
    public void ATokenFromAnUndelegatedBpffs_OrAMissingPath_IsRefused()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Tokens);
        // In the initial user namespace the kernel makes no tokens: capabilities already decide there.
        var e = Assert.Throws<BpfException>(() => BpfToken.Create("/sys/fs/bpf"));
        Assert.Contains(e.ErrnoName, new[] { "EOPNOTSUPP", "EPERM" });
        var missing = Assert.Throws<BpfException>(() => BpfToken.Create($"/nonexistent-{Environment.ProcessId}"));
        Assert.Equal("ENOENT", missing.ErrnoName);
        // An object told to use a token it cannot make fails its load, naming the path.
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("token.bpf.o"), new BpfObjectOptions { TokenPath = "/sys/fs/bpf" });
        var load = Assert.Throws<BpfException>(obj.Load);
        Assert.Contains("/sys/fs/bpf", load.Message);
    }
}
