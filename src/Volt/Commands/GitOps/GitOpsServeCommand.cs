using System.CommandLine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Volt.Cli;
using Volt.GitOps.Hosting;

namespace Volt.Commands.GitOps;

internal sealed class GitOpsServeCommand : VoltCommand, IServerCommand
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
        // One line per event on stderr (the service's log), as voltd logs: [LoggerMessage] lines with event ids 8000-8999.
        using var logging = LoggerFactory.Create(b => b
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
                o.UseUtcTimestamp = true;
            }));
        var log = logging.CreateLogger(GitOpsLog.Category);
        var workloads = ctx.Engines.GitOpsWorkloads();
        var options = new GitOpsServerOptions
        {
            Store = ctx.Engines.Pipelines, Sources = ctx.Engines.Sources, Workloads = workloads,
            Time = ctx.Time, Port = port, Listen = listen, Logging = logging, StateFile = ctx.Engines.GitOpsServerStateFile,
        };
        await using var server = await GitOpsServer.StartAsync(options, ct).ConfigureAwait(false);
        using var signals = global::Volt.Hosting.Signals.ServerSignals.Install(new global::Volt.Hosting.Signals.ServerSignalHandlers
        {
            Server = "gitops",
            Write = text => GitOpsLog.Signal(log, text),
            State = () =>
            {
                var (running, waiting) = server.Queue.Depths();
                return $"address {server.Address}, requests {server.Requests}; deploying: {(running.Count == 0 ? "none" : string.Join(", ", running))}; waiting: {(waiting.Count == 0 ? "none" : string.Join(", ", waiting))}";
            },
            // Pipelines are read on every webhook and poll, so a reload re-reads them to report what the next request sees.
            Reload = () =>
            {
                var corrupt = new List<global::Volt.Core.Errors.VoltException>();
                var pipelines = ctx.Engines.Pipelines.List(corrupt.Add);
                return $"{pipelines.Count} pipeline(s) ({pipelines.Count(p => p.IsSvn)} polled over SVN){(corrupt.Count == 0 ? "" : $", {corrupt.Count} skipped: {string.Join("; ", corrupt.Select(e => e.Message))}")}";
            },
        });
        // Announced once the signal handlers are in: whoever waits for this line may signal at once.
        GitOpsLog.Listening(log, server.Address.ToString());
        try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        GitOpsLog.Stopping(log);
        await server.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        if (workloads.StartedVoltd) GitOpsLog.VoltdKept(log, ctx.Paths.PidFile);
        return 0;
    }
}
