using System;
using System.IO;
using Microsoft.Data.Sqlite;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    public class StateStoreTests : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), "sfprov-state-" + Guid.NewGuid().ToString("N"), "state.db");

        public void Dispose()
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(Path.GetDirectoryName(_path))) Directory.Delete(Path.GetDirectoryName(_path), true);
        }

        [Fact]
        public void A_version_1_store_is_upgraded_in_place_keeping_its_data()
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path));
            using (var db = new SqliteConnection("Data Source=" + _path + ";Pooling=False"))
            {
                db.Open();
                var command = db.CreateCommand();
                command.CommandText = @"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '1');
                    CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL, rule TEXT, command TEXT, started_at TEXT NOT NULL, finished_at TEXT,
                        status TEXT NOT NULL, impacted INTEGER NOT NULL DEFAULT 0, success INTEGER NOT NULL DEFAULT 0, unsynced INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, error TEXT);
                    CREATE TABLE provisioned (scope TEXT NOT NULL, rule TEXT NOT NULL, source_key TEXT NOT NULL, salesforce_id TEXT, object_type TEXT,
                        last_action TEXT, last_error_code TEXT, last_message TEXT, last_run_id INTEGER, updated_at TEXT NOT NULL, PRIMARY KEY (scope, rule, source_key));
                    CREATE TABLE run_locks (scope TEXT PRIMARY KEY, owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, acquired_at TEXT NOT NULL);
                    INSERT INTO provisioned VALUES ('prod', 'hr', 'ann@example.com', '005000000000001AAA', 'User', 'Created', NULL, NULL, 1, '2026-01-01T00:00:00Z');";
                command.ExecuteNonQuery();
            }
            using var store = new SqliteStateStore(_path);
            Assert.Equal(StateStore.SchemaVersion, store.Version);
            var kept = Assert.Single(store.Provisioned("prod", "hr"));
            Assert.Equal("005000000000001AAA", kept.SalesforceId);
            Assert.Null(kept.Fingerprint);
            store.Save("00D000000000001", new GroupIdentity { SourceId = "g1", SalesforceId = "00G000000000001AAA", Name = "Team", LastSynced = DateTimeOffset.UtcNow });
            Assert.Equal("Team", store.Find("00D000000000001AAA", "g1").Name);
        }

        [Fact]
        public void Two_runs_of_one_connection_are_serialized_with_a_clear_message()
        {
            using var first = new SqliteStateStore(_path);
            using var second = new SqliteStateStore(_path);
            using (first.LockScope("prod"))
            {
                var busy = Assert.Throws<SalesforceException>(() => second.LockScope("prod"));
                Assert.Equal(SalesforceFailure.StateStoreBusy, busy.Failure);
                Assert.Contains("Another run for 'prod'", busy.Message);
                using (second.LockScope("test")) { } // another connection is not blocked
            }
            using (second.LockScope("prod")) { } // released
        }

        [Fact]
        public void A_lock_left_by_a_crashed_process_is_taken_over()
        {
            using (var store = new SqliteStateStore(_path)) { }
            using (var db = new SqliteConnection("Data Source=" + _path + ";Pooling=False"))
            {
                db.Open();
                var command = db.CreateCommand();
                command.CommandText = $"INSERT INTO run_locks (scope, owner, pid, host, acquired_at) VALUES ('prod', 'dead', 2147483000, '{Environment.MachineName}', '2026-01-01T00:00:00Z')";
                command.ExecuteNonQuery();
            }
            using var again = new SqliteStateStore(_path);
            using (var taken = again.LockScope("prod"))
                Assert.Contains("process 2147483000", taken.Warning);
        }

        [Fact]
        public void A_store_from_a_newer_version_is_refused()
        {
            using (var store = new SqliteStateStore(_path)) { }
            using (var db = new SqliteConnection("Data Source=" + _path + ";Pooling=False"))
            {
                db.Open();
                var command = db.CreateCommand();
                command.CommandText = "UPDATE meta SET value = '99' WHERE key = 'schema_version'";
                command.ExecuteNonQuery();
            }
            Assert.Equal("StatePath", Assert.Throws<SalesforceConfigurationException>(() => new SqliteStateStore(_path)).Parameter);
        }
    }
}
