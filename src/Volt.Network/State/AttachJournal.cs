using System.Text.Json.Serialization;
using Volt.Core.IO;

namespace Volt.Network.State;

/// <summary>
/// An attach in progress (<c>networks/journal/&lt;workload&gt;@&lt;network&gt;.json</c>): what a crash mid-attach may
/// have left — a lease (when <c>FreshLease</c>), the host veth, port forwards (when <c>Published</c>). Written before
/// the first host change, removed after the attachment record is in place. Not in <c>attachments/</c>, so volt-dns
/// never sees a half-made attachment.
/// </summary>
public sealed record AttachJournal(string Workload, string Network, string HostVeth, string Interface, string Target, bool FreshLease, bool Published);

/// <summary>The journal directory (one file per attach in progress).</summary>
public sealed class AttachJournalStore(NetworkStore store)
{
    public string Dir => Path.Combine(store.Dir, "journal");

    private string File(string workload, string network) => Path.Combine(Dir, $"{workload}@{network}.json");

    public void Begin(AttachJournal j) => NetworkStore.Write(File(j.Workload, j.Network), j, JournalJson.Default.AttachJournal, durable: false);

    public void End(string workload, string network) => AtomicFile.TryDelete(File(workload, network));

    public IReadOnlyList<AttachJournal> Pending() =>
        !Directory.Exists(Dir) ? [] :
        [.. Directory.EnumerateFiles(Dir, "*.json").Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Select(f => NetworkStore.Read(f, JournalJson.Default.AttachJournal)).OfType<AttachJournal>()];
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AttachJournal))]
internal sealed partial class JournalJson : JsonSerializerContext;
