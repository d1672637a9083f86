using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Storage.Cas;

namespace Volt.Commands.Cas;

internal sealed class CasPutCommand : VoltCommand
{
    private static readonly Argument<string> File = new Argument<string>("file") { Description = "File to store ('-' for stdin)" }.AcceptPath();
    private static readonly Option<string> Algo = new Option<string>("--algorithm", "-a") { Description = "Hash to address it by", DefaultValueFactory = _ => "blake3" }.AcceptOneOf("blake3", "sha256", "sha512");
    private static readonly Option<string?> Ref = new("--ref") { Description = "Also name the object with this ref (kind blob)", HelpName = "NAME" };

    public CasPutCommand() : base("put", "Store one file and print its digest")
    {
        Add(File); Add(Algo); Add(Ref);
        Examples = ["volt cas put ./kernel.img", "volt cas put layer.tar -a sha256 --ref blobs/layer", "tar c . | volt cas put -"];
    }

    public override string AuditAction => "cas.put";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var path = parse.GetValue(File)!;
        var refName = parse.GetValue(Ref);
        if (refName is not null) RefStore.Validate(refName);
        Digest.TryParseAlgo(parse.GetValue(Algo), out var algo);
        var store = ctx.Engines.Cas.EnsureCreated();
        PutResult r;
        using (store.WriterLock())
        {
            try
            {
                if (path == "-")
                {
                    await using var stdin = Console.OpenStandardInput();
                    r = await store.PutAsync(stdin, algo, null, ct).ConfigureAwait(false);
                }
                else
                {
                    await using var src = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0);
                    // A regular file can be read twice: hash first, copy only if the store lacks it. Pipes and
                    // devices cannot, so they stream into tmp/ while hashing.
                    r = src.CanSeek
                        ? store.PutFile(src.SafeFileHandle, path, algo, null, ctx.Parallelism, ct)
                        : await store.PutAsync(src, algo, null, ct).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw VoltException.NotFound($"file \"{path}\" not found");
            }
            if (refName is not null) store.Refs.Set(refName, r.Digest, RefKind.Blob, r.Size);
        }
        ctx.AuditResource = r.Digest.ToString();
        if (ctx.Out.Format == Rendering.OutputFormat.Table) ctx.Console.Out.WriteLine(r.Digest.ToString());
        else ctx.Out.Data(new JsonObject { ["digest"] = r.Digest.ToString(), ["size"] = r.Size, ["created"] = r.Created, ["ref"] = refName });
        return 0;
    }
}
