namespace Volt.Core.Paths;

/// <summary>
/// Every host path Volt touches, in one place. <see cref="Root"/> relocates all of them at once
/// (<c>VOLT_ROOT</c> / <c>--root</c>), so tests and unprivileged users can run in a temp dir.
/// <code>
/// {root}/etc/volt/config.yaml        main configuration (VOLT_CONFIG overrides)
/// {root}/var/lib/volt/cas/           Stellarium: objects/ refs/ tmp/ quarantine/
/// {root}/var/lib/volt/{containers,vms,kernels,images,volumes,networks,units,backups,gitops}/
/// {root}/var/run/volt/{volt.sock,volt.pid,locks/}
/// {root}/var/cache/volt/{cas,images,dns}/
/// {root}/var/log/volt/{daemon.log,audit.log}
/// </code>
/// </summary>
public sealed class VoltPaths
{
    public VoltPaths(string? root = null)
    {
        Root = string.IsNullOrEmpty(root) ? "/" : System.IO.Path.GetFullPath(root);
    }

    /// <summary>"/" on a real host; a temp dir in tests.</summary>
    public string Root { get; }

    public bool IsRelocated => Root != "/";

    public string Etc => Under("etc/volt");
    public string DefaultConfigFile => System.IO.Path.Combine(Etc, "config.yaml");
    public string Lib => Under("var/lib/volt");
    public string Cas => System.IO.Path.Combine(Lib, "cas");
    public string Containers => System.IO.Path.Combine(Lib, "containers");
    public string Vms => System.IO.Path.Combine(Lib, "vms");
    public string Images => System.IO.Path.Combine(Lib, "images");
    public string Volumes => System.IO.Path.Combine(Lib, "volumes");
    public string Networks => System.IO.Path.Combine(Lib, "networks");
    public string Units => System.IO.Path.Combine(Lib, "units");
    public string GitOps => System.IO.Path.Combine(Lib, "gitops");
    public string Registry => System.IO.Path.Combine(Lib, "registry");
    public string Run => Under("var/run/volt");
    public string Socket => System.IO.Path.Combine(Run, "volt.sock");
    public string PidFile => System.IO.Path.Combine(Run, "volt.pid");
    public string Locks => System.IO.Path.Combine(Run, "locks");
    public string Cache => Under("var/cache/volt");
    public string Log => Under("var/log/volt");
    public string AuditLog => System.IO.Path.Combine(Log, "audit.log");
    public string DaemonLog => System.IO.Path.Combine(Log, "daemon.log");

    /// <summary>Maps an absolute host path (as the seed writes it) under <see cref="Root"/>.</summary>
    public string Under(string hostPath) => System.IO.Path.Combine(Root, hostPath.TrimStart('/'));
}
