using System;
using System.IO;
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
    }
}
