using System;
using System.IO;
using System.Linq;
using Microsoft.Data.Sqlite;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>The state store's journal of Bulk API 2.0 jobs: written before a job is polled, per connection scope, kept across opens.</summary>
    public class BulkJobJournalTests : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), "sfprov-bulkjobs-" + Guid.NewGuid().ToString("N"), "state.db");

        public void Dispose()
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(Path.GetDirectoryName(_path))) Directory.Delete(Path.GetDirectoryName(_path), true);
        }

        [Fact]
        public void A_started_job_stays_pending_for_its_scope_across_opens_until_it_is_finished()
        {
            using (var store = new SqliteStateStore(_path))
            {
                store.BulkJobs("prod").JobStarted("750000000000001AAA", "User", "insert");
                store.BulkJobs("prod").JobStarted("750000000000002AAA", "User", "update");
                store.BulkJobs("sandbox").JobStarted("750000000000003AAA", "User", "insert");
            }
            using (var reopened = new SqliteStateStore(_path))
            {
                Assert.Equal(new[] { "750000000000001AAA", "750000000000002AAA" }, reopened.BulkJobs("prod").PendingJobs());
                reopened.BulkJobs("prod").JobFinished("750000000000001AAA");
                reopened.BulkJobs("prod").JobFinished("750000000000001AAA"); // finishing twice is harmless
                Assert.Equal(new[] { "750000000000002AAA" }, reopened.BulkJobs("prod").PendingJobs());
                Assert.Equal(new[] { "750000000000003AAA" }, reopened.BulkJobs("sandbox").PendingJobs());
                Assert.Equal(4, reopened.Version);
            }
        }

        [Fact]
        public void A_job_belongs_to_the_last_run_of_its_scope_started_before_it_and_a_note_is_added_to_that_run()
        {
            using (var store = new SqliteStateStore(_path))
            {
                long other = store.StartRun("sandbox", "bulk", "Sync-SfUser");
                long earlier = store.StartRun("prod", "bulk", "Sync-SfUser");
                store.FinishRun(earlier, new SfSyncRun(), "Succeeded");
                long stopped = store.StartRun("prod", "bulk", "Sync-SfUser");
                store.BulkJobs("prod").JobStarted("750000000000001AAA", "User", "insert");
                store.FinishRun(stopped, new SfSyncRun(), "Stopped", "Stopped (Ctrl+C).");
                long later = store.StartRun("prod", "bulk", "Sync-SfUser");

                Assert.Equal(stopped, store.BulkJobs("prod").RunOf("750000000000001AAA"));
                Assert.Null(store.BulkJobs("prod").RunOf("750000000000009AAA"));
                store.BulkJobs("prod").NoteOnRun(stopped, $"Its job was followed by run {later}.");
                store.BulkJobs("prod").NoteOnRun(earlier, "A first note.");
                var runs = store.Runs("bulk", null, 10);
                Assert.Equal($"Stopped (Ctrl+C). Its job was followed by run {later}.", runs.Single(r => r.RunId == stopped).Error);
                Assert.Equal("A first note.", runs.Single(r => r.RunId == earlier).Error);
                Assert.Null(runs.Single(r => r.RunId == other).Error);
            }
        }
    }
}
