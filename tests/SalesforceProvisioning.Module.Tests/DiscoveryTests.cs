using System;
using System.Collections;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>Discovery for a new admin (issue 15): profiles with seats, roles, plain strings piped, completion.</summary>
    public class DiscoveryTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public DiscoveryTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        private static string[] Complete(PowerShellHost ps, string input) => ps.Run(
            "[System.Management.Automation.CommandCompletion]::CompleteInput($in, $in.Length, $null).CompletionMatches | ForEach-Object CompletionText",
            new Hashtable { ["in"] = input }).Output.Select(o => o.ToString()).ToArray();

        [Fact]
        public void Get_SfProfile_lists_profiles_with_their_licence_and_reports_unknown_names()
        {
            using var ps = _emulator.NewSession();
            var all = ps.Run("Get-SfProfile");
            Assert.Empty(all.Errors);
            Assert.Contains(all.Output, p => p.Prop("Name") == "Standard User" && p.Prop("UserType") == "Standard");
            Assert.Contains(all.Output, p => p.Prop("Name") == "Customer Community User" && p.Prop("UserType") == "PowerCustomerSuccess" && p.Prop("LicenseName") == "Customer Community");

            // Seats are the licence's (UserLicense.TotalLicenses / UsedLicenses): a new active user takes one.
            var standard = all.Output.Single(p => p.Prop("Name") == "Standard User");
            Assert.Equal("Salesforce", standard.Prop("LicenseName"));
            int used = int.Parse(standard.Prop("UsedLicenses")), total = int.Parse(standard.Prop("TotalLicenses"));
            Assert.Equal((total - used).ToString(), standard.Prop("FreeLicenses"));
            Assert.Empty(ps.Run("$null = [pscustomobject]@{ Username = 'seat@discovery.example.com'; LastName = 'Seat'; Email = 'seat@discovery.example.com' } | Sync-SfUser -Profile 'Standard User'").Errors);
            var after = ps.Run("Get-SfProfile 'System Administrator'").Output.Single(); // same licence, so the same seats
            Assert.Equal((used + 1).ToString(), after.Prop("UsedLicenses"));
            Assert.Equal((total - used - 1).ToString(), after.Prop("FreeLicenses"));

            long before = _emulator.ApiCalls;
            var piped = ps.Run("'Standard User', 'No Such Profile' | Get-SfProfile");
            Assert.Equal(new[] { "Standard User" }, piped.Output.Select(p => p.Prop("Name")));
            Assert.True(_emulator.ApiCalls - before <= 2, $"{_emulator.ApiCalls - before} calls"); // licences and profiles, once for all piped names
            var error = Assert.Single(piped.Errors);
            Assert.StartsWith("ProfileNotFound,", error.FullyQualifiedErrorId);
            Assert.Equal("No Such Profile", error.TargetObject);
        }

        [Fact]
        public void Get_SfRole_lists_roles_with_their_parent()
        {
            using var ps = _emulator.NewSession();
            var manager = ps.Run("'Sales Manager' | Get-SfRole").Output.Single();
            Assert.Equal("CEO", manager.Prop("ParentRoleName"));
            Assert.Equal("SalesManager", manager.Prop("DeveloperName"));
            Assert.Equal(2, ps.Run("Get-SfRole").Output.Count);
            Assert.StartsWith("RoleNotFound,", Assert.Single(ps.Run("Get-SfRole Nobody").Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void Plain_strings_pipe_into_Get_SfUser_and_Get_SfGroup()
        {
            using var ps = _emulator.NewSession();
            var users = ps.Run("'alice.active@emulator.example.com', 'dan.obrien@emulator.example.com' | Get-SfUser");
            Assert.Empty(users.Errors);
            Assert.Equal(new[] { "alice.active@emulator.example.com", "dan.obrien@emulator.example.com" }, users.Output.Select(u => u.Prop("Username")).OrderBy(u => u));
            var groups = ps.Run("'All Sales' | Get-SfGroup");
            Assert.Empty(groups.Errors);
            Assert.Equal("All Sales", groups.Output.Single().Prop("Name"));
        }

        [Fact]
        public void Profile_names_group_types_role_names_and_user_fields_complete()
        {
            using var ps = _emulator.NewSession();
            Assert.Equal(new[] { "'Standard User'", "'System Administrator'" }, Complete(ps, "Get-SfUser -ProfileName S"));
            Assert.Equal(new[] { "Regular", "Role", "RoleAndSubordinates", "RoleAndSubordinatesInternal" }, Complete(ps, "Get-SfGroup -Type R"));
            Assert.Equal(new[] { "'Sales Manager'" }, Complete(ps, "Get-SfRole Sa"));
            Assert.Contains("Title", Complete(ps, "New-SfAttributeMap -Mapping @{} -Update Ti"));
            Assert.Contains("Department", Complete(ps, "New-SfAttributeMap -Mapping @{} -Optional Dep"));
            Assert.DoesNotContain("Id", Complete(ps, "New-SfAttributeMap -Mapping @{} -KeepWhenEmpty I")); // not writable
        }

        [Fact]
        public void A_completer_gives_up_on_a_silent_org_within_its_budget_and_does_not_ask_again_at_once()
        {
            using var silent = new SilentHost();
            using var ps = new PowerShellHost();
            ps.Run("$s = [System.Net.NetworkCredential]::new('', 'x').SecurePassword; " +
                   $"$null = New-SfProvisioningConnection -Domain {silent.Domain} -ClientId 3MVG9x -ClientSecret $s -TimeoutSeconds 3600");
            // Without the completer's own budget this would wait for the connection's hour-long timeout.
            var first = Task.Run(() => Complete(ps, "Get-SfUser -ProfileName S"));
            Assert.True(first.Wait(TimeSpan.FromMinutes(2)), "the completer did not give up");
            Assert.Empty(first.Result);
            Assert.Equal(1, silent.Accepted);
            Assert.Empty(Complete(ps, "Sync-SfUser -Profile S"));
            Assert.Equal(1, silent.Accepted); // the failure is remembered for a while: the next Tab does not wait again
        }
    }
}
