using System.CommandLine;
using Volt.Cli;
using Volt.Core.Errors;

namespace Volt.Commands.Meta;

/// <summary>
/// Shell completion scripts. Each script asks the binary itself (<c>volt [suggest:N] "line"</c>), so
/// completions always match the real command tree.
/// </summary>
internal sealed class CompletionCommand : VoltCommand
{
    private static readonly Argument<string> Shell = new Argument<string>("shell") { Description = "bash, zsh or fish" }.AcceptOneOf("bash", "zsh", "fish");

    public CompletionCommand() : base("completion", "Print a shell completion script")
    {
        Add(Shell);
        Examples =
        [
            "source <(volt completion bash)",
            "volt completion zsh > \"${fpath[1]}/_volt\"",
            "volt completion fish > ~/.config/fish/completions/volt.fish",
        ];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var script = parse.GetValue(Shell) switch
        {
            "bash" => Bash,
            "zsh" => Zsh,
            "fish" => Fish,
            var s => throw VoltException.Usage($"unknown shell \"{s}\""),
        };
        ctx.Console.Out.Write(script);
        return Task.FromResult(0);
    }

    private const string Bash = """
        # bash completion for volt
        _volt_complete() {
            local IFS=$'\n'
            COMPREPLY=( $(volt "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) )
        }
        complete -o default -F _volt_complete volt

        """;

    private const string Zsh = """
        #compdef volt
        _volt() {
            local -a completions
            local line="${words[*]}"
            completions=("${(@f)$(volt "[suggest:${#line}]" "$line" 2>/dev/null)}")
            compadd -- $completions
        }
        compdef _volt volt

        """;

    private const string Fish = """
        # fish completion for volt
        function __volt_complete
            set -l line (commandline -cp)
            volt "[suggest:"(string length -- $line)"]" "$line" 2>/dev/null
        end
        complete -c volt -f -a '(__volt_complete)'

        """;
}
