using System.Runtime.InteropServices;
using Volt.Core.Native;
using Volt.Storage.Hashing;
using Volt.Testing;

namespace Volt.Storage.Tests.Hashing;

/// <summary>
/// Volt's native hashing object under the JIT. The AOT binary links src/Volt.Storage/Hashing/Native/volt_blake3.c in;
/// tests compile the same source into a shared library with the host's C compiler (Native AOT needs one as well) and
/// route <see cref="VoltNative"/>'s calls to it, once per test process.
/// </summary>
internal static class NativeObject
{
    private static readonly Lock Gate = new();
    private static bool _loaded;
    private static string? _error;

    /// <summary>Loads the object (or skips, printing why, when there is no C compiler); then <see cref="Blake3Native"/> offers it.</summary>
    public static void Require()
    {
        TestEnv.Require(TestEnv.HasTool("cc"), "no C compiler ('cc') to build Volt's native hashing object");
        lock (Gate)
        {
            if (!_loaded && _error is null)
                Load();
        }
        if (_error is not null)
            throw new InvalidOperationException(_error);
    }

    private static void Load()
    {
        var source = Path.Combine(TestEnv.RepoRoot, "src", "Volt.Storage", "Hashing", "Native", "volt_blake3.c");
        using var dir = new TempDir("volt-native");
        var library = dir.Combine("libvolt_native.so");
        var cc = TestEnv.Run("cc", "-shared", "-fPIC", "-O2", "-std=gnu11", "-Wall", "-Werror", "-o", library, source);
        if (cc.Code != 0)
        {
            _error = $"cc could not build {source}: {cc.Err}";
            return;
        }
        var handle = NativeLibrary.Load(library); // stays mapped after the file is removed with the directory
        NativeLibrary.SetDllImportResolver(typeof(VoltNative).Assembly,
            (name, _, _) => name == VoltNative.Lib ? handle : IntPtr.Zero);
        Blake3Native.Probe();
        _loaded = true;
    }
}
