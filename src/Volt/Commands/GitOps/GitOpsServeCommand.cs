using System.CommandLine;
using Volt.Cli;
using Volt.GitOps.Hosting;
using Volt.GitOps.Sources;

namespace Volt.Commands.GitOps;

internal sealed class GitOpsServeCommand : VoltCommand
{
    private static readonly Option<int> Port = new Option<int>("--port", "-p") { Description = "TCP port", DefaultValueFactory = _ => 9090 }.AcceptPort(allowZero: true);
    private static readonly Option<string> Listen = new("--listen") { Description = "Address to bind", DefaultValueFactory = _ => "0.0.0.0", HelpName = "ADDR" };

    public GitOpsServeCommand() : base("serve", "Run the webhook server and the SVN poller in the foreground (Ctrl+C stops it)")
    {
        Add(Port); Add(Listen);
        Examples = ["volt gitops serve", "volt gitops serve --port 9090 --listen 127.0.0.1"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var err = ctx.Console.Error;
        var gate = new Lock();
        void Log(string line) { lock (gate) err.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'} {line}"); }
        var options = new GitOpsServerOptions
        {
            Store = ctx.Pipelines(), Sources = new SourceControl(ctx.Processes), Workloads = new ContainerWorkloadDeployer(ctx),
            Time = ctx.Time, Port = parse.GetValue(Port), Listen = parse.GetValue(Listen)!, Log = Log,
        };
        await using var server = await GitOpsServer.StartAsync(options, ct).ConfigureAwait(false);
        Log($"GitOps server listening on {server.Address} (POST /hooks/github|gitlab|bitbucket, GET /healthz)");
        try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        Log("stopping: waiting for running deploys…");
        await server.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        return 0;
    }
}
