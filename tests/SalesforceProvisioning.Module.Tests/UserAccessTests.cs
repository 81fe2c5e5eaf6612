using System.Collections;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>Permission sets and public groups from a user's source lists, Merge versus Overwrite.</summary>
    public class UserAccessTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public UserAccessTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        private const string Kim = "$kim = [pscustomobject]@{ Username = 'kim@access.example.com'; LastName = 'Kim'; Email = 'kim@access.example.com'; PermissionSets = @('Sales_Ops', 'Reports Viewer'); Groups = 'All Sales' }; ";

        private string[] AssignedSets(string username) => _emulator
            .Query($"SELECT PermissionSet.Name FROM PermissionSetAssignment WHERE Assignee.Username = '{username}'")
            .Select(r => r["PermissionSet"]?["Name"]?.ToString() ?? "(none)").OrderBy(n => n).ToArray();

        [Fact]
        public void New_users_get_their_permission_sets_and_groups_and_a_rerun_writes_nothing()
        {
            using var ps = _emulator.NewSession();
            var created = ps.Run(Kim + "$kim | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(created.Errors);
            Assert.Equal("Created", created.Output.Single().Prop("Action"));
            var sets = AssignedSets("kim@access.example.com");
            Assert.Contains("Sales_Ops", sets);
            Assert.Contains("Reports_Viewer", sets);
            string kimId = created.Output.Single().Prop("SalesforceId");
            Assert.Single(_emulator.Query($"SELECT Id FROM GroupMember WHERE Group.Name = 'All Sales' AND UserOrGroupId = '{kimId}'"));

            long written = _emulator.RecordsWritten;
            var again = ps.Run(Kim + "$kim | Sync-SfUser");
            Assert.Equal("Unchanged", again.Output.Single().Prop("Action"));
            Assert.Equal(written, _emulator.RecordsWritten);
        }

        [Fact]
        public void Merge_never_removes_and_overwrite_removes_only_what_it_manages()
        {
            using var ps = _emulator.NewSession();
            var created = ps.Run(Kim + "$kim | Sync-SfUser -Profile 'Standard User'");
            string kimId = created.Output.Single().Prop("SalesforceId");
            // Another admin assigned a set by hand, and a permission set group grants a bundle.
            _emulator.Create("PermissionSetAssignment", new { AssigneeId = kimId, PermissionSetId = _emulator.Query("SELECT Id FROM PermissionSet WHERE Name = 'Flow_Builder'").Single()["Id"].ToString() });
            _emulator.Create("PermissionSetAssignment", new
            {
                AssigneeId = kimId,
                PermissionSetGroupId = _emulator.Query("SELECT Id FROM PermissionSetGroup").First()["Id"].ToString(),
            });

            var merge = ps.Run("[pscustomobject]@{ Username = 'kim@access.example.com'; PermissionSets = 'Sales_Ops' } | Sync-SfUser");
            Assert.Equal("Unchanged", merge.Output.Single().Prop("Action"));
            Assert.Contains("Flow_Builder", AssignedSets("kim@access.example.com"));

            var overwrite = ps.Run("$o = $emu | New-SfProvisioningConnection -PermissionSetManagement Overwrite -NoDefault; [pscustomobject]@{ Username = 'kim@access.example.com'; PermissionSets = 'Sales_Ops' } | Sync-SfUser -Connection $o",
                new Hashtable { ["emu"] = _emulator.Emulator });
            Assert.Equal("Updated", overwrite.Output.Single().Prop("Action"));
            Assert.Equal("PermissionSets", overwrite.Output.Single().Prop("ChangedFields"));
            var remaining = AssignedSets("kim@access.example.com");
            Assert.Contains("Sales_Ops", remaining);
            Assert.DoesNotContain("Flow_Builder", remaining);
            Assert.DoesNotContain("Reports_Viewer", remaining);
            Assert.Contains(remaining, n => n.StartsWith("X00e")); // the profile's own set stays
            Assert.Contains(remaining, n => n == "X0PGEm0000000001AAA"); // granted through the permission set group: untouched
        }

        [Fact]
        public void Unknown_or_profile_owned_permission_sets_fail_that_user_naming_the_set()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run(@"
@(
    [pscustomobject]@{ Username = 'ok@access.example.com'; LastName = 'Ok'; Email = 'ok@access.example.com'; PermissionSets = 'Sales_Ops' }
    [pscustomobject]@{ Username = 'typo@access.example.com'; LastName = 'Typo'; Email = 'typo@access.example.com'; PermissionSets = 'Sales_0ps' }
    [pscustomobject]@{ Username = 'owned@access.example.com'; LastName = 'Owned'; Email = 'owned@access.example.com'; PermissionSets = 'X00eEm0000000001AAA' }
    [pscustomobject]@{ Username = 'nogroup@access.example.com'; LastName = 'NoGroup'; Email = 'nogroup@access.example.com'; Groups = 'Nonexistent Group' }
) | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal(new[] { "Created", "Failed", "Failed", "Failed" }, result.Output.Select(o => o.Prop("Action")).ToArray());
            Assert.Contains("'Sales_0ps'", result.Output[1].Prop("Message"));
            Assert.Contains("belongs to a profile", result.Output[2].Prop("Message"));
            Assert.Equal(new[] { "UnknownPermissionSet", "UnknownPermissionSet", "UnknownGroup" }, result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]).ToArray());
            Assert.Empty(_emulator.Query("SELECT Id FROM User WHERE Username = 'typo@access.example.com'"));
        }

        [Fact]
        public void Permission_sets_for_three_hundred_users_cost_a_constant_number_of_calls()
        {
            using var ps = _emulator.NewSession();
            string users = "$users = 1..300 | ForEach-Object { [pscustomobject]@{ Username = \"p$_@access.example.com\"; LastName = \"P$_\"; Email = \"p$_@access.example.com\"; PermissionSets = @('Sales_Ops', 'Service_Agent', 'Flow_Builder') } }; ";
            long before = _emulator.ApiCalls;
            var created = ps.Run(users + "$users | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal(300, created.Output.Count(o => o.Prop("Action") == "Created"));
            // preflight, read, one composite of users, one composite of 900 assignments
            Assert.Equal(4, _emulator.ApiCalls - before);
            Assert.Equal(900, _emulator.QueryTotal("SELECT COUNT() FROM PermissionSetAssignment WHERE Assignee.Username LIKE 'p%@access.example.com' AND PermissionSet.IsOwnedByProfile = false"));
        }
    }
}
