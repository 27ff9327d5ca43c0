using Microsoft.Extensions.Logging;

namespace BpfSharp.Hosting;

/// <summary>Every message the host logs, source-generated (no formatting cost when the level is off).</summary>
internal static partial class BpfLog
{
    [LoggerMessage(1, LogLevel.Information, "Loaded BPF object {Object}: {Programs} programs, {Maps} maps in {Milliseconds:F1} ms")]
    public static partial void Loaded(ILogger logger, string @object, int programs, int maps, double milliseconds);

    [LoggerMessage(2, LogLevel.Error, "Loading BPF object {Object} failed: {Reason}\n{VerifierLog}")]
    public static partial void LoadFailed(ILogger logger, string @object, string reason, string verifierLog, Exception exception);

    [LoggerMessage(3, LogLevel.Information, "Attached {Program} of {Object} ({LinkType} link id {LinkId})")]
    public static partial void Attached(ILogger logger, string program, string @object, string linkType, uint linkId);

    [LoggerMessage(4, LogLevel.Information, "Upgraded {Program} of {Object} in place: {LinkType} link id {LinkId} now runs program id {ProgramId} (was {OldProgramId})")]
    public static partial void Updated(ILogger logger, string program, string @object, string linkType, uint linkId, uint programId, uint oldProgramId);

    [LoggerMessage(5, LogLevel.Information, "Upgraded {Program} of {Object} by attaching anew: {LinkType} link id {LinkId} replaced link id {OldLinkId} (a {LinkType} link cannot change its program)")]
    public static partial void Replaced(ILogger logger, string program, string @object, string linkType, uint linkId, uint oldLinkId);

    [LoggerMessage(6, LogLevel.Information, "Detached {Program} of {Object} ({LinkType} link id {LinkId})")]
    public static partial void Detached(ILogger logger, string program, string @object, string linkType, uint linkId);

    [LoggerMessage(7, LogLevel.Information, "Left {Program} of {Object} attached ({LinkType} link id {LinkId}, pinned at {PinPath})")]
    public static partial void KeptAttached(ILogger logger, string program, string @object, string linkType, uint linkId, string pinPath);

    [LoggerMessage(8, LogLevel.Warning, "Left {Program} of {Object} attached without a pin: a {Kind} attachment cannot be pinned, so the next start cannot find it")]
    public static partial void KeptUnpinnable(ILogger logger, string program, string @object, string kind);

    [LoggerMessage(9, LogLevel.Information, "Detached the pinned link {PinPath} of {Object}: this version has no program {Program}")]
    public static partial void StaleDetached(ILogger logger, string pinPath, string @object, string program);

    [LoggerMessage(10, LogLevel.Debug, "Reusing map {Map} of {Object} pinned at {PinPath}")]
    public static partial void MapReused(ILogger logger, string map, string @object, string pinPath);

    [LoggerMessage(11, LogLevel.Warning, "{Lost} records lost on CPU {Cpu} of map {Map} of {Object} (the perf buffer was full)")]
    public static partial void LostSamples(ILogger logger, long lost, int cpu, string map, string @object);

    [LoggerMessage(12, LogLevel.Error, "A handler of map {Map} of {Object} failed on a record; reading goes on")]
    public static partial void HandlerFault(ILogger logger, string map, string @object, Exception exception);

    [LoggerMessage(13, LogLevel.Error, "The reader of map {Map} of {Object} failed and stopped")]
    public static partial void ReaderFault(ILogger logger, string map, string @object, Exception exception);

    [LoggerMessage(15, LogLevel.Warning, "Run-time statistics for {Object} are off: {Reason} (BPF_ENABLE_STATS needs CAP_SYS_ADMIN; sysctl kernel.bpf_stats_enabled=1 on the node turns them on for everyone)")]
    public static partial void StatisticsRefused(ILogger logger, string @object, string reason);

    [LoggerMessage(14, LogLevel.Error, "Attaching {Program} of {Object} failed")]
    public static partial void AttachFailed(ILogger logger, string program, string @object, Exception exception);
}
