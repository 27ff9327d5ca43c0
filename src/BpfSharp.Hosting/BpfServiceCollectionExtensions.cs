using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BpfSharp.Hosting;

/// <summary>Registration of hosted BPF objects.</summary>
public static class BpfServiceCollectionExtensions
{
    /// <summary>
    /// Hosts a BPF object: loaded and attached when the host starts, detached (or left attached, see
    /// <see cref="BpfHostedObjectOptions.KeepAttached"/>) when it stops. The <see cref="BpfHostedObject"/> is a keyed
    /// singleton under <paramref name="name"/>; the meter <c>BpfSharp</c> comes from the container's
    /// <see cref="IMeterFactory"/>.
    /// </summary>
    public static IServiceCollection AddBpfObject(this IServiceCollection services, string name, Action<BpfHostedObjectOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddMetrics();
        services.TryAddSingleton<BpfMetrics>();
        services.AddKeyedSingleton(name, (sp, _) =>
        {
            var options = new BpfHostedObjectOptions();
            configure(options);
            return new BpfHostedObject(name, options, sp.GetRequiredService<ILogger<BpfHostedObject>>(), sp.GetService<BpfMetrics>());
        });
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredKeyedService<BpfHostedObject>(name));
        return services;
    }

    /// <summary>
    /// A health check named <c>bpf:NAME</c> that is unhealthy while an attachment of the hosted object
    /// <paramref name="name"/> is gone (detached by someone else, its interface or cgroup removed), its pin was
    /// removed, or a reader stopped.
    /// </summary>
    public static IHealthChecksBuilder AddBpfObjectCheck(this IHealthChecksBuilder builder, string name, HealthStatus failureStatus = HealthStatus.Unhealthy)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration($"bpf:{name}",
            sp => new BpfAttachmentHealthCheck(sp.GetRequiredKeyedService<BpfHostedObject>(name)), failureStatus, ["bpf"]));
    }
}
