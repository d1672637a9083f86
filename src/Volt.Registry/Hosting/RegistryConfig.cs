using System.Text.Json.Nodes;
using Volt.Core.Config;
using YamlDotNet.RepresentationModel;

namespace Volt.Registry.Hosting;

/// <summary><c>registry:</c> in config.yaml: what <c>volt registry serve</c> listens on and allows (docs/config.md).</summary>
public sealed class RegistryConfig : ConfigSection
{
    public override string Key => "registry";

    public string Listen { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 5000;
    public bool AnonymousPull { get; set; } = true;
    /// <summary>Idle upload sessions older than this are expired and their bytes reclaimed.</summary>
    public TimeSpan UploadExpiry { get; set; } = TimeSpan.FromHours(24);
    public string? TlsCert { get; set; }
    public string? TlsKey { get; set; }

    public override JsonNode Show() => new JsonObject
    {
        ["listen"] = Listen, ["port"] = Port, ["anonymous_pull"] = AnonymousPull,
        ["upload_expiry"] = UploadExpiry.ToString(), ["tls_cert"] = TlsCert, ["tls_key"] = TlsKey,
    };

    public override void Bind(ConfigBinder b, YamlNode value) => b.Map(value, "registry.", new()
    {
        ["listen"] = v => Listen = b.Str(v, "registry.listen") ?? Listen,
        ["port"] = v => Port = b.Int(v, "registry.port", 0, 65535) ?? Port,
        ["anonymous_pull"] = v => AnonymousPull = b.Bool(v, "registry.anonymous_pull") ?? AnonymousPull,
        ["upload_expiry"] = v => UploadExpiry = b.Duration(v, "registry.upload_expiry") ?? UploadExpiry,
        ["tls_cert"] = v => TlsCert = b.Str(v, "registry.tls_cert"),
        ["tls_key"] = v => TlsKey = b.Str(v, "registry.tls_key"),
    });

    public override void Validate(ConfigBinder b, YamlMappingNode root)
    {
        if ((TlsCert is null) != (TlsKey is null))
            b.Add(b.Seen("registry.tls_cert") ?? b.Seen("registry.tls_key") ?? root, "registry.tls_cert and registry.tls_key must be set together");
    }
}
