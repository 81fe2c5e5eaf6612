using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.Data.Sqlite;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>The state store under faults at rest: damaged files, unclean stops, upgrades and rollback, modes, dead locks.</summary>
    public class StateStoreFaultTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-faults-" + Guid.NewGuid().ToString("N"));
        private string StatePath => Path.Combine(_folder, "state.db");

        public void Dispose()
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        private void Raw(string sql, string path = null)
        {
            using var db = new SqliteConnection("Data Source=" + (path ?? StatePath) + ";Pooling=False");
            db.Open();
            var command = db.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        private object RawScalar(string sql, string path = null)
        {
            using var db = new SqliteConnection("Data Source=" + (path ?? StatePath) + ";Pooling=False");
            db.Open();
            var command = db.CreateCommand();
            command.CommandText = sql;
            return command.ExecuteScalar();
        }

        /// <summary>A store holding one rule and <paramref name="users"/> provisioned users.</summary>
        private void Seed(int users)
        {
            using var store = new SqliteStateStore(StatePath);
            store.SaveRule(new SfProvisioningRule { Name = "hr", ConnectionName = "prod" }, isNew: true);
            long run = store.StartRun("prod", "hr", "Sync-SfUser -Rule hr");
            store.Record("prod", "hr", run, Enumerable.Range(1, users).Select(i => new SfProvisionedRecord
            {
                SourceKey = $"user{i}@example.com", SalesforceId = $"005{i:D15}", ObjectType = "User", LastAction = "Created", Fingerprint = new string('x', 40),
            }));
            store.FinishRun(run, new SfSyncRun(), "Succeeded");
        }

        private SalesforceException Refused() => Assert.Throws<SalesforceException>(() => new SqliteStateStore(StatePath));

        [Fact]
        public void An_empty_file_is_a_clear_error_and_is_not_re_initialized()
        {
            Directory.CreateDirectory(_folder);
            File.WriteAllBytes(StatePath, Array.Empty<byte>());
            var error = Refused();
            Assert.Equal(SalesforceFailure.StateStoreDamaged, error.Failure);
            Assert.Contains(StatePath, error.Message);
            Assert.Contains("0 bytes", error.Message);
            Assert.Contains("Restore-SfStateStore", error.Remedy);
            Assert.Equal(0, new FileInfo(StatePath).Length);
        }

        [Fact]
        public void A_file_that_is_not_a_database_is_a_clear_error_and_is_left_as_it_was()
        {
            Directory.CreateDirectory(_folder);
            File.WriteAllText(StatePath, "username,email\nann,ann@example.com\n");
            var error = Refused();
            Assert.Equal(SalesforceFailure.StateStoreDamaged, error.Failure);
            Assert.Contains("not a SQLite database", error.Message);
            Assert.Equal("username,email\nann,ann@example.com\n", File.ReadAllText(StatePath));
        }

        [Fact]
        public void A_half_written_file_is_a_clear_error()
        {
            Seed(2000);
            long length = new FileInfo(StatePath).Length;
            using (var file = new FileStream(StatePath, FileMode.Open)) file.SetLength(length / 2);
            var error = Refused();
            Assert.Equal(SalesforceFailure.StateStoreDamaged, error.Failure);
            Assert.Contains("truncated", error.Message);
        }

        [Fact]
        public void After_an_unclean_stop_the_store_is_checked_and_a_damaged_page_is_refused()
        {
            Seed(2000);
            // An unclean stop: the write-ahead log is still there (a process holds the store while it is copied).
            string crashed = Path.Combine(_folder, "crashed");
            Directory.CreateDirectory(crashed);
            using (var holder = new SqliteConnection("Data Source=" + StatePath + ";Pooling=False"))
            {
                holder.Open();
                var write = holder.CreateCommand();
                write.CommandText = "PRAGMA wal_autocheckpoint = 0; UPDATE provisioned SET last_action = 'Updated' WHERE source_key = 'user1@example.com'";
                write.ExecuteNonQuery();
                File.Copy(StatePath, Path.Combine(crashed, "state.db"));
                File.Copy(StatePath + "-wal", Path.Combine(crashed, "state.db-wal"));
            }
            string copy = Path.Combine(crashed, "state.db");
            // Damage an index page in the middle of the file (not the header, which the file check reads).
            using (var file = new FileStream(copy, FileMode.Open))
            {
                file.Position = file.Length / 2 / 4096 * 4096;
                file.Write(Enumerable.Repeat((byte)0x5A, 4096).ToArray(), 0, 4096);
            }
            var error = Assert.Throws<SalesforceException>(() => new SqliteStateStore(copy));
            Assert.Equal(SalesforceFailure.StateStoreDamaged, error.Failure);
            Assert.Contains(copy, error.Message);
            Assert.True(error.Message.Contains("not closed cleanly"), error.Message);
        }

        [Fact]
        public void A_damaged_store_is_refused_before_a_run_starts_and_rolls_back_to_the_copy_of_the_last_run()
        {
            Seed(2000);
            using (var store = new SqliteStateStore(StatePath))
            using (var run = new RuleRun(store, store.GetRule("hr"), "prod", "Username", full: false, "Sync-SfUser -Rule hr")) { }
            Assert.True(File.Exists(SqliteStateStore.RunBackupPath(StatePath)));
            using (var file = new FileStream(StatePath, FileMode.Open))
            {
                file.Position = file.Length / 2 / 4096 * 4096;
                file.Write(Enumerable.Repeat((byte)0x5A, 4096).ToArray(), 0, 4096);
            }
            var error = Assert.ThrowsAny<SalesforceException>(() =>
            {
                using var store = new SqliteStateStore(StatePath);
                using var run = new RuleRun(store, store.GetRule("hr"), "prod", "Username", full: false, "Sync-SfUser -Rule hr");
            });
            Assert.Equal(SalesforceFailure.StateStoreDamaged, error.Failure);
            Assert.True(error.Message.Contains("a run is about to start"), error.Message);

            string aside = SqliteStateStore.Restore(StatePath, null, out string from);
            Assert.Equal(SqliteStateStore.RunBackupPath(StatePath), from);
            Assert.True(File.Exists(aside));
            using var restored = new SqliteStateStore(StatePath);
            Assert.Equal(2000, restored.Provisioned("prod", "hr").Count);
        }

        [Fact]
        public void A_state_folder_that_cannot_be_created_is_a_clear_error()
        {
            Directory.CreateDirectory(_folder);
            string file = Path.Combine(_folder, "not-a-folder");
            File.WriteAllText(file, "x");
            string path = Path.Combine(file, "state.db"); // a path under a file: no one, not even root, can make that folder
            var error = Assert.Throws<SalesforceException>(() => new SqliteStateStore(path));
            Assert.Equal(SalesforceFailure.StateStoreUnwritable, error.Failure);
            Assert.Contains(file, error.Message);
        }

        [Fact]
        public void The_store_runs_in_wal_mode_and_only_its_owner_can_read_it()
        {
            using (var store = new SqliteStateStore(StatePath)) store.SaveRule(new SfProvisioningRule { Name = "hr", ConnectionName = "prod" }, isNew: true);
            Assert.Equal("wal", RawScalar("PRAGMA journal_mode"));
            if (OperatingSystem.IsWindows()) return;
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(StatePath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_folder));
            // An existing store made readable by others (an older version) is restricted again when opened.
            File.SetUnixFileMode(StatePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            using (new SqliteStateStore(StatePath)) { }
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(StatePath));
        }

        [Fact]
        public void A_schema_upgrade_keeps_a_copy_that_restores_the_old_version()
        {
            Seed(3);
            Raw("UPDATE meta SET value = '2' WHERE key = 'schema_version'; ALTER TABLE run_locks DROP COLUMN process_started; ALTER TABLE run_locks DROP COLUMN expires_at;");
            using (var upgraded = new SqliteStateStore(StatePath)) Assert.Equal(StateStore.SchemaVersion, upgraded.Version);
            string copy = SqliteStateStore.UpgradeBackupPath(StatePath, 2);
            Assert.Equal("2", RawScalar("SELECT value FROM meta WHERE key = 'schema_version'", copy));
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(copy));

            SqliteStateStore.Restore(StatePath, copy, out _);
            Assert.Equal("2", RawScalar("SELECT value FROM meta WHERE key = 'schema_version'"));
            Assert.Equal(3L, RawScalar("SELECT COUNT(*) FROM provisioned"));
        }

        [Fact]
        public void A_run_killed_midway_is_marked_interrupted_with_what_it_wrote_by_the_next_run()
        {
            Seed(0);
            using (var store = new SqliteStateStore(StatePath))
            {
                // What a killed run leaves: its batches recorded with their counts, its status Running, its lock held by a dead process.
                var run = new RuleRun(store, store.GetRule("hr"), "prod", "Username", full: false, "Sync-SfUser -Rule hr");
                var results = Enumerable.Range(1, 3).Select(i => new SfUserSyncResult { Username = $"u{i}@example.com", SalesforceId = $"005{i:D15}", Outcome = SfSyncAction.Created, InputIndex = i }).ToList();
                run.Record(results, results.ToDictionary(r => r.InputIndex, r => SourceUser.ForUsername(null, r.InputIndex, r.Username, enabled: true)));
            }
            Raw("UPDATE run_locks SET pid = 2147483000");
            using (var store = new SqliteStateStore(StatePath))
            using (var next = new RuleRun(store, store.GetRule("hr"), "prod", "Username", full: false, "Sync-SfUser -Rule hr"))
            {
                Assert.Contains(next.Warnings, w => w.Contains("Took over the run lock"));
                Assert.Contains(next.Warnings, w => w.Contains("Interrupted") && w.Contains("Impacted 3"));
                var killed = store.Runs("hr").Single(r => r.RunId != next.RunId && r.Status != "Succeeded");
                Assert.Equal("Interrupted", killed.Status);
                Assert.Equal(3, killed.Impacted);
                Assert.Equal(3, killed.Success);
                Assert.NotNull(killed.FinishedAt);
            }
        }

        [Fact]
        public void A_lock_whose_pid_now_belongs_to_another_process_is_taken_over()
        {
            using (new SqliteStateStore(StatePath)) { }
            // This very process is alive, but it was not the one that took the lock (its start time differs).
            Raw($"INSERT INTO run_locks (scope, owner, pid, host, acquired_at, process_started, expires_at) VALUES ('prod', 'old', {Environment.ProcessId}, '{Environment.MachineName}', '2021-01-01T00:00:00Z', '2021-01-01T00:00:00Z', '2999-01-01T00:00:00Z')");
            using var store = new SqliteStateStore(StatePath);
            using var taken = store.LockScope("prod");
            Assert.Contains("now another program", taken.Warning);
        }

        [Fact]
        public void A_run_whose_lease_was_taken_over_while_it_was_paused_stops_at_its_next_batch()
        {
            Seed(0);
            using var store = new SqliteStateStore(StatePath);
            using var run = new RuleRun(store, store.GetRule("hr"), "prod", "Username", full: false, "Sync-SfUser -Rule hr");
            var results = new[] { new SfUserSyncResult { Username = "u1@example.com", SalesforceId = "005000000000001AAA", Outcome = SfSyncAction.Created, InputIndex = 0 } };
            var sources = new System.Collections.Generic.Dictionary<int, SourceUser> { [0] = SourceUser.ForUsername(null, 0, "u1@example.com", enabled: true) };
            run.Record(results, sources); // still ours
            // Another host took the lock over after this run's lease expired (a suspended VM, say); the next renewal notices.
            Raw("UPDATE run_locks SET owner = 'other-host-run', host = 'container-9'");
            run.Lock.Renew(); // what the lease timer does every LeaseDuration / 3
            var stopped = Assert.Throws<SalesforceException>(() => run.Record(results, sources));
            Assert.Equal(SalesforceFailure.StateStoreBusy, stopped.Failure);
            Assert.Contains("taken over", stopped.Message);
        }

        [Fact]
        public void A_lock_from_another_host_is_taken_over_only_once_its_lease_expired()
        {
            using (new SqliteStateStore(StatePath)) { }
            Raw("INSERT INTO run_locks (scope, owner, pid, host, acquired_at, process_started, expires_at) VALUES ('live', 'a', 7, 'container-1', '2021-01-01T00:00:00Z', NULL, '2999-01-01T00:00:00Z'), " +
                "('gone', 'b', 7, 'container-2', '2021-01-01T00:00:00Z', NULL, '2021-01-01T00:05:00Z')");
            using var store = new SqliteStateStore(StatePath);
            var busy = Assert.Throws<SalesforceException>(() => store.LockScope("live"));
            Assert.Equal(SalesforceFailure.StateStoreBusy, busy.Failure);
            Assert.Contains("container-1", busy.Message);
            using var taken = store.LockScope("gone");
            Assert.Contains("lease expired", taken.Warning);
        }

        [Fact]
        public void A_held_lock_is_renewed_while_the_run_lives()
        {
            using var store = new SqliteStateStore(StatePath);
            TimeSpan lease = StateStore.LeaseDuration;
            using (var held = store.LockScope("prod"))
            {
                string first = (string)RawScalar("SELECT expires_at FROM run_locks WHERE scope = 'prod'");
                Raw("UPDATE run_locks SET expires_at = '2000-01-01T00:00:00Z'");
                // The renewal the timer makes: the lease moves forward again.
                Assert.True(store.RenewLease("prod", (string)RawScalar("SELECT owner FROM run_locks WHERE scope = 'prod'")) == true);
                Assert.NotEqual("2000-01-01T00:00:00Z", RawScalar("SELECT expires_at FROM run_locks WHERE scope = 'prod'"));
                Assert.Equal(lease, StateStore.LeaseDuration);
            }
            Assert.Equal(0L, RawScalar("SELECT COUNT(*) FROM run_locks"));
        }

        [Fact]
        public void A_lease_whose_renewals_keep_failing_stops_the_run_once_it_ran_out()
        {
            Seed(0);
            using var store = new SqliteStateStore(StatePath);
            using var run = new RuleRun(store, store.GetRule("hr"), "prod", "Username", full: false, "Sync-SfUser -Rule hr");
            var results = new[] { new SfUserSyncResult { Username = "u1@example.com", SalesforceId = "005000000000001AAA", Outcome = SfSyncAction.Created, InputIndex = 0 } };
            var sources = new System.Collections.Generic.Dictionary<int, SourceUser> { [0] = SourceUser.ForUsername(null, 0, "u1@example.com", enabled: true) };
            var lease = (LeaseLock)run.Lock;
            // The renewal's own connection cannot open the store (its path now names a folder); the run's connection still works.
            string away = StatePath + ".away";
            File.Move(StatePath, away);
            Directory.CreateDirectory(StatePath);
            try
            {
                lease.Renew(); // fails while the lease still runs: tried again at the next tick, the run goes on
                run.Record(results, sources);
                lease.ValidUntil = DateTimeOffset.UtcNow.AddSeconds(-1); // ... and the ticks until the lease ran out failed too
                lease.Renew();
            }
            finally
            {
                Directory.Delete(StatePath);
                File.Move(away, StatePath);
            }
            var stopped = Assert.Throws<SalesforceException>(() => run.Record(results, sources));
            Assert.Equal(SalesforceFailure.StateStoreUnwritable, stopped.Failure);
            Assert.Contains("could not renew its lock", stopped.Message);
            Assert.Contains(StatePath, stopped.Message);
        }
    }
}