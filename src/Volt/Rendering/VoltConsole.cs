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

    /// <summary>Keys typed on the terminal; null when stdin is not a terminal (piped, redirected, CI).</summary>
    IKeyInput? Keys { get; }
}

/// <summary>Single keys typed by the user, read without blocking output (<c>q</c> quits <c>volt top</c>).</summary>
public interface IKeyInput
{
    /// <summary>The next key typed; cancelled with <paramref name="ct"/>.</summary>
    Task<char> ReadKeyAsync(CancellationToken ct);
}

/// <summary>
/// The process's stdout/stderr: UTF-8 writers on descriptors 1 and 2 (<see cref="Volt.Core.IO.DescriptorStream"/>),
/// flushed at every write as <see cref="Console.Out"/> is, made on first use. <see cref="Console.Out"/>'s own set-up
/// (terminal initialisation, the charset from <c>LANG</c>) was a share of every command's start; the terminal is
/// still set up where keys are read (<see cref="Keys"/>).
/// </summary>
public sealed class SystemConsole : IVoltConsole
{
    private TextWriter? _out, _error;

    public TextWriter Out => LazyInitializer.EnsureInitialized(ref _out, static () => Writer(1));
    public TextWriter Error => LazyInitializer.EnsureInitialized(ref _error, static () => Writer(2));

    private static TextWriter Writer(int fd) =>
        TextWriter.Synchronized(new StreamWriter(new Volt.Core.IO.DescriptorStream(fd), new System.Text.UTF8Encoding(false), 1024) { AutoFlush = true });
    public bool IsOutputTerminal => !Console.IsOutputRedirected;
    public bool IsErrorTerminal => !Console.IsErrorRedirected;
    public bool IsInputTerminal => !Console.IsInputRedirected;
    public string? ReadLine() => Console.In.ReadLine();
    public int Width => IsOutputTerminal ? Math.Max(40, SafeWidth()) : 200;
    public IKeyInput? Keys => Console.IsInputRedirected ? null : TerminalKeys.Instance;

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
    public IKeyInput? Keys { get; init; }
    public string StdOut => _out.ToString();
    public string StdErr => _err.ToString();
}

/// <summary>
/// The terminal's keys. It polls <see cref="Console.KeyAvailable"/> and reads only a key already typed, so no thread
/// ever sits inside <see cref="Console.ReadKey(bool)"/> while another writes a frame. .NET switches the terminal to
/// no-echo, non-canonical input on first use (Ctrl-C still raises SIGINT) and restores the saved settings when
/// the process exits.
/// </summary>
internal sealed class TerminalKeys : IKeyInput
{
    public static TerminalKeys Instance { get; } = new();

    public async Task<char> ReadKeyAsync(CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (Available()) return Console.ReadKey(intercept: true).KeyChar;
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    private static bool Available()
    {
        try { return Console.KeyAvailable; }
        catch (InvalidOperationException) { return false; }
        catch (IOException) { return false; }
    }
}

/// <summary>Keys a test types (<see cref="Type"/>) for a command reading <see cref="IVoltConsole.Keys"/>.</summary>
public sealed class TestKeys : IKeyInput
{
    private readonly System.Threading.Channels.Channel<char> _keys = System.Threading.Channels.Channel.CreateUnbounded<char>();

    public void Type(string keys)
    {
        foreach (var k in keys) _keys.Writer.TryWrite(k);
    }

    public async Task<char> ReadKeyAsync(CancellationToken ct) => await _keys.Reader.ReadAsync(ct).ConfigureAwait(false);
}
