using Volt.Compose.Loading;
using Volt.Compose.Model;
using Volt.Testing;

namespace Volt.Compose.Tests.Loading;

/// <summary>Writes stack files into a temp dir and loads them with a private environment.</summary>
internal sealed class Stacks : IDisposable
{
    public TempDir Dir { get; } = new("volt-compose");
    public Dictionary<string, string> Env { get; } = new(StringComparer.Ordinal);

    public string Write(string name, string text) => Dir.Write(name, text);

    public StackModel Load(params string[] files) => StackLoader.Load(Options(files));

    public LoadOptions Options(params string[] files) => new()
    {
        WorkingDir = Dir.Path, Files = files, Environment = k => Env.GetValueOrDefault(k),
    };

    public void Dispose() => Dir.Dispose();
}
