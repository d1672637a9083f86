using System.CommandLine;
using Volt.Cli;
using Volt.Daemon;
using Volt.Workloads.Supervision;
using Volt.Workloads.Tasks;

namespace Volt.Commands.Tasks;

internal static class TaskCommands
{
    public static Command Group() => new GroupCommand("task", "Tasks: a command on a calendar schedule (a .timer + oneshot .service pair)",
        new TaskCreateCommand(), new TaskListCommand(), new TaskRunCommand(), new TaskHistoryCommand(), new TaskLogsCommand(),
        new TaskEnableCommand(), new TaskDisableCommand(), new TaskDeleteCommand())
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
