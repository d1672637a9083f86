using System.Text;
using CliWrap;
using CliWrap.Buffered;
using Volt.Core.Errors;

namespace Volt.Core.Processes;

/// <summary>Outcome of one external tool run.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr, TimeSpan Duration)
{
    public bool Success => ExitCode == 0;
}

/// <summary>
/// The one way Volt runs host tools (git, svn, systemd-nspawn, qemu, nft, ip). A fake implementation is
/// what unit tests of our own logic use; integration tests use <see cref="ProcessRunner"/>.
/// </summary>
public interface IProcessRunner
{
    Task<ProcessResult> RunAsync(string tool, IEnumerable<string> args, ProcessOptions? options = null, CancellationToken ct = default);
}

public sealed record ProcessOptions
{
    public string? WorkingDirectory { get; init; }
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }
    public string? StdIn { get; init; }
    public TimeSpan? Timeout { get; init; }

    /// <summary>Streams stdout line by line as it comes (then <see cref="ProcessResult.StdOut"/> is empty): <c>journalctl -f</c>.</summary>
    public Action<string>? StdOutLine { get; init; }
}

/// <summary>CliWrap-backed runner: buffered output, no throw on non-zero exit (callers decide).</summary>
public sealed class ProcessRunner : IProcessRunner
{
    public async Task<ProcessResult> RunAsync(string tool, IEnumerable<string> args, ProcessOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ProcessOptions();
        var cmd = Cli.Wrap(tool).WithArguments(args).WithValidation(CommandResultValidation.None);
        if (options.WorkingDirectory is not null) cmd = cmd.WithWorkingDirectory(options.WorkingDirectory);
        if (options.Environment is not null) cmd = cmd.WithEnvironmentVariables(options.Environment);
        if (options.StdIn is not null) cmd = cmd.WithStandardInputPipe(PipeSource.FromString(options.StdIn, Encoding.UTF8));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (options.Timeout is { } t) timeout.CancelAfter(t);
        try
        {
            if (options.StdOutLine is { } onLine)
            {
                var stderr = new StringBuilder();
                var streamed = await cmd.WithStandardOutputPipe(PipeTarget.ToDelegate(onLine, Encoding.UTF8))
                    .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr, Encoding.UTF8))
                    .ExecuteAsync(timeout.Token).ConfigureAwait(false);
                return new ProcessResult(streamed.ExitCode, "", stderr.ToString(), streamed.RunTime);
            }
            var r = await cmd.ExecuteBufferedAsync(Encoding.UTF8, timeout.Token).ConfigureAwait(false);
            return new ProcessResult(r.ExitCode, r.StandardOutput, r.StandardError, r.RunTime);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new VoltException(ExitCode.Timeout, $"{tool} timed out after {options.Timeout}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VoltException(ExitCode.Dependency, $"Failed running {tool}: {e.Message} (is it installed?)", e);
        }
    }
}
