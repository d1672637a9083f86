using System.CommandLine;
using Volt.Cli;
using Volt.Commands.Container;
using Volt.Workloads.Supervision;

namespace Volt.Commands.Views;

internal sealed class LogsCommand : VoltCommand
{
    private static readonly Option<bool> Follow = new("--follow", "-f") { Description = "Keep printing new output until Ctrl+C" };

    public LogsCommand() : base("logs", "Print a workload's output (voltd: /var/log/volt/workloads/NAME.log; systemd: the journal)")
    {
        Add(ContainerCommands.Name);
        Add(Follow);
        Examples = ["volt logs web", "volt logs -f web"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(ContainerCommands.Name)!;
        var store = new Workloads.Containers.ContainerStore(ctx.Paths);
        store.EnsureExists(name);
        if (store.State(name).Supervisor == "systemd" && SupervisorChoice.Resolve(ctx.Config.Supervisor) == "systemd")
        {
            var args = new List<string> { "-u", Workloads.Nspawn.UnitRenderer.UnitName(name), "--no-pager", "-o", "cat" };
            if (parse.GetValue(Follow)) args.Add("-f");
            var r = await ctx.Processes.RunAsync("journalctl", args, ct: ct).ConfigureAwait(false);
            ctx.Console.Out.Write(r.StdOut);
            return r.ExitCode;
        }
        var file = store.LogFile(name);
        long offset = 0;
        var buffer = new byte[64 * 1024];
        do
        {
            if (File.Exists(file))
            {
                await using var s = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                if (s.Length < offset) offset = 0; // truncated or replaced
                s.Seek(offset, SeekOrigin.Begin);
                int n;
                while ((n = await s.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    ctx.Console.Out.Write(System.Text.Encoding.UTF8.GetString(buffer, 0, n));
                    offset += n;
                }
                await ctx.Console.Out.FlushAsync(ct).ConfigureAwait(false);
            }
            if (!parse.GetValue(Follow)) break;
            try { await Task.Delay(200, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }
        while (!ct.IsCancellationRequested);
        return 0;
    }
}
