using System.CommandLine;
using Volt.Cli;
using Volt.Registry.Hosting;

namespace Volt.Commands.Registry;

internal sealed class RegistryServeCommand : VoltCommand, IServerCommand
{
    private static readonly Option<int?> Port = new Option<int?>("--port", "-p") { Description = "TCP port (default: config registry.port, 5000)" }.AcceptPort(allowZero: true);
    private static readonly Option<string?> Listen = new("--listen") { Description = "Address to bind (default: config registry.listen, 127.0.0.1)", HelpName = "ADDR" };
    private static readonly Option<string?> TlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate (chain) for HTTPS", HelpName = "FILE" }.AcceptPath();
    private static readonly Option<string?> TlsKey = new Option<string?>("--tls-key") { Description = "PEM private key for --tls-cert", HelpName = "FILE" }.AcceptPath();

    public RegistryServeCommand() : base("serve", "Serve the OCI distribution API in the foreground (Ctrl+C or SIGTERM stops it gracefully)")
    {
        Add(Port); Add(Listen); Add(TlsCert); Add(TlsKey);
        Examples =
        [
            "volt registry serve",
            "volt registry serve --port 5000 --listen 0.0.0.0",
            "volt registry serve --tls-cert /etc/volt/tls/registry.crt --tls-key /etc/volt/tls/registry.key",
        ];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        RegistryOptionValues.CheckConfig(ctx.Config.Section<RegistryConfig>());
        var port = parse.GetValue(Port);
        var defaults = ctx.Engines.RegistryOptions(ctx.Console.Error);
        var options = new RegistryOptions
        {
            Paths = defaults.Paths, Time = defaults.Time, LogEcho = defaults.LogEcho, AnonymousPull = defaults.AnonymousPull,
            UploadExpiry = defaults.UploadExpiry,
            Port = port ?? defaults.Port,
            Listen = parse.GetValue(Listen) ?? defaults.Listen,
            TlsCert = parse.GetValue(TlsCert) ?? defaults.TlsCert,
            TlsKey = parse.GetValue(TlsKey) ?? defaults.TlsKey,
        };
        await using var server = await RegistryServer.StartAsync(options, ct).ConfigureAwait(false);
        var err = ctx.Console.Error;
        using var signals = global::Volt.Hosting.Signals.ServerSignals.Install(new global::Volt.Hosting.Signals.ServerSignalHandlers
        {
            Server = "registry",
            Write = text => { lock (err) err.WriteLine(text); },
            State = () => { var m = server.Snapshot(); return $"address {m.Address}, requests {m.Requests} (2xx {m.Status2xx}, 4xx {m.Status4xx}, 5xx {m.Status5xx}), bytes in {m.BytesIn} out {m.BytesOut}, uploads started {m.UploadsStarted} completed {m.UploadsCompleted} expired {m.UploadsExpired}"; },
            ReopenLogs = server.ReopenLog,
            // config.yaml again, through the same sections (a bad file throws: the running configuration stays);
            // the command line's flags still win over the file.
            Reload = () =>
            {
                var file = ctx.Engines.ConfigFile ?? ctx.Paths.DefaultConfigFile;
                var cfg = global::Volt.Composition.ConfigSections.Load(file, mustExist: false).Section<RegistryConfig>();
                RegistryOptionValues.CheckConfig(cfg);
                return server.Reload(new RegistryOptions
                {
                    Paths = options.Paths, Port = options.Port, Listen = options.Listen, AnonymousPull = cfg.AnonymousPull,
                    TlsCert = parse.GetValue(TlsCert) ?? cfg.TlsCert, TlsKey = parse.GetValue(TlsKey) ?? cfg.TlsKey,
                });
            },
        });
        // Announced once the signal handlers are in: whoever waits for this line may signal at once.
        ctx.Console.Error.WriteLine($"Registry listening on {server.Address} (storage {ctx.Paths.Cas}, anonymous pull {(options.AnonymousPull ? "on" : "off")})");
        try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        ctx.Console.Error.WriteLine("Stopping registry…");
        await server.StopAsync(TimeSpan.FromSeconds(1.5)).ConfigureAwait(false);
        return 0;
    }
}
