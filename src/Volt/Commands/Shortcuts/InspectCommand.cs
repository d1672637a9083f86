using System.CommandLine;
using Volt.Cli;
using Volt.Commands.Container;
using Volt.Commands.Image;
using Volt.Core.Errors;

namespace Volt.Commands.Shortcuts;

/// <summary><c>volt inspect NAME</c>: a container of that name, else an image (podman's order); exit 3 if neither.</summary>
internal sealed class InspectCommand : VoltCommand
{
    private static readonly Argument<string> Target = new("NAME") { Description = "Container name, or image name[:tag]" };
    private readonly ContainerInspectCommand _container = new();
    private readonly ImageInspectCommand _image = new();

    public InspectCommand() : base("inspect", "Show a container's configuration and state, or else an image's record")
    {
        Add(Target);
        Examples = ["volt inspect web", "volt inspect busybox:1.36 -o json   # no container of that name: the image"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(Target)!;
        if (new Workloads.Containers.ContainerStore(ctx.Paths).Exists(name)) return _container.ExecuteFor(ctx, name);
        if (IsImage(ctx, name)) return _image.ExecuteFor(ctx, name);
        throw VoltException.NotFound($"no container or image named \"{name}\"");
    }

    private static bool IsImage(VoltContext ctx, string name)
    {
        try { return ctx.Engines.Images.TryGet(name) is not null; }
        catch (VoltException e) when (e.Code == ExitCode.Usage) { return false; } // not even an image name
    }
}
