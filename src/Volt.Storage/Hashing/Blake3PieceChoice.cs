namespace Volt.Storage.Hashing;

/// <summary>
/// Decides by measurement how the whole pieces of a mapped file are hashed: where they lie (each piece populated with
/// MADV_POPULATE_READ first) or copied into a cache-sized buffer with pread. Which is cheaper depends on the CPU, not on
/// Volt: on an AVX-512 Xeon the mapping cost 15 % less CPU per GiB than the copy, on an AVX-512 AMD EPYC (Zen 4) the
/// copy cost 15 % less than the mapping (docs/benchmarks.md, s7 and s9). Pieces of each way alternate: after an untimed
/// warm-up per way and thread, <see cref="TrialsPerWay"/> of each are timed on their own thread's CPU clock (user +
/// system: the populate, unmap and copy are system time), and the way with the fastest trial takes the rest of the
/// file. A file too short to measure uses what this process measured last, or the mapping.
/// </summary>
internal sealed class Blake3PieceChoice
{
    /// <summary>Pieces timed per way before the choice.</summary>
    public const int TrialsPerWay = 3;

    /// <summary>
    /// Pieces of each way per thread hashed before the timed ones and not counted: a thread's first copy also faults in
    /// its new 1 MiB buffer (256 page faults, as much as the copy itself), which made the copy lose every trial on a
    /// machine where it wins by 15 %.
    /// </summary>
    public const int WarmUpsPerWay = 1;

    private readonly int _warmUps;

    /// <summary>Fewest whole pieces a file needs for the trials to be worth their cost (the slower way's trials).</summary>
    public const long MeasureMinPieces = 16;

    private const int Undecided = 0, Mapping = 1, Copy = 2;

    /// <summary>This process's last decision: the way for files too short to measure.</summary>
    private static int s_last = Mapping;

    private readonly Lock _lock = new();
    private int _decided;
    private long _mapNs = long.MaxValue, _copyNs = long.MaxValue;
    private int _mapTrials, _copyTrials, _mapWarmUps, _copyWarmUps;

    private Blake3PieceChoice(int decided, int threads)
    {
        _decided = decided;
        _warmUps = WarmUpsPerWay * Math.Max(threads, 1);
    }

    /// <summary>
    /// A choice for a file of <paramref name="wholePieces"/> pieces hashed on <paramref name="threads"/> threads (each
    /// warms up on its own): measured, or this process's last decision.
    /// </summary>
    public static Blake3PieceChoice For(long wholePieces, int threads = 1) =>
        new(wholePieces >= MeasureMinPieces * Math.Max(threads, 1) ? Undecided : Volatile.Read(ref s_last), threads);

    /// <summary>Whether pieces are still being timed.</summary>
    public bool Measuring => Volatile.Read(ref _decided) == Undecided;

    /// <summary>Whether <paramref name="piece"/> is copied with pread (else hashed where it lies).</summary>
    public bool Copies(long piece) => Volatile.Read(ref _decided) switch
    {
        Copy => true,
        Mapping => false,
        _ => (piece & 1) == 1,
    };

    /// <summary>What the trials decided: "pread", "mapping", or "undecided".</summary>
    public string Decision => Volatile.Read(ref _decided) switch { Copy => "pread", Mapping => "mapping", _ => "undecided" };

    /// <summary>Records one timed piece; after enough of both ways, decides for the rest of the file by the fastest trial of each.</summary>
    public void Record(bool copied, long cpuNanoseconds)
    {
        lock (_lock)
        {
            if (_decided != Undecided)
                return;
            if (copied)
            {
                if (_copyWarmUps++ < _warmUps) return;
                _copyNs = Math.Min(_copyNs, cpuNanoseconds);
                _copyTrials++;
            }
            else
            {
                if (_mapWarmUps++ < _warmUps) return;
                _mapNs = Math.Min(_mapNs, cpuNanoseconds);
                _mapTrials++;
            }
            if (_copyTrials < TrialsPerWay || _mapTrials < TrialsPerWay)
                return;
            // The fastest trial of each way: a trial is only ever slowed (preempted, interrupted, the other worker's
            // memory traffic), never sped up, so the minimum is the steadiest estimate of what a piece costs.
            int way = _copyNs < _mapNs ? Copy : Mapping;
            Volatile.Write(ref s_last, way);
            Volatile.Write(ref _decided, way);
        }
    }
}
