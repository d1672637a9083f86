using Shouldly;
using Volt.Storage.Hashing;
using Xunit;

namespace Volt.Storage.Tests.Hashing;

/// <summary>How a mapped file's pieces are read is decided by timing the three ways on the first pieces.</summary>
public sealed class Blake3PieceChoiceTests
{
    private static readonly PieceWay[] All = [PieceWay.Populated, PieceWay.Faulted, PieceWay.Copied];

    [Fact]
    public void Before_the_trials_end_pieces_take_the_populated_mapping_the_faulted_mapping_and_the_copy_in_turn()
    {
        var c = Blake3PieceChoice.For(Blake3PieceChoice.MeasureMinPieces);
        c.Measuring.ShouldBeTrue();
        Enumerable.Range(0, 6).Select(i => c.Way(i)).ShouldBe([.. All, .. All]);
        c.Decision.ShouldBe("undecided");
    }

    [Theory]
    [InlineData(100, 150, 200, "mapping")]
    [InlineData(160, 150, 200, "faulted")]
    [InlineData(300, 250, 200, "pread")]
    public void After_the_trials_the_way_with_the_fastest_trial_takes_every_piece(long populatedNs, long faultedNs, long copyNs, string decision)
    {
        var c = Blake3PieceChoice.For(1000);
        // The warm-ups (the copy's first piece faults its buffer in) are not counted, however slow.
        for (int i = 0; i < Blake3PieceChoice.WarmUpsPerWay; i++)
        {
            c.Record(PieceWay.Populated, 1);
            c.Record(PieceWay.Faulted, 1);
            c.Record(PieceWay.Copied, 1_000_000_000);
        }
        for (int i = 0; i < Blake3PieceChoice.TrialsPerWay; i++)
        {
            c.Record(PieceWay.Populated, populatedNs);
            c.Record(PieceWay.Faulted, faultedNs);
            c.Measuring.ShouldBeTrue();
            c.Record(PieceWay.Copied, copyNs);
        }
        c.Measuring.ShouldBeFalse();
        c.Decision.ShouldBe(decision);
        var chosen = Enumerable.Range(0, 9).Select(i => c.Way(i)).Distinct().ShouldHaveSingleItem();
        c.Record(chosen == PieceWay.Copied ? PieceWay.Populated : PieceWay.Copied, 1); // a late trial from another worker changes nothing
        c.Decision.ShouldBe(decision);
    }

    [Fact]
    public void One_preempted_trial_does_not_make_the_faster_way_lose()
    {
        var c = Blake3PieceChoice.For(1000);
        foreach (var w in All) c.Record(w, 1);
        c.Record(PieceWay.Copied, 100);
        c.Record(PieceWay.Copied, 5_000); // preempted
        c.Record(PieceWay.Copied, 100);
        foreach (var ns in new long[] { 150, 160, 150 })
        {
            c.Record(PieceWay.Populated, ns);
            c.Record(PieceWay.Faulted, ns + 20);
        }
        c.Decision.ShouldBe("pread");
    }

    [Fact]
    public void A_file_too_short_to_measure_is_not_timed_and_follows_a_decision_at_once()
    {
        // The way is this process's last decision (other tests in this process may have made it), or the mapping.
        var c = Blake3PieceChoice.For(Blake3PieceChoice.MeasureMinPieces - 1);
        c.Measuring.ShouldBeFalse();
        c.Decision.ShouldBeOneOf("mapping", "faulted", "pread");
    }

    [Fact]
    public void No_way_decides_before_every_way_has_all_its_trials()
    {
        var c = Blake3PieceChoice.For(1000);
        for (int i = 0; i < 10; i++)
        {
            c.Record(PieceWay.Copied, 50);
            c.Record(PieceWay.Faulted, 60);
        }
        c.Measuring.ShouldBeTrue();
        c.Record(PieceWay.Populated, 999); // the populated mapping's warm-up
        c.Record(PieceWay.Populated, 10);
        c.Record(PieceWay.Populated, 10);
        c.Measuring.ShouldBeTrue();
        c.Record(PieceWay.Populated, 10);
        c.Decision.ShouldBe("mapping");
    }

    [Fact]
    public void On_several_threads_each_thread_warms_up_once_per_way_before_any_piece_counts()
    {
        var c = Blake3PieceChoice.For(1000, threads: 2);
        for (int i = 0; i < 2 * Blake3PieceChoice.WarmUpsPerWay; i++)
        {
            c.Record(PieceWay.Copied, 1_000_000_000); // every worker's first copy faults its own buffer in
            c.Record(PieceWay.Populated, 1);
            c.Record(PieceWay.Faulted, 1);
        }
        for (int i = 0; i < Blake3PieceChoice.TrialsPerWay; i++)
        {
            c.Record(PieceWay.Copied, 100);
            c.Record(PieceWay.Populated, 200);
            c.Record(PieceWay.Faulted, 200);
        }
        c.Decision.ShouldBe("pread");
    }
}
