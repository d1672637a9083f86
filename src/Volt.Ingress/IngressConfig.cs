using System.Net;
using System.Text.Json.Nodes;
using Volt.Core.Config;
using YamlDotNet.RepresentationModel;

namespace Volt.Ingress;

/// <summary><c>ingress:</c> in config.yaml: what <c>volt ingress serve</c> listens on and where ACME asks (docs/ingress.md).</summary>
public sealed class IngressConfig : ConfigSection
{
    public override string Key => "ingress";

    public string Listen { get; set; } = "0.0.0.0";
    public int HttpPort { get; set; } = 80;
    public int HttpsPort { get; set; } = 443;
    /// <summary>ACME directory URL or a preset: <c>letsencrypt</c>, <c>letsencrypt-staging</c>.</summary>
    public string AcmeDirectory { get; set; } = "letsencrypt";
    public string? AcmeEmail { get; set; }
    public string? AcmeCaBundle { get; set; }
    public TimeSpan HealthInterval { get; set; } = TimeSpan.FromSeconds(5);
    public int HealthThreshold { get; set; } = 2;

    public override JsonNode Show() => new JsonObject
    {
        ["listen"] = Listen, ["http_port"] = HttpPort, ["https_port"] = HttpsPort,
        ["health"] = new JsonObject { ["interval"] = HealthInterval.ToString(), ["threshold"] = HealthThreshold },
        ["acme"] = new JsonObject { ["directory"] = AcmeDirectory, ["email"] = AcmeEmail, ["ca_bundle"] = AcmeCaBundle },
    };

    public override void Bind(ConfigBinder b, YamlNode value) => b.Map(value, "ingress.", new()
    {
        ["listen"] = v => Listen = Address(b, v) ?? Listen,
        ["http_port"] = v => HttpPort = b.Int(v, "ingress.http_port", 1, 65535) ?? HttpPort,
        ["https_port"] = v => HttpsPort = b.Int(v, "ingress.https_port", 1, 65535) ?? HttpsPort,
        ["health"] = v => b.Map(v, "ingress.health.", new()
        {
            ["interval"] = h => HealthInterval = b.Duration(h, "ingress.health.interval") ?? HealthInterval,
            ["threshold"] = h => HealthThreshold = b.Int(h, "ingress.health.threshold", 1, 100) ?? HealthThreshold,
        }),
        ["acme"] = v => b.Map(v, "ingress.acme.", new()
        {
            ["directory"] = a => AcmeDirectory = Url(b, a) ?? AcmeDirectory,
            ["email"] = a => AcmeEmail = b.Str(a, "ingress.acme.email"),
            ["ca_bundle"] = a => AcmeCaBundle = b.Str(a, "ingress.acme.ca_bundle"),
        }),
    });

    private static string? Address(ConfigBinder b, YamlNode n)
    {
        var v = b.Str(n, "ingress.listen");
        if (v is null || IPAddress.TryParse(v, out _)) return v;
        b.Add(n, $"ingress.listen is \"{v}\"; expected an IP address");
        return null;
    }

    private static string? Url(ConfigBinder b, YamlNode n)
    {
        var v = b.Str(n, "ingress.acme.directory");
        if (v is null || v is "letsencrypt" or "letsencrypt-staging" || (Uri.TryCreate(v, UriKind.Absolute, out var u) && u.Scheme == "https")) return v;
        b.Add(n, $"ingress.acme.directory is \"{v}\"; expected an https:// URL, letsencrypt or letsencrypt-staging");
        return null;
    }
}
