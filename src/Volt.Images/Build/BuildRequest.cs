using Volt.Images.Store;

namespace Volt.Images.Build;

/// <summary>
/// One Containerfile build: what <c>volt image build</c>, compose's <c>build:</c> and GitOps manifests'
/// <c>build:</c> hand to <see cref="ImageBuilder.BuildAsync"/>.
/// </summary>
public sealed record BuildRequest
{
    /// <summary>The build context directory (COPY/ADD sources are relative to it and never leave it).</summary>
    public required string Context { get; init; }

    /// <summary>The Containerfile; null: <c>CONTEXT/Containerfile</c>, else <c>CONTEXT/Dockerfile</c>. Relative paths are relative to the current directory.</summary>
    public string? File { get; init; }

    /// <summary>Names to give the result (<c>NAME[:TAG]</c>); none: the image is recorded as <c>build-&lt;id&gt;</c>.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    /// <summary>The stage to build (name or index); null: the last.</summary>
    public string? Target { get; init; }

    /// <summary>Run every step, looking nothing up (results are still recorded for the next build).</summary>
    public bool NoCache { get; init; }

    /// <summary><c>linux/amd64</c>…: only the host's platform can run RUN steps.</summary>
    public string? Platform { get; init; }

    /// <summary>The network RUN steps get: <c>none</c> (loopback only) or <c>host</c>.</summary>
    public string Network { get; init; } = "none";

    /// <summary>Extra labels on the result.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

/// <summary>What a build reports as it goes.</summary>
public enum BuildProgressKind
{
    /// <summary><c>STEP 3/9: RUN make</c> starting (or found in the cache).</summary>
    Step,
    /// <summary>A line the step's command printed.</summary>
    Output,
    /// <summary>Anything else worth a line (pulling a base image, a warning).</summary>
    Info,
}

/// <summary>One progress event: <see cref="Text"/> is the line to show (<c>STEP 3/9: RUN make (cached)</c>).</summary>
public sealed record BuildProgress(BuildProgressKind Kind, string Text, int Step = 0, int Steps = 0, bool Cached = false);

/// <summary>One executed or looked-up step.</summary>
public sealed record BuildStepResult(int Step, string Stage, string Instruction, bool Cached, string? Tree, TimeSpan Elapsed);

/// <summary>The outcome: the image (first tag, or the untagged name), every name it got, and the steps.</summary>
public sealed record ImageBuildResult(StoredImage Image, IReadOnlyList<StoredImage> Tagged, IReadOnlyList<BuildStepResult> Steps, TimeSpan Elapsed)
{
    public int CachedSteps => Steps.Count(s => s.Cached);
}

/// <summary>A RUN step to execute: the rootfs (an overlay the builder mounted), the argv and its environment.</summary>
public sealed record RunStepSpec(string Name, string Rootfs, IReadOnlyList<string> Command, IReadOnlyList<string> Env, string? Workdir, string? User, bool HostNetwork);

/// <summary>
/// Runs one RUN step in a container of its rootfs: systemd-nspawn in Volt (the container engine's own command
/// line, see the composition root's adapter). Lines of output go to the callback; cancellation must
/// leave no process behind.
/// </summary>
public interface IStepRunner
{
    Task<int> RunAsync(RunStepSpec spec, Action<string> output, CancellationToken ct);
}
