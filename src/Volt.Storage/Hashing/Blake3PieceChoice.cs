namespace Volt.Storage.Hashing;

/// <summary>How one whole piece of a mapped file reaches the kernel.</summary>
internal enum PieceWay
{
    /// <summary>Where it lies, its pages populated first with one MADV_POPULATE_READ.</summary>
    Populated,

    /// <summary>Where it lies, its pages faulted in as they are hashed (the kernel's fault-around maps 16 at a time).</summary>
    Faulted,

    /// <summary>Copied into a cache-sized buffer with pread.</summary>
    Copied,
}

/// <summary>
/// Decides by measurement how the whole pieces of a mapped file are hashed: where they lie, populated first
/// (MADV_POPULATE_READ) or faulted in as hashed, or copied into a cache-sized buffer with pread. Which is cheapest
/// depends on the CPU and kernel, not on Volt: on an AVX-512 AMD EPYC (Zen 4) the copy cost 15 % less than the mapping
/// and faults were the dearest and least steady way (s9); on a Sapphire Rapids Xeon the mapping wins and plain faults
/// cost ~6 % less CPU than populating each piece (s11; docs/benchmarks.md). Pieces of the three ways take turns: after an
/// untimed warm-up per way and thread, <see cref="TrialsPerWay"/> of each are timed on their own thread's CPU clock
/// (user + system: the populate, faults, page drop and copy are system time), and the way with the fastest trial takes
/// the rest of the file. A file too short to measure uses what this process measured last, or the populated mapping.
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

    private const int Ways = 3;

    private readonly int _warmUps;

    /// <summary>Fewest whole pieces a file needs for the trials to be worth their cost (the slower ways' trials).</summary>
    public const long MeasureMinPieces = 24;

    private const int Undecided = -1;

    /// <summary>This process's last decision: the way for files too short to measure.</summary>
    private static int s_last = (int)PieceWay.Populated;

    private readonly Lock _lock = new();
    private int _decided;
    private readonly long[] _bestNs = [long.MaxValue, long.MaxValue, long.MaxValue];
    private readonly int[] _trials = new int[Ways], _seenWarmUps = new int[Ways];

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

    /// <summary>How <paramref name="piece"/> is read: the decided way, or the ways in turn while measuring.</summary>
    public PieceWay Way(long piece) => Volatile.Read(ref _decided) is var d and not Undecided ? (PieceWay)d : (PieceWay)(piece % Ways);

    /// <summary>What the trials decided: "mapping" (populated), "faulted", "pread", or "undecided".</summary>
    public string Decision => Volatile.Read(ref _decided) switch
    {
        (int)PieceWay.Copied => "pread",
        (int)PieceWay.Populated => "mapping",
        (int)PieceWay.Faulted => "faulted",
        _ => "undecided",
    };

    /// <summary>Records one timed piece; after enough of every way, decides for the rest of the file by the fastest trial of each.</summary>
    public void Record(PieceWay way, long cpuNanoseconds)
    {
        lock (_lock)
        {
            if (_decided != Undecided)
                return;
            int w = (int)way;
            if (_seenWarmUps[w]++ < _warmUps) return;
            _bestNs[w] = Math.Min(_bestNs[w], cpuNanoseconds);
            _trials[w]++;
            if (_trials.Any(t => t < TrialsPerWay))
                return;
            // The fastest trial of each way: a trial is only ever slowed (preempted, interrupted, the other worker's
            // memory traffic), never sped up, so the minimum is the steadiest estimate of what a piece costs. A tie
            // goes to the earlier way (populated, then faulted).
            int best = 0;
            for (int i = 1; i < Ways; i++)
                if (_bestNs[i] < _bestNs[best]) best = i;
            Volatile.Write(ref s_last, best);
            Volatile.Write(ref _decided, best);
        }
    }
}
