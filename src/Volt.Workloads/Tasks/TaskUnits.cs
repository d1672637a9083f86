using System.Globalization;
using Volt.Units;
using Volt.Units.Calendar;

namespace Volt.Workloads.Tasks;

/// <summary>
/// The unit pair Volt writes for a task. The timer asks systemd for an exact elapse (<c>AccuracySec=1ms</c>; systemd's
/// default coalesces timers to a minute), which is what voltd's timer does anyway.
/// </summary>
public static class TaskUnits
{
    public static UnitFile Timer(TaskSpec spec, CalendarSpec schedule)
    {
        var b = new UnitFileBuilder(TaskName.TimerUnit(spec.Name))
            .Section("Unit").Add("Description", $"Volt task {spec.Name}")
            .Section("Timer").Add("OnCalendar", schedule.Normalized);
        if (spec.Persistent) b.Add("Persistent", "true");
        return b.Add("AccuracySec", "1ms").Add("Unit", TaskName.ServiceUnit(spec.Name))
            .Section("Install").Add("WantedBy", "timers.target")
            .Build();
    }

    /// <param name="executable">The command's absolute path (resolved on PATH at create time, as systemd wants it).</param>
    public static UnitFile Service(TaskSpec spec, string executable)
    {
        var b = new UnitFileBuilder(TaskName.ServiceUnit(spec.Name))
            .Section("Unit").Add("Description", $"Volt task {spec.Name}")
            .Section("Service").Add("Type", "oneshot")
            .AddCommand("ExecStart", [executable, .. spec.Command.Skip(1)]);
        if (spec.Timeout is { } t) b.Add("TimeoutStartSec", ((long)Math.Ceiling(t.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        else b.Add("TimeoutStartSec", "infinity");
        if (spec.User is { } u)
        {
            var colon = u.IndexOf(':');
            b.Add("User", colon < 0 ? u : u[..colon]);
            if (colon >= 0) b.Add("Group", u[(colon + 1)..]);
        }
        foreach (var kv in spec.Env ?? [])
        {
            var eq = kv.IndexOf('=');
            b.Add("Environment", UnitQuoting.Environment(kv[..eq], kv[(eq + 1)..]));
        }
        b.AddIf("WorkingDirectory", spec.Workdir is null ? null : UnitQuoting.Specifiers(spec.Workdir));
        return b.Build();
    }
}
