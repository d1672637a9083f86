using System.Text.Json.Nodes;
using Volt.Core.Config;
using Volt.Core.Security;
using YamlDotNet.RepresentationModel;

namespace Volt.Daemon;

/// <summary>
/// <c>daemon:</c> in config.yaml: who may connect to voltd's socket (docs/security.md). <c>socket_group</c> names the
/// group the socket is shared with (<c>root:GROUP 0660</c>); a group the host does not have is a config error, except
/// for the default <c>volt</c>, whose absence leaves the socket root's alone (voltd logs it).
/// </summary>
public sealed class DaemonConfig : ConfigSection
{
    public override string Key => "daemon";

    public string SocketGroup { get; set; } = AccessRules.VoltGroup;

    /// <summary>Whether the group was named in the file (then it must exist).</summary>
    public bool SocketGroupExplicit { get; private set; }

    public override JsonNode Show() => new JsonObject { ["socket_group"] = SocketGroup };

    public override void Bind(ConfigBinder b, YamlNode value) => b.Map(value, "daemon.", new()
    {
        ["socket_group"] = v =>
        {
            if (b.Str(v, "daemon.socket_group") is not { } g) return;
            if (UserDb.GroupId(g) is null)
            {
                b.Add(v, $"daemon.socket_group is \"{g}\"; this host has no such group (create it with groupadd --system {g})");
                return;
            }
            SocketGroup = g;
            SocketGroupExplicit = true;
        },
    });
}
