using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Workloads.Services;

namespace Volt.Commands.Service;

/// <summary>
/// What <c>volt gitops install-service</c> and <c>volt registry install-service</c> share: the unit goes into the units
/// directory (the single truth) through <see cref="ServiceEngine.Install"/>; where systemd is PID 1 it is linked
/// (<c>systemctl link</c>) and systemd runs it, elsewhere voltd does (<c>volt service start NAME</c>).
/// </summary>
internal static class VoltServiceInstaller
{
    /// <summary>systemd runs when /run/systemd/system exists (sd_booted(3)); the marker is under the Volt root for tests.</summary>
    public static bool SystemdRuns(VoltContext ctx) => Directory.Exists(ctx.Paths.Under("/run/systemd/system"));

    public static string Executable => Environment.ProcessPath is { } p && Path.GetFileName(p) == "volt" ? p
        : Environment.GetEnvironmentVariable("VOLT_BINARY") is { Length: > 0 } b ? b : "/usr/local/bin/volt";

    public static async Task<int> InstallAsync(VoltContext ctx, string name, string text, CancellationToken ct)
    {
        var engine = ctx.Engines.Services;
        var path = engine.Store.UnitFile(name);
        ctx.AuditResource = path;
        try { engine.Install(name, text); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw VoltException.From($"Failed writing {path}", e); }
        ctx.Out.Line($"Wrote {path}");
        var systemd = SystemdRuns(ctx);
        if (systemd)
        {
            // Only on the real host: a relocated root's marker is a test's, and its systemd is not this root's.
            if (!ctx.Paths.IsRelocated)
            {
                var link = await ctx.Processes.RunAsync("systemctl", ["link", path], ct: ct).ConfigureAwait(false);
                if (!link.Success) throw new VoltException(ExitCode.Daemon, $"Failed running systemctl link {path}: {link.StdErr.Trim()}");
                await ctx.Processes.RunAsync("systemctl", ["daemon-reload"], ct: ct).ConfigureAwait(false);
            }
            ctx.Out.Line($"Enable and start it with: systemctl enable --now {name}.service");
        }
        else
        {
            ctx.Out.Line($"This host does not run systemd: voltd runs the unit. Start it with: volt service start {name}");
            ctx.Out.Line($"(volt service enable {name} starts it whenever voltd starts; volt service edit {name} changes it)");
        }
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(new JsonObject { ["unit"] = path, ["service"] = name, ["systemd"] = systemd });
        return 0;
    }
}
