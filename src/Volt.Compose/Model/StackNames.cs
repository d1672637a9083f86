using System.Security.Cryptography;
using System.Text;
using Volt.Core.Errors;

namespace Volt.Compose.Model;

/// <summary>
/// How a stack names what it creates: workloads <c>STACK-SERVICE-N</c> (or <c>container_name</c>), networks a Volt
/// network name that fits a bridge name (<c>STACK-NET</c> when ≤ 10 characters, else <c>k</c> + 9 hex of its hash),
/// volumes <c>STACK_VOLUME</c>.
/// </summary>
public static class StackNames
{
    public static bool IsServiceName(string s) =>
        s.Length is > 0 and <= 63 && char.IsAsciiLetterOrDigit(s[0]) && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    /// <summary>compose's rule: lower case, only a-z 0-9 _ -, starting with a letter or digit.</summary>
    public static bool IsStackName(string s) =>
        s.Length is > 0 and <= 40 && (char.IsAsciiLetterLower(s[0]) || char.IsAsciiDigit(s[0])) && s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-');

    public static string ValidateStack(string s, string source) => IsStackName(s) ? s
        : throw new VoltException(ExitCode.InvalidConfig, $"invalid stack name \"{s}\" ({source}): 1-40 of a-z, 0-9, '_' and '-', starting with a letter or digit");

    /// <summary>A directory name as a stack name: lower-cased, other characters dropped (compose does the same).</summary>
    public static string FromDirectory(string dir)
    {
        var name = new string([.. Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)).ToLowerInvariant().Where(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-')]);
        name = name.TrimStart('_', '-');
        if (name.Length > 40) name = name[..40];
        return name.Length > 0 ? name : "default";
    }

    public static string Instance(string stack, string service, int index) => $"{stack}-{service.ToLowerInvariant()}-{index}";

    public static string Network(string stack, string network)
    {
        var plain = $"{stack}-{network}";
        if (plain.Length <= 10 && plain.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')) return plain;
        return "k" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{stack}/{network}")))[..9];
    }

    public static string Volume(string stack, string volume) => $"{stack}_{volume}";
}
