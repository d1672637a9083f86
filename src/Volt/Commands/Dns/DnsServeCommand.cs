using System.CommandLine;
using Microsoft.Extensions.Logging;
using Volt.Cli;
using Volt.Dns.Forwarding;

namespace Volt.Commands.Dns;

internal sealed class DnsServeCommand : VoltCommand, IServerCommand
{
    private static readonly Option<string[]> Listen = new("--listen") { Description = "Listen here (ADDR or ADDR:PORT, repeatable) instead of on every network's gateway", HelpName = "ADDR", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<int?> Port = new("--port", "-p") { Description = "Port at each gateway (default: dns.port, 53)" };
    private static readonly Option<string[]> Upstream = new("--upstream") { Description = "Forward non-local names here (ADDR or ADDR:PORT, repeatable; default: dns.upstreams, else /etc/resolv.conf)", HelpName = "ADDR" };

    public DnsServeCommand() : base("serve", "Run volt-dns in the foreground (Ctrl+C stops it): UDP and TCP on each network's gateway")
    {
        Add(Listen); Add(Port); Add(Upstream);
        Examples =
        [
            "volt dns serve",
            "volt dns serve --listen 127.0.0.1:5353 --upstream 1.1.1.1",
            "volt service start volt-dns   # the same, supervised (after volt dns install-service)",
        ];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var port = parse.GetValue(Port);
        if (port is < 1 or > 65535) throw Core.Errors.VoltException.Usage($"invalid --port {port}: expected 1-65535");
        using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            o.UseUtcTimestamp = true;
        }));
        var engine = ctx.Engines.WithLogging(logging).Dns;
        var options = engine.ServerOptions(parse.GetValue(Listen) ?? [], port, parse.GetValue(Upstream) ?? []);
        using var records = engine.RecordSource();
        records.Start();
        using var server = engine.Server(options, records);
        server.Start();
        var err = ctx.Console.Error;
        err.WriteLine($"volt-dns: {records.Current.Entries.Count} names on {records.Current.Networks.Count} networks; listening on "
            + (options.Listen.Count > 0 ? string.Join(", ", server.Endpoints) : $"every network's gateway, port {options.Port} ({string.Join(", ", server.Endpoints)})")
            + "; forwarding to " + (options.Upstreams.Count > 0 ? string.Join(", ", options.Upstreams.Select(Upstreams.Show)) : "nothing (no upstream)"));
        try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        var s = server.Stats;
        err.WriteLine($"volt-dns: stopping after {s.Queries} queries ({s.Local} local, {s.Forwarded} forwarded, {s.Cached} from cache, {s.Rejected} refused, {s.Dropped} dropped)");
        return 0;
    }
}
