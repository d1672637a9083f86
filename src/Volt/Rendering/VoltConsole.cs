namespace Volt.Rendering;

/// <summary>Where a command's output goes. The real console in the binary, string writers in tests.</summary>
public interface IVoltConsole
{
    TextWriter Out { get; }
    TextWriter Error { get; }
    bool IsOutputTerminal { get; }
    bool IsErrorTerminal { get; }
    int Width { get; }

    /// <summary>Whether stdin is a terminal someone can answer a question on.</summary>
    bool IsInputTerminal => false;

    /// <summary>One line from stdin (null at end of input).</summary>
    string? ReadLine() => null;
}

/// <summary>The process's stdout/stderr.</summary>
public sealed class SystemConsole : IVoltConsole
{
    public TextWriter Out { get; } = Console.Out;
    public TextWriter Error { get; } = Console.Error;
    public bool IsOutputTerminal => !Console.IsOutputRedirected;
    public bool IsErrorTerminal => !Console.IsErrorRedirected;
    public bool IsInputTerminal => !Console.IsInputRedirected;
    public string? ReadLine() => Console.In.ReadLine();
    public int Width => IsOutputTerminal ? Math.Max(40, SafeWidth()) : 200;

    private static int SafeWidth()
    {
        try { return Console.WindowWidth; } catch (IOException) { return 120; }
    }
}

/// <summary>In-memory console for tests (Spectre's CommandAppTester idea).</summary>
public sealed class TestConsole : IVoltConsole
{
    private readonly StringWriter _out = new(), _err = new();
    public TextWriter Out => _out;
    public TextWriter Error => _err;
    public bool IsOutputTerminal { get; init; }
    public bool IsErrorTerminal { get; init; }
    public int Width { get; init; } = 200;
    public bool IsInputTerminal { get; init; }
    /// <summary>What a test types, line by line.</summary>
    public Queue<string> Input { get; } = new();
    public string? ReadLine() => Input.TryDequeue(out var l) ? l : null;
    public string StdOut => _out.ToString();
    public string StdErr => _err.ToString();
}
