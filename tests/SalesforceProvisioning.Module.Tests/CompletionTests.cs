using System.Collections;
using System.IO;
using System.Linq;
using SalesforceProvisioning.TestSupport;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>Tab completion of org and store names, through the engine's own completion.</summary>
    [Collection("Process environment")]
    public class CompletionTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public CompletionTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
        }

        private static string[] Complete(PowerShellHost ps, string input) => ps.Run(
            "[System.Management.Automation.CommandCompletion]::CompleteInput($in, $in.Length, $null).CompletionMatches | ForEach-Object CompletionText",
            new Hashtable { ["in"] = input }).Output.Select(o => o.ToString()).ToArray();

        [Fact]
        public void Profiles_permission_sets_and_groups_complete_from_the_org_and_are_cached()
        {
            using var ps = _emulator.NewSession();
            Assert.Equal(new[] { "'Standard User'", "'System Administrator'" }, Complete(ps, "Sync-SfUser -Profile S"));
            Assert.Contains("'Customer Community User'", Complete(ps, "New-SfAttributeMap -Mapping @{} -Profile C"));
            Assert.Contains("Sales_Ops", Complete(ps, "Get-SfPermissionSet Sa"));
            Assert.DoesNotContain(Complete(ps, "Get-SfPermissionSet X"), n => n.StartsWith("X00e")); // profile-owned sets are not offered
            Assert.Equal(new[] { "'All Sales'" }, Complete(ps, "Set-SfGroupMembership -Group All"));

            long before = _emulator.ApiCalls;
            Complete(ps, "Sync-SfUser -Profile S");
            Assert.Equal(before, _emulator.ApiCalls); // served from the per-connection cache
        }

        [Fact]
        public void Rules_and_saved_connections_complete_from_the_store()
        {
            string folder = Path.Combine(Path.GetTempPath(), "sfprov-complete-" + System.Guid.NewGuid().ToString("N"));
            string state = Path.Combine(folder, "state.db");
            using var ps = _emulator.NewSession();
            ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(folder, "key")}'; Save-SfProvisioningConnection -Name production -Connection $c -StatePath '{state}'; $null = New-SfProvisioningRule -Name nightly-hr -ConnectionName production -StatePath '{state}'");
            Assert.Equal(new[] { "production" }, Complete(ps, $"Get-SfProvisioningConnection -StatePath '{state}' -Name pro"));
            Assert.Equal(new[] { "nightly-hr" }, Complete(ps, $"Sync-SfUser -StatePath '{state}' -Rule ni"));
            Assert.Equal(new[] { "nightly-hr" }, Complete(ps, $"Get-SfSyncStatus -StatePath '{state}' -Rule n"));
        }

        /// <summary>
        /// Rules complete from a PostgreSQL store too (a real server: tests/postgres/PostgresServer.cs), named by the
        /// command being typed or by $env:SFPROVISIONING_STATE_CONNECTION; a store not set up yet offers nothing and
        /// is not set up by completing, and a server that cannot be reached offers nothing.
        /// </summary>
        [Fact]
        public void Rules_complete_from_a_postgresql_store_named_by_the_command_or_the_environment()
        {
            string folder = Path.Combine(Path.GetTempPath(), "sfprov-complete-pg-" + System.Guid.NewGuid().ToString("N"));
            string db = PostgresServer.NewDatabase();
            string empty = PostgresServer.NewDatabase();
            using var ps = _emulator.NewSession();
            // Saved connections stay beside $env:SFPROVISIONING_STATE_PATH with a server store: this test's own folder.
            string statePath = System.Environment.GetEnvironmentVariable("SFPROVISIONING_STATE_PATH");
            string keyPath = System.Environment.GetEnvironmentVariable("SFPROVISIONING_KEY_PATH");
            try
            {
                Assert.Empty(ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(folder, "key")}'; $env:SFPROVISIONING_STATE_PATH = '{Path.Combine(folder, "state.db")}'; $pg = '{db}'; " +
                    "Save-SfProvisioningConnection -Name production -Connection $c -Force; " +
                    "$null = New-SfProvisioningRule -Name nightly-hr -ConnectionName production -StateConnectionString $pg").Errors);

                Assert.Equal(new[] { "nightly-hr" }, Complete(ps, $"Sync-SfUser -StateConnectionString '{db}' -Rule ni"));
                Assert.Equal(new[] { "nightly-hr" }, Complete(ps, "Get-SfSyncStatus -StateConnectionString $pg -Rule n"));
                Assert.Empty(Complete(ps, $"Sync-SfUser -StateConnectionString '{db}' -Rule x"));

                System.Environment.SetEnvironmentVariable("SFPROVISIONING_STATE_CONNECTION", db);
                Assert.Equal(new[] { "nightly-hr" }, Complete(ps, "Sync-SfUser -Rule ni"));

                Assert.Empty(Complete(ps, $"Sync-SfUser -StateConnectionString '{empty}' -Rule n"));
                Assert.Equal(0L, System.Convert.ToInt64(PostgresServer.Scalar(empty, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'rules'")));
                string nowhere = new Npgsql.NpgsqlConnectionStringBuilder(db) { Host = Path.Combine(folder, "no-server") }.ConnectionString;
                Assert.Empty(Complete(ps, $"Sync-SfUser -StateConnectionString '{nowhere}' -Rule n"));
            }
            finally
            {
                System.Environment.SetEnvironmentVariable("SFPROVISIONING_STATE_CONNECTION", null);
                System.Environment.SetEnvironmentVariable("SFPROVISIONING_STATE_PATH", statePath);
                System.Environment.SetEnvironmentVariable("SFPROVISIONING_KEY_PATH", keyPath);
                if (Directory.Exists(folder)) Directory.Delete(folder, true);
            }
        }
    }
}
