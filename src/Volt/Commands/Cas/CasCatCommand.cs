using System.CommandLine;
using Volt.Cli;
using Volt.Storage.Cas;

namespace Volt.Commands.Cas;

internal sealed class CasCatCommand : VoltCommand
{
    private static readonly Argument<string> Hash = new("digest") { Description = "blake3:<hex>, sha256:<hex>, sha512:<hex> or a bare BLAKE3 hex" };

    public CasCatCommand() : base("cat", "Write an object's bytes to stdout")
    {
        Add(Hash);
        Examples = ["volt cas cat blake3:3f7a…", "volt cas cat $(volt cas ls-refs -o json | jq -r '.[0].digest') | jq ."];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var digest = Digest.Parse(parse.GetValue(Hash)!);
        await using var src = ctx.Engines.Cas.OpenRead(digest);
        await ctx.Console.Out.FlushAsync(ct).ConfigureAwait(false);
        if (ctx.Console is Rendering.SystemConsole)
        {
            await using var stdout = Console.OpenStandardOutput();
            await src.CopyToAsync(stdout, 1 << 20, ct).ConfigureAwait(false);
        }
        else
        {
            using var reader = new StreamReader(src);
            await ctx.Console.Out.WriteAsync(await reader.ReadToEndAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
        }
        return 0;
    }
}
