using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using SalesforceProvisioning.TestSupport;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// The PostgreSQL state store against a real server (tests/postgres/PostgresServer.cs): schema and versions,
    /// the shared SQL, advisory run locks between two workers' connections, a lock released by the server when
    /// its session dies, and connection strings that never carry a password.
    /// </summary>
    public class PostgreSqlStateStoreTests
    {
        private readonly string _db = PostgresServer.NewDatabase();

        private PostgreSqlStateStore Open() => new PostgreSqlStateStore(_db);

        private static SfUserSyncResult Created(int i) => new SfUserSyncResult { Username = $"u{i}@example.com", SalesforceId = $"005{i:D15}", Outcome = SfSyncAction.Created, InputIndex = i };

        private static Dictionary<int, SourceUser> Sources(IEnumerable<SfUserSyncResult> results) => results.ToDictionary(r => r.InputIndex, r => SourceUser.ForUsername(null, r.InputIndex, r.Username, enabled: true));

        [Fact]
        public void A_new_database_gets_the_current_schema_and_keeps_rules_runs_records_and_group_identities()
        {
            using (var store = Open())
            {
                Assert.Equal(StateStore.SchemaVersion, store.Version);
                store.SaveRule(new SfProvisioningRule { Name = "HR", ConnectionName = "prod", Description = "nightly", MaxDeprovisionPercent = 20 }, isNew: true);
                Assert.Equal(SalesforceFailure.InvalidArgument, Assert.ThrowsAny<SalesforceException>(() => store.SaveRule(new SfProvisioningRule { Name = "hr", ConnectionName = "x" }, isNew: true)).Failure);
                long run = store.StartRun("prod", "HR", "Sync-SfUser -Rule hr");
                store.Record("prod", "hr", run, new[]
                {
                    new SfProvisionedRecord { SourceKey = "A@example.com", SalesforceId = "005000000000001AAA", ObjectType = "User", LastAction = "Created", Fingerprint = "f1" },
                    new SfProvisionedRecord { SourceKey = "b@example.com", SalesforceId = null, LastAction = "Failed", LastErrorCode = "DUPLICATE_USERNAME", LastMessage = "taken" },
                }, new SfSyncRun { Impacted = 2, Success = 1, Failed = 1 });
                store.FinishRun(run, new SfSyncRun { Impacted = 2, Success = 1, Failed = 1 }, "CompletedWithErrors");
                store.Save("00D000000000001AAA", new GroupIdentity { SourceId = "g1", SalesforceId = "00G000000000001AAA", Name = "Sales", LastSynced = DateTimeOffset.UtcNow });
            }
            using (var store = Open())
            {
                SfProvisioningRule rule = store.GetRule("hr");
                Assert.Equal("HR", rule.Name);
                Assert.Equal(20, rule.MaxDeprovisionPercent);
                Assert.Equal(2, rule.ProvisionedCount);
                Assert.NotNull(rule.LastRunAt);
                SfSyncRun last = store.Runs("hr").Single();
                Assert.Equal(("CompletedWithErrors", 2, 1, 1), (last.Status, last.Impacted, last.Success, last.Failed));
                Assert.Equal("Sync-SfUser -Rule hr", last.Command);
                Assert.Single(store.Runs(null, "prod"));
                Assert.Empty(store.Runs(null, "other"));
                var records = store.Provisioned(null, "HR");
                Assert.Equal(new[] { "a@example.com", "b@example.com" }, records.Select(r => r.SourceKey));
                Assert.Equal("DUPLICATE_USERNAME", records[1].LastErrorCode);
                Assert.Equal("Sales", store.Find("00D000000000001", "g1").Name); // 15- and 18-character org ids are one org
                store.Forget("prod", "hr", new[] { "A@example.com" });
                Assert.Equal("b@example.com", store.Provisioned("prod", "hr").Single().SourceKey);
                store.RemoveRule("hr");
                Assert.Empty(store.Rules());
                Assert.Empty(store.Provisioned(null, "hr"));
            }
        }

        [Fact]
        public void An_older_schema_is_upgraded_in_place_and_keeps_its_data()
        {
            using (var store = Open())
            {
                store.SaveRule(new SfProvisioningRule { Name = "hr", ConnectionName = "prod" }, isNew: true);
                store.Record("prod", "hr", store.StartRun("prod", "hr", "x"), new[] { new SfProvisionedRecord { SourceKey = "a@example.com", SalesforceId = "005000000000001AAA", LastAction = "Created" } });
            }
            // What a version-2 module left: run locks without leases.
            PostgresServer.Scalar(_db, "ALTER TABLE run_locks DROP COLUMN process_started, DROP COLUMN expires_at; UPDATE meta SET value = '2' WHERE key = 'schema_version'");
            using (var store = Open())
            {
                Assert.Equal(StateStore.SchemaVersion, store.Version);
                Assert.Equal(2L, PostgresServer.Scalar(_db, "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'run_locks' AND column_name IN ('process_started', 'expires_at')"));
                Assert.Equal("005000000000001AAA", store.Provisioned(null, "hr").Single().SalesforceId);
                using (store.LockScope("prod")) { }
            }
        }

        [Fact]
        public void A_schema_from_a_newer_module_is_refused()
        {
            using (Open()) { }
            PostgresServer.Scalar(_db, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
            var error = Assert.Throws<SalesforceConfigurationException>(() => Open());
            Assert.Contains("newer version", error.Message);
            Assert.Contains("schema 99", error.Message);
        }

        [Fact]
        public async Task Workers_opening_a_new_database_at_once_create_the_schema_once()
        {
            var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => { using var store = Open(); return store.Version; })));
            Assert.All(opened, v => Assert.Equal(StateStore.SchemaVersion, v));
            Assert.Equal(StateStore.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), PostgresServer.Scalar(_db, "SELECT value FROM meta WHERE key = 'schema_version'"));
        }

        [Fact]
        public void Two_workers_on_two_connections_get_one_run_lock_per_scope()
        {
            using var first = Open();
            using var second = Open();
            using (var held = first.LockScope("prod"))
            {
                Assert.Null(held.Warning);
                var busy = Assert.Throws<SalesforceException>(() => second.LockScope("prod"));
                Assert.Equal(SalesforceFailure.StateStoreBusy, busy.Failure);
                Assert.Contains($"process {Environment.ProcessId} on {Environment.MachineName}", busy.Message);
                using (second.LockScope("other")) { } // another connection's scope runs beside it
            }
            using (var next = second.LockScope("prod")) Assert.Null(next.Warning); // released cleanly: nothing to take over
            Assert.Equal(0L, PostgresServer.Scalar(_db, "SELECT COUNT(*) FROM run_locks"));
        }

        [Fact]
        public void A_lock_whose_session_died_is_released_by_the_server_the_run_stops_and_the_next_run_marks_it_interrupted()
        {
            using var first = Open();
            first.SaveRule(new SfProvisioningRule { Name = "hr", ConnectionName = "prod" }, isNew: true);
            var run = new RuleRun(first, first.GetRule("hr"), "prod", "Username", full: false, "Sync-SfUser -Rule hr");
            var batch = Enumerable.Range(1, 3).Select(Created).ToList();
            run.Record(batch, Sources(batch));

            // The worker's session ends on the server side (its process was killed, its machine stopped, the network cut).
            Assert.Equal(true, PostgresServer.Scalar(_db, "SELECT bool_and(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
            run.Lock.Renew(); // what the background check does every LeaseDuration / 3
            var stopped = Assert.Throws<SalesforceException>(() => run.Record(new[] { Created(4) }, Sources(new[] { Created(4) })));
            Assert.Equal(SalesforceFailure.StateStoreBusy, stopped.Failure);
            Assert.Contains("is gone", stopped.Message);

            using var second = Open();
            using (var next = new RuleRun(second, second.GetRule("hr"), "prod", "Username", full: false, "Sync-SfUser -Rule hr"))
            {
                Assert.Contains(next.Warnings, w => w.Contains("Took over the run lock") && w.Contains("server released"));
                // The batch the lost run had already written is recorded (it is in Salesforce), then the run stopped.
                Assert.Contains(next.Warnings, w => w.Contains("Interrupted") && w.Contains("Impacted 4"));
                SfSyncRun killed = second.Runs("hr").Single(r => r.RunId == run.RunId);
                Assert.Equal("Interrupted", killed.Status);
                Assert.Equal(4, killed.Success);
            }
        }

        [Fact]
        public void A_password_in_the_connection_string_is_refused_without_repeating_it()
        {
            var error = Assert.Throws<SalesforceConfigurationException>(() => new PostgreSqlStateStore(_db + ";Password=Sup3rSecret!"));
            Assert.Contains("password in plain text", error.Message);
            Assert.Contains("-StateCredential", error.Remedy);
            Assert.DoesNotContain("Sup3rSecret", error.Message + error.Remedy);
            var fromEnvironment = Assert.Throws<SalesforceConfigurationException>(() => new PostgreSqlStateStore(_db + ";Password=x", null, PostgreSqlStateStore.EnvironmentVariable));
            Assert.Contains("$env:SFPROVISIONING_STATE_CONNECTION", fromEnvironment.Message);
            var garbage = Assert.Throws<SalesforceConfigurationException>(() => new PostgreSqlStateStore("Host=x;Pasword=Sup3rSecret!;Nonsense"));
            Assert.DoesNotContain("Sup3rSecret", garbage.Message + garbage.Remedy);
        }

        [Theory]
        // An unquoted ';' in a password splits it: Npgsql's own message ("Keyword not supported: 'zk9'") would repeat a part of it.
        [InlineData("Password=Xq7;Zk9=ef")]
        [InlineData("PWD=Xq7;Zk9=ef")]
        [InlineData("psw=Xq7;Zk9=ef")]
        [InlineData("Ssl Password=Xq7;Zk9=ef")]
        [InlineData("Password='Xq7;Zk9=ef")] // not even keyword=value pairs
        public void A_connection_string_npgsql_cannot_read_is_refused_without_quoting_any_of_it(string tail)
        {
            var error = Assert.Throws<SalesforceConfigurationException>(() => new PostgreSqlStateStore(_db + ";" + tail));
            Assert.Contains("password in plain text", error.Message);
            for (Exception e = error; e != null; e = e.InnerException)
            {
                Assert.DoesNotContain("Zk9", e.Message, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("Xq7", e.Message, StringComparison.OrdinalIgnoreCase);
            }
            // Without a password, a keyword Npgsql does not know is named, and no value is quoted.
            var unknown = Assert.Throws<SalesforceConfigurationException>(() => new PostgreSqlStateStore(_db + ";Colour=Sup3rSecret!"));
            Assert.Contains("no keyword 'colour'", unknown.Message, StringComparison.OrdinalIgnoreCase); // (the keyword as .NET reads it: in lower case)
            var badValue = Assert.Throws<SalesforceConfigurationException>(() => new PostgreSqlStateStore(_db + ";Port=Sup3rSecret!"));
            Assert.Contains("value of port=", badValue.Message, StringComparison.OrdinalIgnoreCase);
            foreach (Exception e in new Exception[] { unknown, badValue, unknown.InnerException, badValue.InnerException })
                Assert.DoesNotContain("Sup3rSecret", e?.Message ?? "");
        }

        [Fact]
        public void A_credential_gives_the_login_and_the_location_never_shows_its_password()
        {
            using var store = new PostgreSqlStateStore(_db, new NetworkCredential("postgres", "Sup3rSecret!"));
            Assert.StartsWith("postgresql://postgres@", store.Location);
            Assert.DoesNotContain("Sup3rSecret", store.Location);
            Assert.Equal(StateStore.SchemaVersion, store.Version);
        }

        [Fact]
        public void A_server_that_cannot_be_reached_is_a_clear_error_naming_it()
        {
            var error = Assert.Throws<SalesforceException>(() => new PostgreSqlStateStore("Host=/nonexistent-sfprov-socket-dir;Port=5432;Database=state;Username=sfprov;Timeout=3"));
            Assert.Equal(SalesforceFailure.StateStoreUnwritable, error.Failure);
            Assert.Contains("postgresql://sfprov@/nonexistent-sfprov-socket-dir:5432/state", error.Message);
            Assert.Contains("cannot be reached", error.Message);
        }

        [Fact]
        public void A_missing_database_says_how_to_create_it()
        {
            var error = Assert.Throws<SalesforceException>(() => new PostgreSqlStateStore(_db.Replace("Database=sfprov_", "Database=missing_")));
            Assert.Contains("does not exist", error.Message);
            Assert.Contains("createdb", error.Remedy);
        }
    }
}
