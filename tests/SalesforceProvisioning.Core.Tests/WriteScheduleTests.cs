using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// When a user sync sends its writes (issue 14): whole calls as soon as they are full when the run is sure to
    /// write through composite collections, never a part-filled call before the end, never more calls than free.
    /// </summary>
    public class WriteScheduleTests
    {
        [Theory]
        [InlineData(SfBulkApiMode.Never, false, 0L, 0L, true)]
        [InlineData(SfBulkApiMode.Always, false, 10000L, 2000L, false)]
        [InlineData(SfBulkApiMode.Auto, true, 10000L, 2000L, false)]    // a bulk run sends a job's worth at once
        [InlineData(SfBulkApiMode.Auto, false, 0L, 2000L, false)]       // input of unknown size: could still reach the threshold
        [InlineData(SfBulkApiMode.Auto, false, 4000L, 4000L, false)]    // a rule's first run: what it expects is what it has seen
        [InlineData(SfBulkApiMode.Auto, false, 10000L, 2000L, true)]    // a rule's last scope is below the threshold
        [InlineData(SfBulkApiMode.Auto, false, 19999L, 2000L, true)]    // one below the threshold
        [InlineData(SfBulkApiMode.Auto, false, 20000L, 2000L, false)]   // the last scope reaches it
        [InlineData(SfBulkApiMode.Auto, false, 3000L, 3000L, false)]    // the input has grown past the last scope (the caller then expects what it has seen)
        public void Calls_go_out_as_they_fill_only_when_the_run_is_sure_to_write_composite(SfBulkApiMode mode, bool switchedToBulk, long expected, long given, bool sends)
            => Assert.Equal(sends, WriteSchedule.SendsAsCallsFill(mode, switchedToBulk, 20000, expected, given));

        private static void UserCreate(int _, CompositeWriter.CallTally calls) => calls.Add(0, WriteKind.Create, "User");

        [Fact]
        public void Only_whole_calls_are_sent_and_no_more_than_are_free()
        {
            var plans = Enumerable.Range(0, 2500).ToList();
            Assert.Equal(0, WriteSchedule.WholeCallsReady<int>(plans.Take(999).ToList(), UserCreate, 10));
            Assert.Equal(1000, WriteSchedule.WholeCallsReady<int>(plans.Take(1000).ToList(), UserCreate, 10));
            Assert.Equal(2000, WriteSchedule.WholeCallsReady<int>(plans, UserCreate, 10));
            Assert.Equal(1000, WriteSchedule.WholeCallsReady<int>(plans, UserCreate, 1));
            Assert.Equal(0, WriteSchedule.WholeCallsReady<int>(plans, UserCreate, 0));
        }

        [Fact]
        public void A_user_create_with_three_assignments_fills_four_calls_per_thousand_users()
        {
            void WithAccess(int _, CompositeWriter.CallTally calls)
            {
                calls.Add(0, WriteKind.Create, "User");
                for (int i = 0; i < 3; i++) calls.Add(2, WriteKind.Create, "PermissionSetAssignment");
            }
            var plans = Enumerable.Range(0, 1500).ToList();
            Assert.Equal(1000, WriteSchedule.WholeCallsReady<int>(plans, WithAccess, 10));
            // Four calls are not free: nothing goes, rather than the users without their assignments' calls full.
            Assert.Equal(0, WriteSchedule.WholeCallsReady<int>(plans, WithAccess, 3));
        }

        [Fact]
        public void The_tally_counts_calls_as_the_writer_packs_them()
        {
            var writes = new List<RecordWrite>();
            var tally = new CompositeWriter.CallTally();
            void Add(WriteKind kind, string type, int n)
            {
                for (int i = 0; i < n; i++)
                {
                    writes.Add(new RecordWrite(kind, type));
                    tally.Add(0, kind, type);
                }
            }
            Add(WriteKind.Create, "User", 450);
            Add(WriteKind.Update, "User", 620);
            Add(WriteKind.Update, "UserLogin", 30);
            Add(WriteKind.Create, "Contact", 10);
            Assert.Equal(CompositeWriter.CallsFor(writes), tally.Calls);
            Assert.False(tally.AllFull);
        }
    }
}
