using System;
using System.IO;
using System.Linq;
using SalesforceProvisioning.TestSupport;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// The rule cmdlets, Sync-SfUser -Rule and Get-SfSyncStatus on a PostgreSQL state store, through the real
    /// PowerShell engine and a real server (tests/postgres/PostgresServer.cs). Two workers at once and a killed
    /// worker are in tests/Pester/PostgreSqlState.Tests.ps1 (separate pwsh processes).
    /// </summary>
    // SFPROVISIONING_KEY_PATH and SFPROVISIONING_STATE_CONNECTION are process-wide: the classes that set them run one after the other.
    [Collection("Process environment")]
    public class PostgreSqlStateTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-pgstate-" + Guid.NewGuid().ToString("N"));
        private readonly string _db = PostgresServer.NewDatabase();

        public PostgreSqlStateTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        public void Dispose()
        {
            Environment.SetEnvironmentVariable("SFPROVISIONING_STATE_CONNECTION", null);
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        private static string People(int count) =>
            $"$people = 1..{count} | ForEach-Object {{ [pscustomobject]@{{ Username = \"pg$_@rules.example.com\"; LastName = \"Pg$_\"; Email = \"pg$_@rules.example.com\" }} }}; ";

        /// <summary>A runspace with $pg (the store's connection string) and the connection 'prod' saved on this worker.</summary>
        private PowerShellHost Session()
        {
            var ps = _emulator.NewSession();
            var setup = ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $pg = '{_db}'; Save-SfProvisioningConnection -Name prod -Connection $c -Force");
            Assert.Empty(setup.Errors);
            return ps;
        }

        [Fact]
        public void Rules_runs_delta_and_status_live_on_the_server()
        {
            using var ps = Session();
            var created = ps.Run("New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -Description nightly -StateConnectionString $pg");
            Assert.Empty(created.Errors);
            Assert.Equal("hr", created.Output.Single().Prop("Name"));

            var first = ps.Run(People(5) + "$people | Sync-SfUser -Rule hr -StateConnectionString $pg");
            Assert.Empty(first.Errors);
            Assert.Equal(5, first.Output.Count(o => o.Prop("Action") == "Created"));
            long before = _emulator.ApiCalls;
            var delta = ps.Run(People(5) + "$people | Sync-SfUser -Rule hr -StateConnectionString $pg");
            Assert.All(delta.Output, o => Assert.Equal("Unchanged", o.Prop("Action")));
            Assert.Equal(1, _emulator.ApiCalls - before); // only the preflight: the fingerprints came from the server

            var runs = ps.Run("Get-SfSyncStatus -Rule hr -StateConnectionString $pg").Output;
            Assert.Equal(new[] { "Succeeded", "Succeeded" }, runs.Select(r => r.Prop("Status")));
            Assert.Equal(new[] { "0", "5" }, runs.Select(r => r.Prop("Impacted")));
            Assert.Equal(5, ps.Run("Get-SfSyncStatus -Rule hr -ByUser -StateConnectionString $pg").Output.Count(r => r.Prop("SalesforceId")?.StartsWith("005") == true));
            Assert.Equal("5", ps.Run("(Get-SfProvisioningRule hr -StateConnectionString $pg).ProvisionedCount").Output.Single().ToString());
            Assert.Empty(ps.Run("Set-SfProvisioningRule hr -Description 'every night' -StateConnectionString $pg").Errors);

            // The file store is untouched: the rule exists only on the server.
            Assert.NotEmpty(ps.Run($"Get-SfProvisioningRule hr -StatePath '{Path.Combine(_folder, "other.db")}' -ErrorAction SilentlyContinue; $Error[0]").Output);

            // $env:SFPROVISIONING_STATE_CONNECTION chooses the same store for every command without the parameter
            // (set for this one script only: test classes outside this collection may run meanwhile).
            var fromEnvironment = ps.Run("$env:SFPROVISIONING_STATE_CONNECTION = $pg; " +
                "try { Get-SfProvisioningRule hr; Get-SfSyncStatus -Rule hr -Last 1; Remove-SfProvisioningRule hr -Force } finally { [Environment]::SetEnvironmentVariable('SFPROVISIONING_STATE_CONNECTION', $null) }");
            Assert.Empty(fromEnvironment.Errors);
            Assert.Equal("every night", fromEnvironment.Output[0].Prop("Description"));
            Assert.Equal(0L, PostgresServer.Scalar(_db, "SELECT COUNT(*) FROM rules"));
        }

        [Fact]
        public void The_password_comes_from_a_credential_and_never_lands_in_the_store_or_the_output()
        {
            using var ps = Session();
            // (The hosted engine has no ConvertTo-SecureString; the credential is made where a runbook gets it from its vault.)
            Assert.Empty(ps.Run("$cred = [pscredential]::new('postgres', [System.Net.NetworkCredential]::new('', 'Sup3rSecret!').SecurePassword); " +
                   "$null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -StateConnectionString $pg -StateCredential $cred").Errors);
            // The credential is made on the run's own line, so the line the run records holds the typed password.
            var run = ps.Run(People(2) + "$cred = [pscredential]::new('postgres', [System.Net.NetworkCredential]::new('', 'Sup3rSecret!').SecurePassword); " +
                "$people | Sync-SfUser -Rule hr -StateConnectionString $pg -StateCredential $cred -Verbose");
            Assert.Empty(run.Errors);
            Assert.Equal(2, run.Output.Count(o => o.Prop("Action") == "Created"));
            Assert.DoesNotContain("Sup3rSecret", run.AllText());
            string recorded = (string)PostgresServer.Scalar(_db, "SELECT string_agg(coalesce(command, '') || coalesce(error, ''), ' ') FROM runs");
            Assert.DoesNotContain("Sup3rSecret", recorded);
            Assert.Contains("$cred = <redacted>; $people | Sync-SfUser", recorded);

            long written = _emulator.RecordsWritten;
            var refused = ps.Run(People(2) + "$people | Sync-SfUser -Rule hr -StateConnectionString ($pg + ';Password=Sup3rSecret!')");
            var error = Assert.Single(refused.Errors);
            Assert.Contains("password in plain text", error.ToString());
            Assert.DoesNotContain("Sup3rSecret", refused.AllText());
            Assert.Equal(written, _emulator.RecordsWritten);

            var both = ps.Run($"Get-SfSyncStatus -StateConnectionString $pg -StatePath '{Path.Combine(_folder, "state.db")}'");
            Assert.Contains("two different state stores", Assert.Single(both.Errors).ToString());
            var lonely = ps.Run($"Get-SfSyncStatus -StatePath '{Path.Combine(_folder, "state.db")}' -StateCredential $cred");
            Assert.Contains("no such store is named", Assert.Single(lonely.Errors).ToString());
        }

        [Fact]
        public void A_password_that_breaks_the_connection_string_is_not_repeated_by_the_error_nor_recorded()
        {
            using var ps = Session();
            Assert.Empty(ps.Run("$null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -StateConnectionString $pg").Errors);
            Assert.Empty(ps.Run(People(1) + "$people | Sync-SfUser -Rule hr -StateConnectionString $pg").Errors);
            // The ';' in the password 'Xq7;Zk9=ef' is not quoted, so Npgsql reads a keyword 'Zk9' and says it knows no such keyword.
            foreach (string script in new[]
            {
                "$people | Sync-SfUser -Rule hr -StateConnectionString ($pg + ';Password=Xq7;Zk9=ef')",
                "$people | Sync-SfUser -Rule hr -StateConnectionString ($pg + ';PWD=Xq7;Zk9=ef')",
                "$env:SFPROVISIONING_STATE_CONNECTION = $pg + ';psw=Xq7;Zk9=ef'; try { $people | Sync-SfUser -Rule hr } finally { [Environment]::SetEnvironmentVariable('SFPROVISIONING_STATE_CONNECTION', $null) }",
            })
            {
                var refused = ps.Run(People(1) + script);
                var error = Assert.Single(refused.Errors);
                Assert.Contains("password in plain text", error.ToString());
                Assert.DoesNotContain("Zk9", refused.AllText(), StringComparison.OrdinalIgnoreCase);
                for (Exception e = error.Exception; e != null; e = e.InnerException)
                    Assert.DoesNotContain("Zk9", e.Message, StringComparison.OrdinalIgnoreCase);
            }
            string recorded = (string)PostgresServer.Scalar(_db, "SELECT string_agg(coalesce(command, '') || coalesce(error, ''), ' ') FROM runs");
            Assert.DoesNotContain("Zk9", recorded, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Xq7", recorded, StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public void Group_identities_live_on_the_server_so_a_rename_seen_by_another_worker_renames_the_group()
        {
            using (var worker = Session())
                Assert.Empty(worker.Run("[pscustomobject]@{ Name = 'PG Old'; ObjectGUID = 'pg-g-1' } | Sync-SfGroup -StateConnectionString $pg").Errors);
            Assert.Equal(1L, PostgresServer.Scalar(_db, "SELECT COUNT(*) FROM group_identities WHERE source_id = 'pg-g-1'"));
            using var other = Session(); // another runspace: nothing in memory from the first
            var renamed = other.Run("[pscustomobject]@{ Name = 'PG New'; ObjectGUID = 'pg-g-1' } | Sync-SfGroup -StateConnectionString $pg");
            Assert.Equal("Renamed", renamed.Output.Single().Prop("Action"));
            Assert.Empty(_emulator.Query("SELECT Id FROM Group WHERE Name = 'PG Old'"));
            Assert.Single(_emulator.Query("SELECT Id FROM Group WHERE Name = 'PG New'"));
        }

        [Fact]
        public void A_server_that_cannot_be_reached_stops_the_run_before_any_write()
        {
            using var ps = Session();
            long written = _emulator.RecordsWritten;
            var run = ps.Run(People(2) + "$people | Sync-SfUser -Rule hr -StateConnectionString 'Host=/nonexistent-sfprov;Database=state;Username=sfprov;Timeout=3'");
            var error = Assert.Single(run.Errors);
            Assert.StartsWith("StateStoreUnwritable,", error.FullyQualifiedErrorId);
            Assert.Contains("postgresql://sfprov@/nonexistent-sfprov:5432/state", error.ToString());
            Assert.Equal(written, _emulator.RecordsWritten);
        }
    }
}
