using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BpfSharp.Hosting;

/// <summary>Reports the attachments of a hosted object that are gone, and readers that stopped.</summary>
public sealed class BpfAttachmentHealthCheck(BpfHostedObject hosted) : IHealthCheck
{
    /// <summary>Healthy when the object runs with every attachment in place and every reader running; otherwise the registration's failure status, naming what is wrong.</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (hosted.Object is null)
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, $"BPF object {hosted.Name} is not running"));
        var problems = hosted.FindProblems();
        var data = new Dictionary<string, object> { ["attachments"] = hosted.Links.Count };
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy($"BPF object {hosted.Name}: {hosted.Links.Count} attachments in place", data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"BPF object {hosted.Name}: {string.Join("; ", problems)}", data: data));
    }
}
