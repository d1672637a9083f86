using System.CommandLine;
using Volt.Cli;
using Volt.Daemon;
using Volt.Workloads.Supervision;
using Volt.Workloads.Tasks;

namespace Volt.Commands.Tasks;

internal static class TaskCommands
{
    /// <param name="only">The subcommand a run names: built alone (see <see cref="GroupCommand"/>).</param>
    public static Command Group(string? only = null) => new GroupCommand("task", "Tasks: a command on a calendar schedule (a .timer + oneshot .service pair)", only,
        ("create", () => new TaskCreateCommand()), ("list", () => new TaskListCommand()), ("run", () => new TaskRunCommand()),
        ("history", () => new TaskHistoryCommand()), ("logs", () => new TaskLogsCommand()), ("enable", () => new TaskEnableCommand()),
        ("disable", () => new TaskDisableCommand()), ("delete", () => new TaskDeleteCommand()))
    {
        Examples =
        [
            "volt task create backup --schedule 'daily' --persistent --timeout 30m -- /usr/local/bin/backup.sh",
            "volt task create ping --schedule '*:0/5' -- curl -fsS http://127.0.0.1:8080/healthz",
            "volt task list",
            "volt task run backup",
            "volt task history backup",
            "volt task logs --tail 50 backup",
        ],
    };

    public static readonly Argument<string> Name = new("NAME") { Description = "Task name" };

}
