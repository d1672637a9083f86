using System.CommandLine;
using System.Runtime.CompilerServices;

namespace Volt.Cli;

/// <summary>
/// <see cref="RootCommand.ExecutableName"/> without its first step: System.CommandLine asks
/// <c>Assembly.GetEntryAssembly()</c> before it takes the file name from the command line, and under Native AOT that
/// call starts the reflection runtime's assembly binder (4 % of <c>volt --version</c>'s CPU). The binary has an entry
/// assembly, so the library's answer is step 2, the command line's file name: set here first, into the library's own
/// cache field. A library whose field is gone or changed leaves its own lookup in place (CommandCatalogTests checks the
/// field is the one the property reads).
/// </summary>
internal static class ExecutableNameCache
{
    [UnsafeAccessor(UnsafeAccessorKind.StaticField, Name = "_executableName")]
    private static extern ref string? Field(RootCommand? root);

    /// <summary>What the library has cached (null before its first lookup).</summary>
    internal static string? Current
    {
        get
        {
            try { return Field(null); }
            catch (MissingFieldException) { return null; }
        }
    }

    /// <summary>For the binary only (tests run under a host whose name the library reports as it always did).</summary>
    public static void Preset()
    {
        try
        {
            ref var name = ref Field(null);
            if (name is null && Environment.GetCommandLineArgs() is [{ Length: > 0 } path, ..])
                name = Path.GetFileNameWithoutExtension(path).Replace(" ", "", StringComparison.Ordinal);
        }
        catch (MissingFieldException) { /* the library's own lookup */ }
    }
}
