using System.CommandLine;
using BpfSharp.Links;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>cgroup attach CGROUP ATTACH_TYPE PROG [multi|override]</c> and <c>cgroup detach CGROUP ATTACH_TYPE PROG</c>:
/// bpftool's BPF_PROG_ATTACH to a cgroup v2 directory, which keeps the program after the tool exits.
/// </summary>
internal static class CgroupAttachCommand
{
    /// <summary>The older words bpftool takes for the cgroup hooks (abbreviated too), beside libbpf's names (cgroup_inet_ingress...).</summary>
    private static readonly (string Word, BpfAttachType Type)[] OlderWords =
    [
        ("ingress", BpfAttachType.CgroupInetIngress), ("egress", BpfAttachType.CgroupInetEgress),
        ("sock_create", BpfAttachType.CgroupInetSockCreate), ("sock_release", BpfAttachType.CgroupInetSockRelease),
        ("sock_ops", BpfAttachType.CgroupSockOps), ("device", BpfAttachType.CgroupDevice),
        ("bind4", BpfAttachType.CgroupInet4Bind), ("bind6", BpfAttachType.CgroupInet6Bind),
        ("connect4", BpfAttachType.CgroupInet4Connect), ("connect6", BpfAttachType.CgroupInet6Connect),
        ("post_bind4", BpfAttachType.CgroupInet4PostBind), ("post_bind6", BpfAttachType.CgroupInet6PostBind),
        ("getpeername4", BpfAttachType.CgroupInet4Getpeername), ("getpeername6", BpfAttachType.CgroupInet6Getpeername),
        ("getsockname4", BpfAttachType.CgroupInet4Getsockname), ("getsockname6", BpfAttachType.CgroupInet6Getsockname),
        ("sendmsg4", BpfAttachType.CgroupUdp4Sendmsg), ("sendmsg6", BpfAttachType.CgroupUdp6Sendmsg),
        ("recvmsg4", BpfAttachType.CgroupUdp4Recvmsg), ("recvmsg6", BpfAttachType.CgroupUdp6Recvmsg),
        ("sysctl", BpfAttachType.CgroupSysctl), ("getsockopt", BpfAttachType.CgroupGetsockopt),
        ("setsockopt", BpfAttachType.CgroupSetsockopt),
    ];

    public static Command Attach()
    {
        var (cgroup, type, prog) = Arguments();
        var flags = new Argument<string[]>("FLAGS") { Description = "multi (BPF_F_ALLOW_MULTI) or override (BPF_F_ALLOW_OVERRIDE)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("attach", "Attach a program to a cgroup (BPF_PROG_ATTACH: it stays after the tool exits)") { cgroup, type, prog, flags };
        command.SetGuardedAction(r =>
        {
            string path = RequireCgroup(r.GetValue(cgroup)!);
            var attachType = Parse(r.GetValue(type)!);
            using var program = Targets.Program(r.GetValue(prog)!);
            bool multi = false, allowOverride = false;
            foreach (var word in r.GetValue(flags) ?? [])
            {
                if (word.Length > 0 && "multi".StartsWith(word, StringComparison.Ordinal)) multi = true;
                else if (word.Length > 0 && "override".StartsWith(word, StringComparison.Ordinal)) allowOverride = true;
                else throw new CliError($"unknown option: {word} (multi or override)");
            }
            if (multi && allowOverride) throw new CliError("multi and override exclude each other (the kernel takes one of BPF_F_ALLOW_MULTI, BPF_F_ALLOW_OVERRIDE)");
            var mode = multi ? CgroupAttachMode.Multi : allowOverride ? CgroupAttachMode.Override : CgroupAttachMode.Exclusive;
            ProgAttachCommand.Keep(program.AttachCgroupProgram(path, mode, attachType));
            if (GlobalOptions.Json) Console.WriteLine("null");
            return 0;
        });
        return command;
    }

    public static Command Detach()
    {
        var (cgroup, type, prog) = Arguments();
        var command = new Command("detach", "Detach a program from a cgroup (BPF_PROG_DETACH)") { cgroup, type, prog };
        command.SetGuardedAction(r =>
        {
            string path = RequireCgroup(r.GetValue(cgroup)!);
            var attachType = Parse(r.GetValue(type)!);
            using var program = Targets.Program(r.GetValue(prog)!);
            ProgramDetach.Cgroup(path, attachType, program);
            if (GlobalOptions.Json) Console.WriteLine("null");
            return 0;
        });
        return command;
    }

    private static (Argument<string>, Argument<string>, Argument<string>) Arguments() => (
        new Argument<string>("CGROUP") { Description = "A cgroup v2 directory" },
        new Argument<string>("ATTACH_TYPE") { Description = "The hook, as bpftool names it: cgroup_inet_ingress (or ingress), cgroup_sock_ops (sock_ops), cgroup_device (device)..." },
        new Argument<string>("PROG") { Description = Targets.Help });

    private static string RequireCgroup(string path) =>
        Directory.Exists(path) ? path : throw new CliError($"{path}: no such cgroup directory");

    /// <summary>bpftool's rule: libbpf's name exactly, else an older word or its abbreviation.</summary>
    private static BpfAttachType Parse(string word)
    {
        foreach (var type in CgroupProgramRecordTypes())
            if (KernelNames.Of(type) == word) return type;
        foreach (var (name, type) in OlderWords)
            if (word.Length > 0 && name.StartsWith(word, StringComparison.Ordinal)) return type;
        throw new CliError($"{word}: invalid attach type (one of {string.Join(", ", CgroupProgramRecordTypes().Select(KernelNames.Of))})");
    }

    private static BpfAttachType[] CgroupProgramRecordTypes() => Records.CgroupProgramRecord.CgroupAttachTypes;
}
