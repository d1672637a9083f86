using System.CommandLine;
using Volt.Cli;
using Volt.GitOps.Hosting;

namespace Volt.Commands.GitOps;

internal sealed class GitOpsServeCommand : VoltCommand
{
    private static readonly Option<int> Port = new Option<int>("--port", "-p") { Description = "TCP port (1-65535)", DefaultValueFactory = _ => ServeSettings.DefaultPort }.AcceptPort();
    private static readonly Option<string> Listen = new("--listen") { Description = "IP address to bind", DefaultValueFactory = _ => ServeSettings.DefaultListen, HelpName = "ADDR" };

    public GitOpsServeCommand() : base("serve", "Run the webhook server and the SVN poller in the foreground (Ctrl+C stops it)")
    {
        Add(Port); Add(Listen);
        Examples = ["volt gitops serve", "volt gitops serve --port 9090 --listen 127.0.0.1", "volt gitops status   # shows the running server"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var port = parse.GetValue(Port);
        var listen = parse.GetValue(Listen)!;
        ServeSettings.Validate(port, listen);
        var err = ctx.Console.Error;
        var gate = new Lock();
        void Log(string line) { lock (gate) err.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-dd'T'HH:mm:ss'Z'} {line}"); }
        var workloads = ctx.Engines.GitOpsWorkloads();
        var options = new GitOpsServerOptions
        {
            Store = ctx.Engines.Pipelines, Sources = ctx.Engines.Sources, Workloads = workloads,
            Time = ctx.Time, Port = port, Listen = listen, Log = Log, StateFile = ctx.Engines.GitOpsServerStateFile,
        };
        await using var server = await GitOpsServer.StartAsync(options, ct).ConfigureAwait(false);
        Log($"GitOps server listening on {server.Address} (POST /hooks/github|gitlab|bitbucket, GET /healthz)");
        try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        Log("stopping: waiting for running deploys…");
        await server.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        if (workloads.StartedVoltd)
            Log($"voltd, started for this server's deploys, keeps running: it supervises the deployed workloads (stopping it stops them; kill $(cat {ctx.Paths.PidFile}) does)");
        return 0;
    }
}
