using Volt.Core.Errors;
using Volt.Core.Processes;

namespace Volt.Network.Tests.Host;

/// <summary>The real runner, except that commands matching <paramref name="fail"/> exit 1 without running: forced mid-step failures.</summary>
public sealed class FailingRunner(Func<string, IReadOnlyList<string>, string?, bool> fail) : IProcessRunner
{
    private readonly ProcessRunner _real = new();

    public int Failures { get; private set; }

    public Task<ProcessResult> RunAsync(string tool, IEnumerable<string> args, ProcessOptions? options = null, CancellationToken ct = default)
    {
        var list = args.ToList();
        if (!fail(tool, list, options?.StdIn)) return _real.RunAsync(tool, list, options, ct);
        Failures++;
        return Task.FromResult(new ProcessResult(1, "", "injected failure", TimeSpan.Zero));
    }
}
