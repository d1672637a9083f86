namespace Volt.Rendering;

/// <summary>
/// ANSI colour, decided once per run: <c>VOLT_COLOR</c>=always|never|auto (default auto), <c>NO_COLOR</c>
/// disables auto, auto means "stdout is a terminal".
/// </summary>
public sealed class Palette(bool enabled)
{
    public bool Enabled => enabled;

    public static Palette Decide(string? voltColor, string? noColor, bool isTerminal) => voltColor?.ToLowerInvariant() switch
    {
        "always" => new(true),
        "never" => new(false),
        _ => new(string.IsNullOrEmpty(noColor) && isTerminal),
    };

    public string Error(string s) => Wrap(s, "1;31");
    public string Warning(string s) => Wrap(s, "1;33");
    public string Good(string s) => Wrap(s, "32");
    public string Header(string s) => Wrap(s, "1");
    public string Dim(string s) => Wrap(s, "2");

    private string Wrap(string s, string code) => enabled ? $"\u001b[{code}m{s}\u001b[0m" : s;
}
