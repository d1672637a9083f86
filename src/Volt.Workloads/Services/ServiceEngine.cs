using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Units;

namespace Volt.Workloads.Services;

/// <summary>
/// Services as records: create writes the unit (nothing else: it is the single truth), edit validates and replaces it
/// atomically, delete removes unit, records and log. Starting and stopping are the supervisor's.
/// </summary>
public sealed class ServiceEngine(ServiceStore store)
{
    public ServiceStore Store => store;

    /// <summary>Checks the request (exit 2/3/4 before anything is written), then writes <c>NAME.service</c>.</summary>
    /// <param name="taken">Whether another kind already has the name (a container); exit 4 then too.</param>
    public ServiceUnit Create(ServiceSpec spec, Func<string, bool>? taken = null)
    {
        var name = ServiceName.Normalize(spec.Name);
        if (spec.Command.Count == 0) throw VoltException.Usage("no command given: volt service create NAME -- COMMAND [ARGS...]");
        if (store.Exists(name)) throw VoltException.Exists($"service \"{name}\" already exists ({store.UnitFile(name)})");
        if (taken?.Invoke(name) == true) throw VoltException.Exists($"a workload named \"{name}\" already exists (a container); service names are unique across kinds");
        var path = spec.Environment.FirstOrDefault(e => e.Key == "PATH").Value ?? ServiceEnvironment.DefaultPath;
        var exe = ExecutableLookup.Require(spec.Command[0], path);
        foreach (var f in spec.EnvironmentFiles)
            if (!File.Exists(f.TrimStart('-')) && !f.StartsWith('-')) throw VoltException.NotFound($"environment file \"{f}\" not found");
        if (spec.WorkingDirectory is { } d && !Directory.Exists(d)) throw VoltException.NotFound($"working directory \"{d}\" not found");
        if (spec.WorkingDirectory is { } rel && !Path.IsPathRooted(rel)) throw VoltException.Usage($"--workdir \"{rel}\" must be an absolute path");
        var text = (spec with { Name = name, Command = [exe, .. spec.Command.Skip(1)] }).Render();
        var unit = Validate(text, store.UnitFile(name));
        Directory.CreateDirectory(store.Paths.Units);
        using (store.Lock(name))
        {
            if (store.Exists(name)) throw VoltException.Exists($"service \"{name}\" already exists ({store.UnitFile(name)})");
            store.SaveSandbox(name, spec.Sandbox ?? Volt.Sandbox.SandboxSpec.Default);
            AtomicFile.WriteAllText(store.UnitFile(name), text);
            // What ps shows of it, stamped with the unit file: ps stats the unit instead of parsing it (nothing runs yet,
            // so no supervisor writes this state meanwhile).
            store.SaveSummary(name, unit);
        }
        return unit;
    }

    /// <summary>Writes a unit Volt renders for itself (install-service); replaces an older one.</summary>
    public ServiceUnit Install(string name, string text)
    {
        name = ServiceName.Normalize(name);
        var unit = Validate(text, store.UnitFile(name));
        Directory.CreateDirectory(store.Paths.Units);
        // Volt's own servers run containers, mounts and networks: no sandbox (docs/sandbox.md).
        store.SaveSandbox(name, Volt.Sandbox.SandboxSpec.Unconfined);
        AtomicFile.WriteAllText(store.UnitFile(name), text);
        return unit;
    }

    /// <summary>
    /// The unit text as voltd would run it: parsed (exit 12 with FILE:LINE:COLUMN for a syntax error or an unsupported
    /// directive), ExecStart= present, its command executable (exit 3).
    /// </summary>
    public static ServiceUnit Validate(string text, string path)
    {
        var unit = ServiceUnit.From(UnitFile.Parse(text, path));
        if (unit.ExecStart.Count == 0) throw new VoltException(ExitCode.InvalidConfig, $"{path}: [Service] has no ExecStart=");
        foreach (var c in unit.ExecStartPre.Concat(unit.ExecStart).Concat(unit.ExecStop))
            if (!c.IgnoreFailure || c == unit.ExecStart[^1]) ExecutableLookup.Require(c.Path, unit.Environment.TryGetValue("PATH", out var p) ? p : ServiceEnvironment.DefaultPath);
        return unit;
    }

    /// <summary>Replaces the unit with edited text after validating it; the old unit stays when validation fails.</summary>
    public ServiceUnit Replace(string name, string text)
    {
        store.EnsureExists(name);
        var unit = Validate(text, store.UnitFile(name));
        using (store.Lock(name)) AtomicFile.WriteAllText(store.UnitFile(name), text);
        return unit;
    }

    /// <summary>Removes the unit, the records and the log (the caller stopped the service first).</summary>
    public void Delete(string name)
    {
        store.EnsureExists(name);
        using (store.Lock(name)) store.Delete(name);
    }
}
