using System.CommandLine;
using BpfSharp.Links;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>net attach ATTACH_TYPE PROG dev IFNAME [overwrite|prepend]</c> and <c>net detach ATTACH_TYPE dev IFNAME</c>:
/// bpftool's attach of XDP through rtnetlink and of tcx with BPF_PROG_ATTACH, in the tool's network namespace; the
/// interface keeps the program after the tool exits.
/// </summary>
internal static class NetAttachCommand
{
    private static readonly (string Name, XdpMode? Xdp, TcDirection? Tcx)[] AttachTypes =
    [
        ("xdp", XdpMode.Auto, null),
        ("xdpgeneric", XdpMode.Generic, null),
        ("xdpdrv", XdpMode.Native, null),
        ("xdpoffload", XdpMode.Offload, null),
        ("tcx_ingress", null, TcDirection.Ingress),
        ("tcx_egress", null, TcDirection.Egress),
    ];

    private static string Names => string.Join(" | ", AttachTypes.Select(t => t.Name));

    public static Command Attach()
    {
        var type = new Argument<string>("ATTACH_TYPE") { Description = Names };
        var prog = new Argument<string>("PROG") { Description = Targets.Help };
        var rest = new Argument<string[]>("DEV") { Description = "dev IFNAME [overwrite (xdp) | prepend (tcx)]", Arity = ArgumentArity.OneOrMore };
        var command = new Command("attach", "Attach a program to an interface: XDP (rtnetlink) or tcx (BPF_PROG_ATTACH); it stays after the tool exits") { type, prog, rest };
        command.SetGuardedAction(r =>
        {
            var (_, xdp, tcx) = Parse(r.GetValue(type)!);
            var words = r.GetValue(rest)!;
            int ifindex = Device(words);
            bool overwrite = false, prepend = false;
            foreach (var word in words.Skip(2))
            {
                if (word == "overwrite" && xdp is not null) overwrite = true;
                else if (word == "prepend" && tcx is not null) prepend = true;
                else if (word is "overwrite" or "prepend") throw new CliError($"'{word}' is only supported for {(word == "overwrite" ? "xdp types" : "tcx_ingress/tcx_egress")}");
                else throw new CliError($"expected 'overwrite' or 'prepend', got: '{word}'");
            }
            using var program = Targets.Program(r.GetValue(prog)!);
            BpfLink attachment = xdp is { } mode
                ? program.AttachXdpNetlink(ifindex, new XdpNetlinkAttachOptions { Mode = mode, ReplaceExisting = overwrite })
                : program.AttachTcxProgram(ifindex, tcx!.Value, new TcxProgramAttachOptions { Position = prepend ? AttachPosition.First : null });
            ProgAttachCommand.Keep(attachment);
            if (GlobalOptions.Json) Console.WriteLine("null");
            return 0;
        });
        return command;
    }

    public static Command Detach()
    {
        var type = new Argument<string>("ATTACH_TYPE") { Description = Names };
        var rest = new Argument<string[]>("DEV") { Description = "dev IFNAME", Arity = ArgumentArity.OneOrMore };
        var command = new Command("detach", "Detach the program of an interface's XDP (in that mode) or the last of its tcx programs") { type, rest };
        command.SetGuardedAction(r =>
        {
            var (_, xdp, tcx) = Parse(r.GetValue(type)!);
            var words = r.GetValue(rest)!;
            int ifindex = Device(words);
            if (words.Length > 2) throw new CliError($"expected nothing after dev {words[1]}, got: '{words[2]}'");
            if (xdp is { } mode) ProgramDetach.Xdp(ifindex, mode);
            else ProgramDetach.Tcx(ifindex, tcx!.Value);
            if (GlobalOptions.Json) Console.WriteLine("null");
            return 0;
        });
        return command;
    }

    private static (string, XdpMode?, TcDirection?) Parse(string word)
    {
        // bpftool takes a prefix of a name; the first that fits ("xdp" is xdp, not xdpgeneric).
        foreach (var t in AttachTypes)
            if (word.Length > 0 && t.Name.StartsWith(word, StringComparison.Ordinal)) return t;
        throw new CliError($"invalid net attach/detach type: {word} ({Names})");
    }

    /// <summary>The ifindex of <c>dev IFNAME</c> in the tool's network namespace.</summary>
    private static int Device(string[] words)
    {
        if (words[0] != "dev") throw new CliError($"expected 'dev', got: '{words[0]}'");
        if (words.Length < 2) throw new CliError("dev: the interface name is missing");
        return AttachedPrograms.Interfaces().FirstOrDefault(i => i.Name == words[1])?.Ifindex
            ?? throw new CliError($"dev {words[1]}: no such interface in this network namespace");
    }
}
