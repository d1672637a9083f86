using Volt.Core.Errors;

namespace Volt.Workloads.Services;

/// <summary>What <c>service create</c> checks before it writes anything: the command exists and is executable.</summary>
public static class ExecutableLookup
{
    /// <summary>The absolute path of <paramref name="command"/>: as given when it contains a <c>/</c>, else the first hit on <paramref name="path"/>.</summary>
    public static string? Find(string command, string path)
    {
        if (command.Contains('/')) return IsExecutable(command) ? Path.GetFullPath(command) : null;
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, command);
            if (IsExecutable(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Exit 3 naming the command when it is not found or not executable.</summary>
    public static string Require(string command, string path)
    {
        if (Find(command, path) is { } found) return found;
        if (command.Contains('/') && File.Exists(command))
            throw VoltException.NotFound($"command \"{command}\" is not executable");
        throw VoltException.NotFound(command.Contains('/') ? $"command \"{command}\" not found" : $"command \"{command}\" not found in PATH ({path})");
    }

    public static bool IsExecutable(string file)
    {
        try
        {
            if (!File.Exists(file)) return false;
            var mode = File.GetUnixFileMode(file);
            return (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}
