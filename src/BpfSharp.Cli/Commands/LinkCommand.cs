using System.CommandLine;
using System.Text.Json;
using BpfSharp.Cli.Records;
using BpfSharp.Links;

namespace BpfSharp.Cli.Commands;

/// <summary><c>bpfsharp link list|show|pin|unpin|detach|update</c>: the system's BPF links.</summary>
internal static class LinkCommand
{
    public static Command Create()
    {
        var command = new Command("link", "BPF links (attachments): list, show, pin, unpin, detach, update");
        command.Subcommands.Add(ObjectVerbs.List(Kind));
        command.Subcommands.Add(ObjectVerbs.Show(Kind));
        command.Subcommands.Add(ObjectVerbs.Pin(Kind, "Pin a link in bpffs: it then stays attached after every fd is closed"));
        command.Subcommands.Add(Unpin());
        command.Subcommands.Add(Detach());
        command.Subcommands.Add(Update());
        return command;
    }

    internal static readonly ObjectKind<BpfLink, LinkRecord> Kind = new(
        "link", "LINK", BpfLink.EnumerateIds, id => Disconnected(BpfLink.FromId(id)), OpenForReading,
        t => [.. Targets.Links(t).Select(Disconnected)],
        link => LinkRecord.Of(link.GetInfo(), link.PinPath), Release,
        (link, path) => link.Pin(path), link => $"pinned link {link.Id} at {link.PinPath}",
        CliJson.Default.LinkRecord, CliJson.Default.ListLinkRecord);

    private static BpfLink Disconnected(BpfLink link)
    {
        link.Disconnect();
        return link;
    }

    private static Argument<string> LinkArgument() => new("LINK") { Description = Targets.Help };

    /// <summary>Opens a link only to read about it: disposing must not detach it, whatever holds it.</summary>
    private static BpfLink OpenForReading(string target)
    {
        var link = Targets.Link(target);
        link.Disconnect();
        return link;
    }

    private static void Release(BpfLink link) => link.Handle?.Dispose(); // closing our fd leaves the link to its other holders

    private static Command Unpin()
    {
        var path = new Argument<string>("PATH") { Description = "The link's pin" };
        var command = new Command("unpin", "Remove a link's pin: the link is detached unless something else holds it") { path };
        command.SetGuardedAction(r =>
        {
            var link = PinnedObjects.OpenLink(r.GetValue(path)!);
            link.Disconnect();
            try { link.Unpin(); }
            finally { Release(link); }
            return 0;
        });
        return command;
    }

    private static Command Detach()
    {
        var target = LinkArgument();
        var command = new Command("detach", "Detach a link now (BPF_LINK_DETACH); kinds the kernel cannot detach say so") { target };
        command.SetGuardedAction(r =>
        {
            var link = OpenForReading(r.GetValue(target)!);
            try { link.Detach(); }
            finally { Release(link); }
            return 0;
        });
        return command;
    }

    private static Command Update()
    {
        var target = LinkArgument();
        var program = new Option<string>("--program") { HelpName = "PROG", Description = "The new program (id or pin)", Required = true };
        var expect = new Option<string?>("--expect") { HelpName = "PROG", Description = "Replace only if this program (id or pin) is the link's now" };
        var command = new Command("update", "Replace a link's program atomically (BPF_LINK_UPDATE)") { target, program, expect };
        command.SetGuardedAction(r =>
        {
            var link = OpenForReading(r.GetValue(target)!);
            try
            {
                using var newProgram = Targets.Program(r.GetValue(program)!);
                using var old = r.GetValue(expect) is { } e ? Targets.Program(e) : null;
                link.Update(newProgram, old);
            }
            finally { Release(link); }
            return 0;
        });
        return command;
    }
}
