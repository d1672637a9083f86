using Volt.Dns;

namespace Volt.Composition;

public sealed partial class Engines
{
    /// <summary>volt-dns: records, lookups and the server's options (config <c>dns:</c>).</summary>
    public DnsEngine Dns => Once(ref _dns, () => new DnsEngine(Paths, Config.Section<DnsConfig>(), Time, Logging));
    private DnsEngine? _dns;
}
