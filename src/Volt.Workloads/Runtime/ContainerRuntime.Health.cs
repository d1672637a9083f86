using Microsoft.Extensions.Logging;
using Volt.Core.Errors;
using Volt.Workloads.Health;

namespace Volt.Workloads.Runtime;

public sealed partial class ContainerRuntime
{
    /// <summary>
    /// The container's health check every <c>interval</c> while this runtime watches it (started, restarted or
    /// re-adopted), until its process is gone; while it is still <c>starting</c>, extra probes every
    /// <see cref="HealthcheckConfig.StartingProbe"/> whose failures do not count, so a service that is ready early is
    /// healthy early (what compose's <c>service_healthy</c> waits for). Results go to health.json (<see cref="HealthChecker"/>).
    /// </summary>
    private void StartHealthChecks(Watch w)
    {
        if (_host.Store.TryConfig(w.Name)?.Healthcheck is not { } check) return;
        var checker = new HealthChecker(_engine, _host.Time);
        _ = Task.Run(async () =>
        {
            var last = HealthStatus.Starting;
            try
            {
                var regularAt = _host.Time.GetUtcNow() + check.Interval;
                while (true)
                {
                    var untilRegular = regularAt - _host.Time.GetUtcNow();
                    var early = last == HealthStatus.Starting && check.StartingProbe < untilRegular;
                    await Task.Delay(early ? check.StartingProbe : untilRegular > TimeSpan.Zero ? untilRegular : TimeSpan.Zero, _host.Time, w.Life.Token).ConfigureAwait(false);
                    if (w.StopRequested) return;
                    if (!early) regularAt = _host.Time.GetUtcNow() + check.Interval;
                    try
                    {
                        var (result, state) = await checker.RunAsync(w.Name, countFailure: !early, w.Life.Token).ConfigureAwait(false);
                        if (state.Status != last) LogHealth(w.Name, state.Status.ToString().ToLowerInvariant(), result.ExitCode);
                        last = state.Status;
                    }
                    // Not running (any more): the watch ends the loop when the process is gone.
                    catch (VoltException e) when (e.Code == ExitCode.Conflict) { }
                    catch (Exception e) when (e is not OperationCanceledException) { LogHealthFailed(e, w.Name); }
                }
            }
            catch (OperationCanceledException) { }
        });
    }

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Container {Name} is {Health} (check exited {Code})")]
    private partial void LogHealth(string name, string health, int code);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Health check of container {Name} could not run")]
    private partial void LogHealthFailed(Exception e, string name);
}
