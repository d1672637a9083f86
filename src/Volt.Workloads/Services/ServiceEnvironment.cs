using Volt.Core.Errors;
using Volt.Units;
using Volt.Workloads.Runtime;

namespace Volt.Workloads.Services;

/// <summary>
/// The environment a service's commands get, as systemd builds it: PATH (systemd's default), HOME/USER/LOGNAME/SHELL
/// for a User=, then Environment= in order, then each EnvironmentFile= (whose settings override Environment=, as in
/// systemd.exec(5)), then the launch's extras.
/// </summary>
public static class ServiceEnvironment
{
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static Dictionary<string, string> Build(ServiceUnit unit, UserSwitch? user, string? userName, IReadOnlyDictionary<string, string>? extra)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = DefaultPath };
        if (user is not null)
        {
            env["HOME"] = user.Home;
            if (userName is not null && !uint.TryParse(userName, out _)) { env["USER"] = userName; env["LOGNAME"] = userName; }
            env["SHELL"] = "/bin/sh";
        }
        foreach (var (k, v) in unit.Environment) env[k] = v;
        foreach (var (path, optional) in unit.EnvironmentFiles)
        {
            if (!File.Exists(path))
            {
                if (optional) continue;
                throw VoltException.NotFound($"EnvironmentFile {path} not found");
            }
            foreach (var (k, v) in ParseFile(File.ReadAllText(path))) env[k] = v;
        }
        if (extra is not null) foreach (var (k, v) in extra) env[k] = v;
        return env;
    }

    /// <summary>
    /// <c>KEY=VALUE</c> lines; <c>#</c> and <c>;</c> start comments; a value in single or double quotes loses them; a
    /// line ending in <c>\</c> continues on the next (systemd.exec(5) EnvironmentFile=).
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> ParseFile(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            while (line.EndsWith('\\') && i + 1 < lines.Length) line = line[..^1] + lines[++i];
            line = line.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line.StartsWith("export ", StringComparison.Ordinal)) line = line[7..].TrimStart();
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && ((value[0] == '"' && value[^1] == '"') || (value[0] == '\'' && value[^1] == '\'')))
                value = value[1..^1];
            yield return new(key, value);
        }
    }
}
