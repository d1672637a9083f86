using System.Text.Json;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Ingress.Tls;

namespace Volt.Ingress.Routes;

/// <summary>
/// Routes on disk, one file each, written atomically; read and validated all at once (<see cref="LoadAll"/>).
/// <code>
/// /etc/volt/ingress/
/// ├── &lt;name&gt;.json      one IngressRoute
/// ├── .lock            flock: create/delete one at a time
/// └── acme/            account key (0600), issued certificates
/// </code>
/// </summary>
public sealed class RouteStore(string dir, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Dir { get; } = dir;
    public string AcmeDir => Path.Combine(Dir, "acme");
    private string File(string name) => Path.Combine(Dir, name + ".json");

    public IngressRoute Get(string name) => TryGet(name) ?? throw VoltException.NotFound($"ingress route \"{name}\" not found");

    public IngressRoute? TryGet(string name)
    {
        if (!RouteSyntax.IsValidName(name)) return null;
        return Read(File(name));
    }

    /// <summary>Every route file, sorted by name; a corrupt file is an error (exit 12) naming it.</summary>
    public IReadOnlyList<IngressRoute> List()
    {
        if (!Directory.Exists(Dir)) return [];
        return [.. Directory.EnumerateFiles(Dir, "*.json").Order(StringComparer.Ordinal).Select(Read).OfType<IngressRoute>()];
    }

    private static IngressRoute? Read(string path)
    {
        try
        {
            var r = JsonSerializer.Deserialize(System.IO.File.ReadAllBytes(path), IngressJson.Default.IngressRoute)
                ?? throw new JsonException("empty document");
            var expected = System.IO.Path.GetFileNameWithoutExtension(path);
            if (r.Name != expected) throw new JsonException($"the file names route \"{r.Name}\"");
            return r;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        catch (JsonException e) { throw new VoltException(ExitCode.InvalidConfig, $"ingress route file {path} is invalid: {e.Message}", e); }
    }

    /// <summary>
    /// All routes, each checked (its own rules, its certificate for <c>manual</c>) and every pair for collisions,
    /// every problem reported at once (exit 12). What serve and reload load; on failure the caller keeps what runs.
    /// </summary>
    public IReadOnlyList<IngressRoute> LoadAll()
    {
        var routes = List();
        var problems = RouteRules.Problems(routes).ToList();
        foreach (var r in routes.Where(r => r.Tls == TlsModes.Manual && r.Cert is not null && r.Key is not null))
        {
            try { PemCertificate.Load(r.Cert!, r.Key!, r.Hostname, _time.GetUtcNow()); }
            catch (VoltException e) { problems.Add($"route {r.Name}: {e.Message}"); }
        }
        if (problems.Count > 0)
            throw new VoltException(ExitCode.InvalidConfig, $"{problems.Count} problem(s) in {Dir}: {string.Join("; ", problems)}");
        return routes;
    }

    /// <summary>Adds a route after its checks; exit 4 if the name exists, 9 naming the route it collides with.</summary>
    public void Create(IngressRoute r)
    {
        RouteSyntax.Name(r.Name);
        RouteRules.CheckSelf(r);
        if (r.Tls == TlsModes.Manual) PemCertificate.Load(r.Cert!, r.Key!, r.Hostname, _time.GetUtcNow());
        Directory.CreateDirectory(Dir);
        using var _ = FileLock.Exclusive(Path.Combine(Dir, ".lock"));
        if (TryGet(r.Name) is not null) throw VoltException.Exists($"ingress route \"{r.Name}\" already exists");
        if (RouteRules.Collision(r, List()) is { } c)
            throw VoltException.Conflict($"route {r.Name} collides with route {c.Other.Name}: {c.Why}");
        AtomicFile.WriteAllBytes(File(r.Name), JsonSerializer.SerializeToUtf8Bytes(r, IngressJson.Default.IngressRoute));
    }

    public void Delete(string name)
    {
        RouteSyntax.Name(name);
        if (!Directory.Exists(Dir)) throw VoltException.NotFound($"ingress route \"{name}\" not found");
        using var _ = FileLock.Exclusive(Path.Combine(Dir, ".lock"));
        if (!System.IO.File.Exists(File(name))) throw VoltException.NotFound($"ingress route \"{name}\" not found");
        System.IO.File.Delete(File(name));
    }
}
