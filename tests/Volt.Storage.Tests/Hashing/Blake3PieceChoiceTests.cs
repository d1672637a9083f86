using Shouldly;
using Volt.Storage.Hashing;
using Xunit;

namespace Volt.Storage.Tests.Hashing;

/// <summary>How a mapped file's pieces are read is decided by timing both ways on the first pieces.</summary>
public sealed class Blake3PieceChoiceTests
{
    [Fact]
    public void Before_the_trials_end_pieces_alternate_between_the_mapping_and_the_copy()
    {
        var c = Blake3PieceChoice.For(Blake3PieceChoice.MeasureMinPieces);
        c.Measuring.ShouldBeTrue();
        Enumerable.Range(0, 8).Select(i => c.Copies(i)).ShouldBe([false, true, false, true, false, true, false, true]);
        c.Decision.ShouldBe("undecided");
    }

    [Theory]
    [InlineData(100, 200, "mapping")]
    [InlineData(300, 200, "pread")]
    public void After_the_trials_the_way_with_the_fastest_trial_takes_every_piece(long mapNs, long copyNs, string decision)
    {
        var c = Blake3PieceChoice.For(1000);
        // The warm-ups (the copy's first piece faults its buffer in) are not counted, however slow.
        for (int i = 0; i < Blake3PieceChoice.WarmUpsPerWay; i++)
        {
            c.Record(copied: false, 1);
            c.Record(copied: true, 1_000_000_000);
        }
        for (int i = 0; i < Blake3PieceChoice.TrialsPerWay; i++)
        {
            c.Record(copied: false, mapNs);
            c.Measuring.ShouldBeTrue();
            c.Record(copied: true, copyNs);
        }
        c.Measuring.ShouldBeFalse();
        c.Decision.ShouldBe(decision);
        Enumerable.Range(0, 8).Select(i => c.Copies(i)).Distinct().ShouldBe([decision == "pread"]);
        c.Record(copied: decision != "pread", 1); // a late trial from another worker changes nothing
        c.Decision.ShouldBe(decision);
    }

    [Fact]
    public void One_preempted_trial_does_not_make_the_faster_way_lose()
    {
        var c = Blake3PieceChoice.For(1000);
        c.Record(copied: false, 1);
        c.Record(copied: true, 1);
        c.Record(copied: true, 100);
        c.Record(copied: true, 5_000); // preempted
        c.Record(copied: true, 100);
        c.Record(copied: false, 150);
        c.Record(copied: false, 160);
        c.Record(copied: false, 150);
        c.Decision.ShouldBe("pread");
    }

    [Fact]
    public void A_file_too_short_to_measure_is_not_timed_and_follows_a_decision_at_once()
    {
        // The way is this process's last decision (other tests in this process may have made it), or the mapping.
        var c = Blake3PieceChoice.For(Blake3PieceChoice.MeasureMinPieces - 1);
        c.Measuring.ShouldBeFalse();
        c.Decision.ShouldBeOneOf("mapping", "pread");
    }

    [Fact]
    public void One_slow_trial_of_a_way_does_not_decide_before_both_ways_have_all_their_trials()
    {
        var c = Blake3PieceChoice.For(1000);
        for (int i = 0; i < 10; i++)
            c.Record(copied: true, 50);
        c.Measuring.ShouldBeTrue();
        c.Record(copied: false, 999); // the mapping's warm-up
        c.Record(copied: false, 10);
        c.Record(copied: false, 10);
        c.Measuring.ShouldBeTrue();
        c.Record(copied: false, 10);
        c.Decision.ShouldBe("mapping");
    }

    [Fact]
    public void On_several_threads_each_thread_warms_up_once_per_way_before_any_piece_counts()
    {
        var c = Blake3PieceChoice.For(1000, threads: 2);
        for (int i = 0; i < 2 * Blake3PieceChoice.WarmUpsPerWay; i++)
        {
            c.Record(copied: true, 1_000_000_000); // every worker's first copy faults its own buffer in
            c.Record(copied: false, 1);
        }
        for (int i = 0; i < Blake3PieceChoice.TrialsPerWay; i++)
        {
            c.Record(copied: true, 100);
            c.Record(copied: false, 200);
        }
        c.Decision.ShouldBe("pread");
    }
}
