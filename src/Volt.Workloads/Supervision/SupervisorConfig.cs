using System.Text.Json.Nodes;
using Volt.Core.Config;
using YamlDotNet.RepresentationModel;

namespace Volt.Workloads.Supervision;

/// <summary><c>supervisor:</c> in config.yaml: <c>auto</c> (systemd when it is PID 1, else voltd), <c>systemd</c> or <c>voltd</c>.</summary>
public sealed class SupervisorConfig : ConfigSection
{
    public override string Key => "supervisor";

    /// <summary>As configured: <c>auto</c>, <c>systemd</c> or <c>voltd</c>.</summary>
    public string Configured { get; set; } = "auto";

    /// <summary><c>systemd</c> or <c>voltd</c> on this host (<see cref="SupervisorChoice.Resolve"/>).</summary>
    public string Resolve() => SupervisorChoice.Resolve(Configured);

    public override JsonNode Show() => JsonValue.Create(Configured);

    public override void Bind(ConfigBinder b, YamlNode value) =>
        Configured = b.OneOf(value, "supervisor", ["auto", "systemd", "voltd"]) ?? Configured;
}
