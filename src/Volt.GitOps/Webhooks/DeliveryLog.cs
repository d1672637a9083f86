using System.Text;

namespace Volt.GitOps.Webhooks;

/// <summary>
/// The most recent webhook delivery ids (<see cref="Capacity"/> of them, oldest forgotten first), so a redelivered
/// webhook deploys once. Persisted as one id per line in <c>gitops/.deliveries</c> (appended, compacted when it
/// doubles), so a restarted server still knows them. Ids are <c>provider:id</c>.
/// </summary>
public sealed class DeliveryLog
{
    public const int Capacity = 10_000;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly string? _file;
    private int _lines;

    /// <param name="file">Where to persist the ids; null keeps them in memory only.</param>
    public DeliveryLog(string? file)
    {
        _file = file;
        if (file is null || !File.Exists(file)) return;
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                _lines++;
                if (line.Length > 0) Remember(line);
            }
        }
        catch (IOException) { }
    }

    /// <summary>True (and remembered) for a delivery id not seen recently; false for a duplicate.</summary>
    public bool TryAdd(string provider, string id)
    {
        var key = provider + ":" + id;
        lock (_gate)
        {
            if (_seen.Contains(key)) return false;
            Remember(key);
            Persist(key);
            return true;
        }
    }

    public int Count { get { lock (_gate) return _seen.Count; } }

    private void Remember(string key)
    {
        if (!_seen.Add(key)) return;
        _order.Enqueue(key);
        while (_order.Count > Capacity) _seen.Remove(_order.Dequeue());
    }

    private void Persist(string key)
    {
        if (_file is null) return;
        try
        {
            if (_lines >= 2 * Capacity)
            {
                Core.IO.AtomicFile.WriteAllText(_file, string.Join("\n", _order) + "\n");
                _lines = _order.Count;
                return;
            }
            using var f = new FileStream(_file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            f.Write(Encoding.UTF8.GetBytes(key + "\n"));
            _lines++;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>The header that carries a provider's delivery id, in order of preference.</summary>
    public static string[] Headers(string provider) => provider switch
    {
        Pipelines.Providers.GitHub => ["X-GitHub-Delivery"],
        Pipelines.Providers.GitLab => ["webhook-id", "X-Gitlab-Event-UUID"],
        _ => ["X-Request-UUID"],
    };

    /// <summary>A delivery id we keep: 1-128 printable ASCII characters without spaces.</summary>
    public static bool IsValidId(string id) => id.Length is > 0 and <= 128 && id.All(c => c is > ' ' and < (char)0x7f);
}
