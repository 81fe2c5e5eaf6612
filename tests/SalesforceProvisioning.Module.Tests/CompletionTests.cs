using System.Collections;
using System.IO;
using System.Linq;
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
    }
}
