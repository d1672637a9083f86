using System.Runtime.CompilerServices;

namespace Volt.Core.Audit;

/// <summary>
/// Tells the CLI that voltd recorded the change itself (with the caller it saw on its socket), so the command does
/// not write a second line for the same act. The CLI sets a box for the command; the daemon client marks it once
/// voltd answered a request it audits.
/// </summary>
public static class AuditHandOff
{
    private static readonly AsyncLocal<StrongBox<bool>?> Box = new();

    /// <summary>Starts a command's scope; the returned box says afterwards whether voltd audited.</summary>
    public static StrongBox<bool> Begin() => Box.Value = new StrongBox<bool>();

    /// <summary>Whether voltd has recorded an audited request of the current command so far.</summary>
    public static bool RecordedByDaemon => Box.Value is { Value: true };

    /// <summary>voltd answered an audited request of the current command.</summary>
    public static void MarkRecordedByDaemon()
    {
        if (Box.Value is { } b) b.Value = true;
    }
}
