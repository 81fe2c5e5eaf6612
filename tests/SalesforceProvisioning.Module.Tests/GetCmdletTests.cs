using System.Collections;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Get-SfUser, Get-SfGroup and Get-SfPermissionSet through the real engine against the emulator:
    /// filters (including characters SOQL treats specially), the extras read in chunked queries (and what
    /// they cost), and round trips back into Sync-SfUser and Disable-SfUser.
    /// </summary>
    public class GetCmdletTests : IClassFixture<EmulatorFixture>
    {
        private const int BulkUsers = 300;

        private const string People = @"
$people = @(
    [pscustomobject]@{ UserPrincipalName = 'ada.lovelace@example.com'; givenName = 'Ada'; sn = 'Lovelace'; mail = 'ada.lovelace@example.com'; Title = 'Analyst'; Enabled = $true }
    [pscustomobject]@{ UserPrincipalName = ""sean.o'brien@example.com""; givenName = 'Seán'; sn = ""O'Brien""; mail = ""sean.o'brien@example.com""; Title = 'Engineer'; Enabled = $true }
)
";

        private readonly EmulatorFixture _emulator;

        public GetCmdletTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset(); // faults, counters and the request log
            _emulator.Post("seed", Seed().ToJsonString());
        }

        /// <summary>
        /// The default org plus: names with %, _ and a backslash, a frozen user, a nested public group, and
        /// <see cref="BulkUsers"/> users with two permission sets each.
        /// </summary>
        private static JsonNode Seed()
        {
            var seed = JsonNode.Parse(File.ReadAllText(Path.Combine(PowerShellHost.RepoRoot, "src", "SalesforceProvisioning.Emulator", "Data", "DefaultSeed.json")));
            var objects = seed["objects"].AsObject();
            var users = objects["User"].AsArray();
            int n = 100;
            string AddUser(string username, string firstName, string lastName, bool active = true)
            {
                string id = "005Em" + (n++).ToString("D10");
                users.Add(new JsonObject
                {
                    ["Id"] = id, ["Username"] = username, ["FirstName"] = firstName, ["LastName"] = lastName, ["Email"] = username,
                    ["Alias"] = "u" + n, ["TimeZoneSidKey"] = "GMT", ["LocaleSidKey"] = "en_US", ["EmailEncodingKey"] = "UTF-8",
                    ["LanguageLocaleKey"] = "en_US", ["ProfileId"] = "00eEm0000000002", ["IsActive"] = active,
                });
                return id;
            }

            AddUser("percent@example.com", "Sure", "100% Sure");
            AddUser("hundredx@example.com", "Sure", "100x Sure");
            AddUser("under_score@example.com", "Under", "Score");
            AddUser("underxscore@example.com", "Under", "Xscore");
            AddUser("backslash@example.com", "Back", "Back\\Slash");
            string frozen = AddUser("frozen@example.com", "Fro", "Zen");

            objects["UserLogin"] = new JsonArray(new JsonObject { ["UserId"] = frozen, ["IsFrozen"] = true });

            var assignments = objects["PermissionSetAssignment"].AsArray();
            for (int i = 1; i <= BulkUsers; i++)
            {
                string id = AddUser($"bulk{i:D4}@example.com", "Bulk", $"User {i:D4}");
                assignments.Add(new JsonObject { ["AssigneeId"] = id, ["PermissionSetId"] = "0PSEm0000000001" }); // Sales_Ops
                assignments.Add(new JsonObject { ["AssigneeId"] = id, ["PermissionSetId"] = "0PSEm0000000006" }); // Flow_Builder
            }

            // Regional Leads holds a user and, nested, the All Sales group.
            objects["Group"].AsArray().Add(new JsonObject { ["Id"] = "00GEm0000000100", ["Name"] = "Regional Leads", ["DeveloperName"] = "Regional_Leads", ["Type"] = "Regular" });
            objects["GroupMember"].AsArray().Add(new JsonObject { ["GroupId"] = "00GEm0000000100", ["UserOrGroupId"] = "005Em0000000004" });
            objects["GroupMember"].AsArray().Add(new JsonObject { ["GroupId"] = "00GEm0000000100", ["UserOrGroupId"] = "00GEm0000000001" });
            return seed;
        }

        private static string[] Usernames(ScriptResult r) => r.Output.Select(o => o.Prop("Username")).ToArray();

        private static string[] Names(ScriptResult r) => r.Output.Select(o => o.Prop("Name")).ToArray();

        private static string[] Actions(ScriptResult r) => r.Output.Select(o => o.Prop("Action")).ToArray();

        [Fact]
        public void Name_patterns_match_username_name_or_email_with_star_as_the_only_wildcard()
        {
            using var ps = _emulator.NewSession();
            var byName = ps.Run("Get-SfUser \"*O'Brien*\"");
            Assert.Empty(byName.Errors);
            Assert.Equal(new[] { "dan.obrien@emulator.example.com" }, Usernames(byName));
            Assert.Equal("Dan O'Brien", byName.Output.Single().Prop("Name"));
            Assert.Equal("Standard User", byName.Output.Single().Prop("ProfileName"));

            var byEmail = ps.Run("Get-SfUser 'alice@example.com'");
            Assert.Equal(new[] { "alice.active@emulator.example.com" }, Usernames(byEmail));

            var several = ps.Run("Get-SfUser 'alice*', 'bob*'");
            Assert.Equal(new[] { "alice.active@emulator.example.com", "bob.inactive@emulator.example.com" }, Usernames(several));
        }

        [Fact]
        public void Percent_underscore_and_backslash_in_a_pattern_are_matched_literally()
        {
            using var ps = _emulator.NewSession();
            Assert.Equal(new[] { "percent@example.com" }, Usernames(ps.Run("Get-SfUser '*100% *'")));
            Assert.Equal(new[] { "under_score@example.com" }, Usernames(ps.Run("Get-SfUser 'under_score*'")));
            Assert.Equal(new[] { "backslash@example.com" }, Usernames(ps.Run(@"Get-SfUser '*k\S*'")));
            Assert.Equal("Back\\Slash", ps.Run("Get-SfUser 'backslash@example.com'").Output.Single().Prop("LastName"));
        }

        [Fact]
        public void ActiveOnly_and_ProfileName_filter_in_the_query()
        {
            using var ps = _emulator.NewSession();
            var all = ps.Run("Get-SfUser '*@emulator.example.com'");
            Assert.Contains("bob.inactive@emulator.example.com", Usernames(all));
            Assert.Equal("False", all.Output.Single(o => o.Prop("Username") == "bob.inactive@emulator.example.com").Prop("Enabled"));

            var active = ps.Run("Get-SfUser '*@emulator.example.com' -ActiveOnly");
            Assert.DoesNotContain("bob.inactive@emulator.example.com", Usernames(active));
            Assert.All(active.Output, o => Assert.Equal("True", o.Prop("IsActive")));

            var admins = ps.Run("Get-SfUser -ProfileName 'System Admin*'");
            Assert.Equal(new[] { "integration@emulator.example.com" }, Usernames(admins));

            // The filters went to Salesforce in the query, not applied to the whole org here.
            var log = System.Uri.UnescapeDataString(_emulator.Get("requests").ToJsonString());
            Assert.Contains("IsActive = true", log);
            Assert.Contains("Profile.Name LIKE", log);
        }

        [Fact]
        public void Exact_usernames_bind_from_the_pipeline_by_property_name_and_a_missing_one_is_an_error()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run(@"
@(
    [pscustomobject]@{ UserPrincipalName = 'ALICE.ACTIVE@emulator.example.com' }
    [pscustomobject]@{ mail = 'dan.obrien@emulator.example.com' }
    [pscustomobject]@{ Username = 'nobody@example.com' }
) | Get-SfUser");
            Assert.Equal(new[] { "alice.active@emulator.example.com", "dan.obrien@emulator.example.com" }, Usernames(result));
            var error = Assert.Single(result.Errors);
            Assert.Equal("UserNotFound,SalesforceProvisioning.Commands.GetSfUserCommand", error.FullyQualifiedErrorId);
            Assert.Equal("nobody@example.com", error.TargetObject);
            Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));
        }

        [Fact]
        public void Name_and_Username_cannot_be_combined()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("Get-SfUser -Name 'a*' -Username 'alice.active@emulator.example.com'");
            Assert.Empty(result.Output);
            Assert.StartsWith("AmbiguousParameterSet", Assert.Single(result.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void IncludePermissionSets_lists_assigned_sets_but_never_profile_owned_ones()
        {
            using var ps = _emulator.NewSession();
            var alice = ps.Run("Get-SfUser -Username 'alice.active@emulator.example.com' -IncludePermissionSets").Output.Single();
            Assert.Equal("Sales_Ops", alice.Prop("PermissionSets"));

            var dan = ps.Run("$u = Get-SfUser 'dan.obrien@emulator.example.com' -IncludePermissionSets; $u.PermissionSets.Count").Output.Single();
            Assert.Equal("0", dan.ToString()); // read: none assigned (his profile's own set is not listed)

            var notRead = ps.Run("$u = Get-SfUser 'alice.active@emulator.example.com'; $null -eq $u.PermissionSets").Output.Single();
            Assert.Equal("True", notRead.ToString()); // not read is null, never an empty list
        }

        [Fact]
        public void Three_hundred_users_with_permission_sets_cost_two_calls_not_three_hundred()
        {
            using var ps = _emulator.NewSession();
            ps.Run("Get-SfUser 'alice*' -IncludePermissionSets"); // learns once which optional fields the org lacks

            long before = _emulator.ApiCalls;
            var result = ps.Run("Get-SfUser 'bulk*' -IncludePermissionSets");
            long calls = _emulator.ApiCalls - before;
            Assert.Empty(result.Errors);
            Assert.Equal(BulkUsers, result.Output.Count);
            Assert.All(result.Output, o => Assert.Equal("Flow_Builder,Sales_Ops", o.Prop("PermissionSets")));
            Assert.Equal(2, calls); // the user query, then one composite request with the assignment query

            before = _emulator.ApiCalls;
            var piped = ps.Run("$names = foreach ($i in 1..300) { 'bulk{0:D4}@example.com' -f $i }; Get-SfUser -Username $names -IncludePermissionSets");
            Assert.Equal(BulkUsers, piped.Output.Count);
            Assert.Equal(2, _emulator.ApiCalls - before); // one composite with the username query, one with the assignments
        }

        [Fact]
        public void Frozen_state_is_read_when_asked_and_a_frozen_user_pipes_back_unchanged_on_a_freeze_connection()
        {
            using var ps = _emulator.NewSession();
            var plain = ps.Run("Get-SfUser 'frozen@example.com'").Output.Single();
            Assert.Null(plain.Prop("IsFrozen"));

            var asked = ps.Run("Get-SfUser 'frozen@example.com' -IncludeFrozenState").Output.Single();
            Assert.Equal("True", asked.Prop("IsFrozen"));
            Assert.Equal("True", asked.Prop("Enabled")); // a Disable connection: frozen does not mean disabled

            var freeze = ps.Run("$f = $emu | New-SfProvisioningConnection -DisableAction Freeze -NoDefault; $u = Get-SfUser 'frozen@example.com' -Connection $f; $u; $u | Sync-SfUser -Connection $f",
                new Hashtable { ["emu"] = _emulator.Emulator });
            Assert.Empty(freeze.Errors);
            Assert.Equal("True", freeze.Output[0].Prop("IsFrozen"));
            Assert.Equal("False", freeze.Output[0].Prop("Enabled"));
            Assert.Equal("Unchanged", freeze.Output[1].Prop("Action"));
        }

        [Fact]
        public void Users_read_back_pipe_into_Sync_SfUser_unchanged_and_into_Disable_SfUser()
        {
            using var ps = _emulator.NewSession();
            var created = ps.Run(People + "$people | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal(new[] { "Created", "Created" }, Actions(created));

            long written = _emulator.RecordsWritten;
            var again = ps.Run("Get-SfUser -Username 'ada.lovelace@example.com', \"sean.o'brien@example.com\" | Sync-SfUser");
            Assert.Empty(again.Errors);
            Assert.Equal(new[] { "Unchanged", "Unchanged" }, Actions(again));
            Assert.Equal(0, _emulator.RecordsWritten - written);

            var disabled = ps.Run("Get-SfUser 'ada.lovelace@example.com' | Disable-SfUser -Confirm:$false");
            Assert.Empty(disabled.Errors);
            Assert.Equal("Disabled", disabled.Output.Single().Prop("Action"));
            Assert.Equal("False", ps.Run("Get-SfUser 'ada.lovelace@example.com'").Output.Single().Prop("IsActive"));
        }

        [Fact]
        public void Groups_are_public_groups_by_default_and_Type_chooses_others()
        {
            using var ps = _emulator.NewSession();
            var groups = ps.Run("Get-SfGroup");
            Assert.Equal(new[] { "All Sales", "EMEA Partners", "Regional Leads", "Support Team" }, Names(groups));
            Assert.All(groups.Output, g => Assert.Null(g.Prop("MemberCount")));

            Assert.Equal(new[] { "Support Queue" }, Names(ps.Run("Get-SfGroup -Type Queue")));
            Assert.Contains("Support Queue", Names(ps.Run("Get-SfGroup -Type *")));
            Assert.Equal(new[] { "Support Team" }, Names(ps.Run("Get-SfGroup 'support*'")));
            Assert.Equal(new[] { "All Sales" }, Names(ps.Run("Get-SfGroup All_Sales")));

            var missing = ps.Run("Get-SfGroup 'No Such Group'");
            Assert.Equal("GroupNotFound,SalesforceProvisioning.Commands.GetSfGroupCommand", Assert.Single(missing.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void IncludeMembers_gives_usernames_and_nested_group_names_in_chunked_queries()
        {
            using var ps = _emulator.NewSession();
            long before = _emulator.ApiCalls;
            var result = ps.Run("Get-SfGroup -IncludeMembers");
            long calls = _emulator.ApiCalls - before;
            Assert.Empty(result.Errors);
            var regional = result.Output.Single(g => g.Prop("Name") == "Regional Leads");
            Assert.Equal("All Sales,dan.obrien@emulator.example.com", regional.Prop("Members"));
            Assert.Equal("2", regional.Prop("MemberCount"));
            Assert.Equal("0", result.Output.Single(g => g.Prop("Name") == "EMEA Partners").Prop("MemberCount"));
            Assert.Equal(3, calls); // groups; members of all of them (GroupId IN); usernames and group names together
        }

        [Fact]
        public void Permission_sets_leave_out_profile_owned_ones_unless_asked_and_match_labels_with_apostrophes()
        {
            using var ps = _emulator.NewSession();
            var sets = ps.Run("Get-SfPermissionSet");
            Assert.Empty(sets.Errors);
            Assert.Equal(new[] { "Flow_Builder", "Marketing_User", "Partner_Admin", "Reports_Viewer", "Sales_Ops", "Service_Agent" }, Names(sets));
            Assert.All(sets.Output, s => Assert.Equal("False", s.Prop("IsOwnedByProfile")));

            var withProfiles = ps.Run("Get-SfPermissionSet -IncludeProfileOwned");
            Assert.Contains(withProfiles.Output, s => s.Prop("IsOwnedByProfile") == "True");

            var apostrophe = ps.Run("Get-SfPermissionSet \"Partner's*\"");
            Assert.Equal("Partner's Admin", apostrophe.Output.Single().Prop("Label"));

            var counted = ps.Run("Get-SfPermissionSet Sales_Ops -IncludeAssignmentCount").Output.Single();
            Assert.Equal((BulkUsers + 1).ToString(), counted.Prop("AssignmentCount"));

            var missing = ps.Run("Get-SfPermissionSet 'X00eEm0000000001AAA'");
            Assert.Equal("PermissionSetNotFound,SalesforceProvisioning.Commands.GetSfPermissionSetCommand", Assert.Single(missing.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void Without_a_connection_the_command_stops_with_NoConnection()
        {
            using var host = new PowerShellHost();
            var result = host.Run("Get-SfUser");
            Assert.Equal("NoConnection,SalesforceProvisioning.Commands.GetSfUserCommand", Assert.Single(result.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void A_failing_read_stops_the_command_with_the_failure_kind()
        {
            using var ps = _emulator.NewSession("-MaxRetryCount 0");
            _emulator.InjectFaults(new[] { new { kind = "Http503", count = 1, pathContains = "/query" } });
            var result = ps.Run("Get-SfGroup");
            Assert.Empty(result.Output);
            Assert.Equal("ServerUnavailable,SalesforceProvisioning.Commands.GetSfGroupCommand", Assert.Single(result.Errors).FullyQualifiedErrorId);
        }
    }
}
