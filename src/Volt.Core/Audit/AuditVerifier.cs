namespace Volt.Core.Audit;

/// <summary>One problem found in the chain, with its 1-based line number.</summary>
public sealed record AuditProblem(long Line, string Problem);

/// <summary>Result of walking the chain from the first line to the head file.</summary>
public sealed record AuditVerifyResult(long Lines, IReadOnlyList<AuditProblem> Problems)
{
    public bool Ok => Problems.Count == 0;
}

/// <summary>
/// Checks every line's <c>prev</c> against the hash of the line before it, sequence numbers, JSON syntax, and the
/// last line against <c>audit.log.head</c>. Any edit, insertion or removal breaks at least one of these.
/// The head may lag behind the log (a machine crash after a line was synced, before the head written after it reached
/// the disk: see <see cref="AuditLog.Append(string, string, bool, string?, string, uint, string?)"/>); it then has to match the line it records, so removing lines at the end
/// or editing the one it pins is still found.
/// </summary>
public static class AuditVerifier
{
    public static AuditVerifyResult Verify(AuditLog log)
    {
        var problems = new List<AuditProblem>();
        if (!File.Exists(log.Path))
        {
            var missingHead = log.ReadHead();
            if (missingHead is not null) problems.Add(new(0, $"audit log is missing but its head records {missingHead.Seq} lines"));
            return new(0, problems);
        }
        var head = log.ReadHead();
        string? headLineHash = null;
        var bytes = File.ReadAllBytes(log.Path);
        long lineNo = 0;
        string prevHash = "";
        long prevSeq = 0;
        var span = bytes.AsSpan();
        if (span.Length > 0 && span[^1] != (byte)'\n')
            problems.Add(new(CountLines(span), "last line is not terminated (torn write or edit)"));
        foreach (var range in span.Split((byte)'\n'))
        {
            var line = span[range];
            if (range.End.Value == span.Length && line.IsEmpty) break;
            lineNo++;
            var entry = AuditLog.TryParse(line);
            if (entry is null)
            {
                problems.Add(new(lineNo, "not a valid audit entry (JSON)"));
            }
            else
            {
                if (entry.Prev != prevHash)
                    problems.Add(new(lineNo, lineNo == 1 ? "first line does not start the chain (lines removed before it?)" : "previous-line hash mismatch: line before it was edited, inserted or removed"));
                if (entry.Seq != prevSeq + 1)
                    problems.Add(new(lineNo, $"sequence {entry.Seq} follows {prevSeq}"));
                prevSeq = entry.Seq;
            }
            prevHash = AuditLog.HashLine(line);
            if (head is not null && entry?.Seq == head.Seq) headLineHash = prevHash;
        }
        if (head is null && lineNo > 0)
            problems.Add(new(lineNo, "head file audit.log.head is missing"));
        else if (head is not null && !(head.Seq == prevSeq && head.Hash == prevHash) && !(head.Seq < prevSeq && head.Hash == headLineHash))
            problems.Add(new(lineNo, $"last line does not match the recorded head (seq {head.Seq}): lines at the end were edited or removed"));
        return new(lineNo, problems);
    }

    private static long CountLines(ReadOnlySpan<byte> span) => span.Count((byte)'\n') + 1;
}
