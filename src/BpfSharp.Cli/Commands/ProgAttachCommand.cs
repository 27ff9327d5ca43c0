using System.CommandLine;
using BpfSharp.Links;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>prog attach PROG ATTACH_TYPE [MAP]</c> and <c>prog detach PROG ATTACH_TYPE [MAP]</c>: bpftool's attach of an
/// sk_msg/sk_skb program to a sockmap or sockhash, or of a flow dissector to the tool's network namespace, with
/// BPF_PROG_ATTACH: the map or namespace keeps it after the tool exits, until it is detached.
/// </summary>
internal static class ProgAttachCommand
{
    /// <summary>bpftool's attach types for <c>prog attach</c>: libbpf's names, and the older words bpftool still takes.</summary>
    private static readonly (string Name, BpfAttachType Type)[] AttachTypes =
    [
        ("sk_msg_verdict", BpfAttachType.SkMsgVerdict),
        ("sk_skb_verdict", BpfAttachType.SkSkbVerdict),
        ("sk_skb_stream_verdict", BpfAttachType.SkSkbStreamVerdict),
        ("sk_skb_stream_parser", BpfAttachType.SkSkbStreamParser),
        ("flow_dissector", BpfAttachType.FlowDissector),
        ("msg_verdict", BpfAttachType.SkMsgVerdict),
        ("skb_verdict", BpfAttachType.SkSkbVerdict),
        ("stream_verdict", BpfAttachType.SkSkbStreamVerdict),
        ("stream_parser", BpfAttachType.SkSkbStreamParser),
    ];

    public static Command Attach() => Create("attach", "Attach a program to a sockmap/sockhash (sk_msg_verdict, sk_skb_verdict, sk_skb_stream_verdict, sk_skb_stream_parser) or to this network namespace (flow_dissector)", attach: true);

    public static Command Detach() => Create("detach", "Detach a program that 'prog attach' attached", attach: false);

    private static Command Create(string verb, string description, bool attach)
    {
        var prog = new Argument<string>("PROG") { Description = Targets.Help };
        var type = new Argument<string>("ATTACH_TYPE") { Description = string.Join(" | ", AttachTypes.Take(5).Select(t => t.Name)) };
        var map = new Argument<string?>("MAP") { Description = "The sockmap or sockhash (not for flow_dissector): an id or a pin, or id/pinned/name", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command(verb, description) { prog, type, map };
        command.SetGuardedAction(r =>
        {
            var attachType = Parse(r.GetValue(type)!);
            string? mapTarget = r.GetValue(map);
            using var program = Targets.Program(r.GetValue(prog)!);
            if (attachType == BpfAttachType.FlowDissector)
            {
                if (mapTarget is not null) throw new CliError($"flow_dissector attaches to this network namespace: no MAP ({Selectors.Describe(mapTarget)})");
                if (attach) Keep(program.AttachNetnsProgram("/proc/thread-self/ns/net"));
                else ProgramDetach.FlowDissector(program);
            }
            else
            {
                using var target = Targets.Map(mapTarget ?? throw new CliError($"{KernelNames.Of(attachType)}: the sockmap or sockhash (MAP) is missing"));
                if (attach) Keep(program.AttachSockmapProgram(target, attachType));
                else ProgramDetach.Sockmap(target, attachType, program);
            }
            if (GlobalOptions.Json) Console.WriteLine("null");
            return 0;
        });
        return command;
    }

    /// <summary>Leaves an attachment in its target after the tool exits, releasing the tool's own handles.</summary>
    internal static void Keep(BpfLink attachment)
    {
        attachment.Disconnect();
        attachment.Dispose();
    }

    private static BpfAttachType Parse(string word)
    {
        foreach (var (name, type) in AttachTypes.Take(5))
            if (word == name) return type;
        // The older words are taken abbreviated too, as bpftool takes them.
        foreach (var (name, type) in AttachTypes.Skip(5))
            if (word.Length > 0 && name.StartsWith(word, StringComparison.Ordinal)) return type;
        throw new CliError($"{word}: invalid attach/detach type (one of {string.Join(", ", AttachTypes.Take(5).Select(t => t.Name))})");
    }
}
