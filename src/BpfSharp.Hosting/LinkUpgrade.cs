using BpfSharp.Links;

namespace BpfSharp.Hosting;

/// <summary>How a program came to be attached at start.</summary>
internal enum AttachOutcome
{
    /// <summary>Nothing was pinned: a new attachment.</summary>
    Attached,
    /// <summary>The pinned link now runs the new program (BPF_LINK_UPDATE, compare-and-swap on the old program).</summary>
    Updated,
    /// <summary>The pinned link's kind cannot change its program: a new link was attached, then the old one removed.</summary>
    Replaced,
}

/// <summary>An attachment the host holds: the program it runs, its link, and the pin the host answers for.</summary>
internal sealed record HostedLink(string Program, BpfLink Link, uint LinkId, string? PinPath);

/// <summary>
/// Attaches a program where the previous version's pinned link is, so that the hook never runs without a
/// program and never ends up with two: update in place where the link kind can, otherwise attach the new
/// one first and remove the old one after.
/// </summary>
internal static class LinkUpgrade
{
    /// <summary>
    /// The suffix of a pin made by a replacement that has not yet been renamed over the old pin. bpffs refuses '.'
    /// in names (EPERM, even to look one up); a C identifier never has '-', so no program's pin can end so.
    /// </summary>
    private const string NewSuffix = "-next";

    public static (HostedLink Link, AttachOutcome Outcome, uint OldId) AttachOrUpgrade(
        string programName, BpfProgram program, Func<BpfProgram, BpfLink> attach, string? pinPath, bool pin)
    {
        if (pinPath is null) return (Fresh(programName, attach(program), null), AttachOutcome.Attached, 0);

        // A replacement interrupted (a crash between pin and rename): the old pin still holds the live attachment.
        RemovePin(pinPath + NewSuffix);
        if (!File.Exists(pinPath))
        {
            var link = attach(program);
            if (pin) PinOrDetach(link, pinPath);
            return (Fresh(programName, link, pin ? pinPath : null), AttachOutcome.Attached, 0);
        }

        var old = BpfLink.OpenPinned(pinPath);
        try
        {
            uint oldProgramId = old.GetInfo().ProgramId;
            if (TryUpdate(old, program, oldProgramId))
                return (Fresh(programName, old, pinPath), AttachOutcome.Updated, oldProgramId);

            uint oldLinkId = old.Id;
            var fresh = attach(program);
            try
            {
                if (pin)
                {
                    // Pin beside, then rename over the old pin: one atomic step, so some pin always holds an attachment.
                    fresh.Pin(pinPath + NewSuffix);
                    File.Move(pinPath + NewSuffix, pinPath, overwrite: true);
                }
                else RemovePin(pinPath);
            }
            catch
            {
                RemovePin(pinPath + NewSuffix);
                fresh.Dispose();
                throw;
            }
            // The old link's last holder: closing it detaches the old program (the new one already runs).
            old.Dispose();
            return (Fresh(programName, fresh, pin ? pinPath : null), AttachOutcome.Replaced, oldLinkId);
        }
        catch
        {
            // Our fd only: the pin (when still there) keeps the previous version attached.
            if (!old.IsDisposed) old.Dispose();
            throw;
        }
    }

    /// <summary>
    /// BPF_LINK_UPDATE with the program the link ran when we looked as the expected one, so that a concurrent
    /// change fails (EPERM) instead of being overwritten. False when the link's kind has no program update
    /// (EINVAL: raw tracepoint, tracing, perf event links; EOPNOTSUPP: netfilter).
    /// </summary>
    private static bool TryUpdate(BpfLink link, BpfProgram program, uint oldProgramId)
    {
        using var oldProgram = BpfProgram.FromId(oldProgramId);
        try
        {
            link.Update(program, expectedOld: oldProgram);
            return true;
        }
        catch (BpfException e) when (e.Errno is Errno.EINVAL or Errno.EOPNOTSUPP)
        {
            return false;
        }
        catch (NotSupportedException)
        {
            return false;
        }
    }

    private static HostedLink Fresh(string program, BpfLink link, string? pinPath) => new(program, link, SafeId(link), pinPath);

    private static uint SafeId(BpfLink link) => link.Handle is null ? 0 : link.Id;

    private static void PinOrDetach(BpfLink link, string pinPath)
    {
        try
        {
            link.Pin(pinPath);
        }
        catch
        {
            link.Dispose();
            throw;
        }
    }

    /// <summary>Removes the pinned links under <paramref name="linkDirectory"/> whose program this version does not have.</summary>
    public static IEnumerable<(string PinPath, string Program)> RemoveStale(string linkDirectory, IReadOnlySet<string> programs)
    {
        if (!Directory.Exists(linkDirectory)) yield break;
        foreach (var path in Directory.GetFiles(linkDirectory))
        {
            string name = Path.GetFileName(path);
            if (name.EndsWith(NewSuffix, StringComparison.Ordinal) || programs.Contains(name)) continue;
            RemovePin(path);
            yield return (path, name);
        }
    }

    public static void RemovePin(string path)
    {
        try { File.Delete(path); }
        catch (DirectoryNotFoundException) { }
    }
}
