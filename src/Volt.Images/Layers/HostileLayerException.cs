using Volt.Core.Errors;

namespace Volt.Images.Layers;

/// <summary>
/// A layer entry that would write outside the rootfs (<c>..</c>, an absolute path, a hard link or a path
/// through a symlink). The whole pull fails with exit 2 and nothing is published.
/// </summary>
public sealed class HostileLayerException(string layer, string entry, string why)
    : VoltException(ExitCode.Usage, $"rejected layer {layer}: entry \"{entry}\" {why}")
{
    public string Entry { get; } = entry;
}
