using Volt.Core.Audit;
using Volt.Core.Errors;
using Volt.Core.Processes;
using Volt.Core.Security;

namespace Volt.Daemon;

/// <summary>
/// voltd's access check on every request: the route's level (<see cref="AccessRules"/>) against the socket peer.
/// Where systemd is PID 1 and <c>pkcheck</c> is installed, a caller the group rule denies may still be admitted by
/// polkit (the action of the rule, e.g. <c>org.volt.container.manage</c>); elsewhere the group rule alone decides.
/// State-changing requests are audited with the caller's uid and user, denied ones included.
/// </summary>
public sealed class AccessGate(AuditLog? audit, IProcessRunner? processes = null, Func<string, uint?>? groupId = null, bool? polkit = null)
{
    private readonly bool _polkit = polkit ?? (Directory.Exists("/run/systemd/system") && File.Exists("/usr/bin/pkcheck"));

    /// <summary>Throws the exit-5 error when <paramref name="caller"/> may not; null caller = unreadable credentials.</summary>
    public async Task<Caller> DemandAsync(Caller? caller, AccessLevel level, CancellationToken ct)
    {
        if (caller is null) throw new VoltException(ExitCode.Permission, "permission denied: voltd could not read the caller's credentials (SO_PEERCRED)");
        if (AccessRules.Denial(caller, level, groupId) is not { } why) return caller;
        if (_polkit && processes is not null && AccessRules.Of(level).PolkitAction is { } action && await PolkitAllowsAsync(action, caller, ct).ConfigureAwait(false))
            return caller;
        throw new VoltException(ExitCode.Permission, "permission denied: " + why);
    }

    /// <summary>One audit line for the caller; an unwritable log never fails the request (voltd logs it instead).</summary>
    public void Record(Caller? caller, string action, string resource, Exception? failure, string? detail = null)
    {
        using var line = Begin(caller, action, resource, failure, detail); // disposed: synced, head written, unlocked
    }

    /// <summary>
    /// The line, written and not yet durable (<see cref="AuditLog.Begin"/>): the dispatcher sends a success's answer,
    /// then disposes it (the sync and the head). Null without an audit log or when the log cannot be written.
    /// </summary>
    public AuditLog.Pending? Begin(Caller? caller, string action, string resource, Exception? failure = null, string? detail = null)
    {
        if (audit is null) return null;
        try
        {
            return audit.Begin(action, resource, failure is null, failure is null ? null : Hosting.HttpErrors.Body(failure).Message,
                caller?.User ?? "unknown", caller?.Uid ?? uint.MaxValue, detail);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private async Task<bool> PolkitAllowsAsync(string action, Caller caller, CancellationToken ct)
    {
        try
        {
            var r = await processes!.RunAsync("pkcheck", ["--action-id", action, "--process", caller.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                new ProcessOptions { Timeout = TimeSpan.FromSeconds(5) }, ct).ConfigureAwait(false);
            return r.ExitCode == 0;
        }
        catch (Exception e) when (e is OperationCanceledException or VoltException or IOException) { return false; }
    }
}
