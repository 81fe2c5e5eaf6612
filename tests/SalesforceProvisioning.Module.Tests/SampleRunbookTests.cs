using System.Collections;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>The offboarding, AD group and community onboarding runbooks, run on the bare engine against the emulator.</summary>
    public class SampleRunbookTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public SampleRunbookTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        private static string Sample(string name) => Path.Combine(PowerShellHost.RepoRoot, "samples", name);

        [Fact]
        public void Offboarding_freezes_leavers_and_takes_them_out_of_their_groups_and_permission_sets_on_a_default_connection()
        {
            // The session's connection is the runspace's default, with the default -PermissionSetManagement (Merge).
            using var ps = _emulator.NewSession();
            string logs = Path.Combine(Path.GetTempPath(), "sfprov-offboarding-logs-" + System.Guid.NewGuid().ToString("N"));
            ps.Run("$null = @([pscustomobject]@{ Username = 'leaver@samples.example.com'; LastName = 'Leaver'; Email = 'leaver@samples.example.com'; Groups = 'All Sales'; PermissionSets = @('Reports_Viewer', 'Sales_Ops') }) | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal(2, _emulator.Query("SELECT Id FROM PermissionSetAssignment WHERE Assignee.Username = 'leaver@samples.example.com' AND PermissionSet.Name IN ('Reports_Viewer', 'Sales_Ops')").Count);
            var result = ps.Run($"& '{Sample("Offboarding.ps1")}' -Username 'leaver@samples.example.com' -Action Freeze -LogDirectory '{logs}'; \"exit=$LASTEXITCODE\"");
            Assert.Empty(result.Errors);
            Assert.Empty(_emulator.Query("SELECT Id FROM PermissionSetAssignment WHERE Assignee.Username = 'leaver@samples.example.com' AND PermissionSet.Name IN ('Reports_Viewer', 'Sales_Ops')"));
            string log = Assert.Single(Directory.GetFiles(logs, "Offboarding-*.jsonl"));
            var lines = File.ReadAllLines(log).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)).ToList();
            Assert.Contains(lines, l => l["kind"].ToString() == "result" && l["action"].ToString() == "Frozen" && l["name"].ToString() == "leaver@samples.example.com");
            Assert.Equal(0, lines.Last()["exitCode"].GetValue<int>());
            Directory.Delete(logs, true);
            var text = result.Output.Select(o => o.ToString()).ToList();
            Assert.Contains(text, t => t.StartsWith("leaver@samples.example.com: Frozen"));
            Assert.Contains("exit=0", text);
            string id = _emulator.Query("SELECT Id FROM User WHERE Username = 'leaver@samples.example.com'").Single()["Id"].ToString();
            Assert.True(_emulator.Query($"SELECT IsFrozen FROM UserLogin WHERE UserId = '{id}'").Single()["IsFrozen"].GetValue<bool>());
            Assert.Empty(_emulator.Query($"SELECT Id FROM GroupMember WHERE UserOrGroupId = '{id}' AND Group.Type = 'Regular'"));

            var unknown = ps.Run($"& '{Sample("Offboarding.ps1")}' -Username 'nobody@samples.example.com'; \"exit=$LASTEXITCODE\"");
            Assert.Contains("exit=1", unknown.Output.Select(o => o.ToString()));
        }

        [Fact]
        public void Groups_from_AD_are_synced_with_members_and_renames_follow_the_guid()
        {
            using var ps = _emulator.NewSession();
            string state = Path.Combine(Path.GetTempPath(), "sfprov-adgroups-" + System.Guid.NewGuid().ToString("N"), "state.db");
            ps.Run("$null = @([pscustomobject]@{ Username = 'ad.user@samples.example.com'; LastName = 'Ad'; Email = 'ad.user@samples.example.com' }) | Sync-SfUser -Profile 'Standard User'");
            string groups = "$groups = @([pscustomobject]@{ Name = 'SF-Finance'; ObjectGUID = 'a1b2'; Description = 'Finance'; Members = @('ad.user@samples.example.com') }); ";
            var first = ps.Run(groups + $"& '{Sample("Sync-GroupsFromAD.ps1")}' -Group $groups -StatePath '{state}'; \"exit=$LASTEXITCODE\"");
            Assert.Contains("SF-Finance: Created (+1 -0)", first.Output.Select(o => o.ToString()));
            var renamed = ps.Run(groups + $"$groups[0].Name = 'SF-Finance-EMEA'; & '{Sample("Sync-GroupsFromAD.ps1")}' -Group $groups -StatePath '{state}'; \"exit=$LASTEXITCODE\"");
            Assert.Contains("SF-Finance-EMEA: Renamed (+0 -0)", renamed.Output.Select(o => o.ToString()));
            Assert.Contains("exit=0", renamed.Output.Select(o => o.ToString()));
            Directory.Delete(Path.GetDirectoryName(state), true);
        }

        [Fact]
        public void Community_onboarding_links_customers_to_contacts_under_the_account()
        {
            string acme = _emulator.Query("SELECT Id FROM Account WHERE Name = 'Acme Corporation'").Single()["Id"].ToString();
            using var ps = _emulator.NewSession($"-Target Communities -AccountId {acme}");
            var result = ps.Run($@"$customers = @(
    [pscustomobject]@{{ Username = 'cust.one@portal.samples.example.com'; FirstName = 'Úna'; LastName = ""O'Hara""; Email = ""una.ohara@samples.example.com"" }}
    [pscustomobject]@{{ Username = 'cust.two@portal.samples.example.com'; LastName = 'Two'; Email = 'connie.newcomer@example.com' }}
); & '{Sample("CommunityOnboarding.ps1")}' -Customer $customers; ""exit=$LASTEXITCODE""");
            var text = result.Output.Select(o => o.ToString()).ToList();
            Assert.Contains("cust.one@portal.samples.example.com: Created", text);
            Assert.Contains("cust.two@portal.samples.example.com: Created", text);
            Assert.Contains("exit=0", text);
            Assert.StartsWith("003Em0000000003", _emulator.Query("SELECT ContactId FROM User WHERE Username = 'cust.two@portal.samples.example.com'").Single()["ContactId"].ToString());
        }
    }
}
