using System.Buffers.Binary;

namespace Volt.Sandbox.Seccomp;

/// <summary>A tiny classic-BPF assembler for seccomp filters: forward jumps to labels, resolved at <see cref="Build"/>.</summary>
internal sealed class Bpf
{
    public const ushort LdAbs = 0x20, Jeq = 0x15, Jge = 0x35, Jset = 0x45, Ret = 0x06, AndK = 0x54;
    public const uint RetKillProcess = 0x80000000, RetErrno = 0x00050000, RetAllow = 0x7fff0000, RetLog = 0x7ffc0000;
    public const uint AuditArchX86_64 = 0xC000003E;
    /// <summary>Offsets in struct seccomp_data.</summary>
    public const uint Nr = 0, Arch = 4;
    public static uint ArgLow(int i) => (uint)(16 + 8 * i);

    private readonly List<(ushort Code, string? Jt, string? Jf, uint K)> _code = [];
    private readonly Dictionary<string, int> _labels = new(StringComparer.Ordinal);
    private int _auto;

    public int Count => _code.Count;

    public Bpf Load(uint offset) { _code.Add((LdAbs, null, null, offset)); return this; }
    public Bpf And(uint k) { _code.Add((AndK, null, null, k)); return this; }
    public Bpf Return(uint k) { _code.Add((Ret, null, null, k)); return this; }
    /// <summary>Conditional jump: to <paramref name="onTrue"/> / <paramref name="onFalse"/> (null: the next instruction).</summary>
    public Bpf Jump(ushort op, uint k, string? onTrue, string? onFalse) { _code.Add((op, onTrue, onFalse, k)); return this; }
    public Bpf Label(string name) { _labels[name] = _code.Count; return this; }
    public string NewLabel() => "L" + _auto++;

    /// <summary>"if A == k return action" in two instructions.</summary>
    public Bpf ReturnIf(uint k, uint action)
    {
        var skip = NewLabel();
        Jump(Jeq, k, null, skip).Return(action).Label(skip);
        return this;
    }

    /// <summary>The program as struct sock_filter bytes (8 per instruction, little-endian).</summary>
    public byte[] Build()
    {
        var bytes = new byte[_code.Count * 8];
        for (var i = 0; i < _code.Count; i++)
        {
            var (code, jt, jf, k) = _code[i];
            var s = bytes.AsSpan(i * 8, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(s, code);
            s[2] = Offset(i, jt);
            s[3] = Offset(i, jf);
            BinaryPrimitives.WriteUInt32LittleEndian(s[4..], k);
        }
        return bytes;
    }

    private byte Offset(int at, string? label)
    {
        if (label is null) return 0;
        var d = _labels[label] - at - 1;
        if (d is < 0 or > 255) throw new InvalidOperationException($"BPF jump from {at} to {label} out of range ({d})");
        return (byte)d;
    }
}
