using System;
using System.Collections;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Promises of README's users and groups sections that no other test held: each as a user sees it (the
    /// result's code and message, the error id, what Salesforce holds afterwards).
    /// </summary>
    public class ReadmePromiseTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private const string Domain = "promise.example.com";
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-promise-" + Guid.NewGuid().ToString("N"));

        public ReadmePromiseTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.UseOrg(EmulatorFixture.BusinessOnly);
            _emulator.ClearFaults();
        }

        public void Dispose()
        {
            _emulator.ClearFaults();
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        private static string Person(string name, string extra = "")
            => $"[pscustomobject]@{{ Username = '{name}@{Domain}'; LastName = '{name}'; Email = '{name}@{Domain}'{extra} }}";

        private static string[] Actions(ScriptResult r) => r.Output.Select(o => o.Prop("Action")).ToArray();

        private static string Show(ScriptResult r) => string.Join("; ", r.Output.Select(o => $"{o.Prop("Username")}:{o.Prop("Action")}:{o.Prop("ErrorCode")}:{o.Prop("Message")}"))
            + " | errors: " + string.Join("; ", r.Errors.Select(e => e.FullyQualifiedErrorId + " " + e));

        private string Field(string username, string field)
            => _emulator.Query($"SELECT {field} FROM User WHERE Username = '{username}'").Single()[field]?.ToString();

        /// <summary>
        /// Reliability: a create answered DUPLICATE_USERNAME is read back; not found in this org, the username is
        /// taken in another org (Salesforce usernames are unique across all orgs: "Duplicate Username. The username
        /// already exists in this or another Salesforce organization.") and the result says so, with the stable
        /// error id DuplicateUsername; the rest of the batch is created.
        /// </summary>
        [Fact]
        public void A_username_taken_in_another_org_fails_that_user_with_DuplicateUsername_and_says_so()
        {
            using var ps = _emulator.NewSession();
            const string salesforce = "Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations.";
            _emulator.InjectFaults(new[] { new { kind = "RecordError", count = 10, pathContains = "/composite", method = "POST", bodyContains = "\"method\":\"POST\"",
                recordField = "Username", recordValues = new[] { "taken@" + Domain }, statusCode = "DUPLICATE_USERNAME", message = salesforce } });
            var result = ps.Run("@(" + Person("first") + ", " + Person("taken") + ", " + Person("last") + ") | Sync-SfUser -Profile 'Standard User'");

            Assert.True(Actions(result).SequenceEqual(new[] { "Created", "Failed", "Created" }), Show(result));
            var taken = result.Output[1];
            Assert.Equal("DUPLICATE_USERNAME", taken.Prop("ErrorCode"));
            Assert.Equal($"The Username 'taken@{Domain}' is already used in another Salesforce org ({salesforce}).", taken.Prop("Message"));
            Assert.False(string.IsNullOrEmpty(taken.Prop("Remedy")));
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("DuplicateUsername,", error.FullyQualifiedErrorId);
            Assert.Equal(0, _emulator.QueryTotal($"SELECT COUNT() FROM User WHERE Username = 'taken@{Domain}'"));
            Assert.Equal(2, _emulator.QueryTotal($"SELECT COUNT() FROM User WHERE Username LIKE '%@{Domain}'"));
        }

        /// <summary>
        /// Manager: a key several users share leaves ManagerId as it is and the result's message says so; the user is
        /// still synced. Alice holds EmployeeNumber E1001 in the seed; a second user is given it too.
        /// </summary>
        [Fact]
        public void A_manager_key_several_users_share_leaves_ManagerId_unset_and_the_message_says_so()
        {
            using var ps = _emulator.NewSession();
            Assert.Empty(ps.Run(Person("twin", "; EmployeeNumber = 'E1001'") + " | Sync-SfUser -Profile 'Standard User'").Errors);
            var result = ps.Run(Person("worker", "; Manager = 'E1001'") + " | Sync-SfUser -Profile 'Standard User' -ManagerKey EmployeeNumber");

            Assert.Empty(result.Errors);
            var worker = result.Output.Single();
            Assert.True(worker.Prop("Action") == "Created", Show(result));
            Assert.Equal("Manager 'E1001' is ambiguous: several Salesforce users have EmployeeNumber 'E1001'; ManagerId not set.", worker.Prop("Message"));
            Assert.Null(Field("worker@" + Domain, "ManagerId"));
        }

        private string[] GroupsOf(string username) => _emulator
            .Query($"SELECT Group.DeveloperName FROM GroupMember WHERE UserOrGroupId IN (SELECT Id FROM User WHERE Username = '{username}')")
            .Select(m => m["Group"]["DeveloperName"].ToString()).OrderBy(n => n, StringComparer.Ordinal).ToArray();

        /// <summary>
        /// Groups and permission sets: a user's Groups list follows Sync-SfUser -GroupMembership Merge|Overwrite, Merge
        /// by default (nothing removed); Overwrite removes the user from the public groups not listed. Queues are
        /// not public groups and are never touched.
        /// </summary>
        [Fact]
        public void A_users_Groups_list_merges_by_default_and_GroupMembership_Overwrite_removes_the_unlisted_public_groups()
        {
            using var ps = _emulator.NewSession();
            var created = ps.Run(Person("grouped", "; Groups = 'All Sales', 'Support Team'") + " | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(created.Errors);
            string userId = created.Output.Single().Prop("SalesforceId");
            string queueId = _emulator.Query("SELECT Id FROM Group WHERE DeveloperName = 'Support_Queue'").Single()["Id"].ToString();
            _emulator.Create("GroupMember", new { GroupId = queueId, UserOrGroupId = userId });
            Assert.Equal(new[] { "All_Sales", "Support_Queue", "Support_Team" }, GroupsOf("grouped@" + Domain));

            var merge = ps.Run(Person("grouped", "; Groups = 'All Sales'") + " | Sync-SfUser");
            Assert.Equal("Unchanged", merge.Output.Single().Prop("Action"));
            Assert.Equal(new[] { "All_Sales", "Support_Queue", "Support_Team" }, GroupsOf("grouped@" + Domain));

            var overwrite = ps.Run(Person("grouped", "; Groups = 'All Sales', 'EMEA Partners'") + " | Sync-SfUser -GroupMembership Overwrite");
            Assert.Empty(overwrite.Errors);
            Assert.Equal("Updated", overwrite.Output.Single().Prop("Action"));
            Assert.Equal(new[] { "All_Sales", "EMEA_Partners", "Support_Queue" }, GroupsOf("grouped@" + Domain));

            long written = _emulator.RecordsWritten;
            Assert.Equal("Unchanged", ps.Run(Person("grouped", "; Groups = 'All Sales', 'EMEA Partners'") + " | Sync-SfUser -GroupMembership Overwrite").Output.Single().Prop("Action"));
            Assert.Equal(written, _emulator.RecordsWritten);
        }

        /// <summary>
        /// Groups: a missing group is created with a unique DeveloperName derived from its name, then _2, _3... when
        /// taken (by the org's groups, in any case, or by another group of the same run).
        /// </summary>
        [Fact]
        public void A_new_groups_DeveloperName_taken_already_gets_2_then_3()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run($"$statePath = '{Path.Combine(_folder, "state.db")}'; " +
                "@([pscustomobject]@{ Name = 'All-Sales'; ObjectGUID = 'as-1' }, [pscustomobject]@{ Name = 'all sales!'; ObjectGUID = 'as-2' }) | Sync-SfGroup -StatePath $statePath");
            Assert.Empty(result.Errors);
            Assert.Equal(new[] { "Created", "Created" }, Actions(result));
            Assert.Equal("All_Sales_2", _emulator.Query("SELECT DeveloperName FROM Group WHERE Name = 'All-Sales'").Single()["DeveloperName"].ToString());
            Assert.Equal("all_sales_3", _emulator.Query("SELECT DeveloperName FROM Group WHERE Name = 'all sales!'").Single()["DeveloperName"].ToString());
        }

        /// <summary>
        /// Attribute maps: multi-valued source values are joined with ';' for multi-select picklists and refused,
        /// with a clear error, for single-valued fields: that record fails alone (InvalidFieldValue), naming the
        /// field and the values; the rest of the batch runs.
        /// </summary>
        [Fact]
        public void Several_values_for_a_single_valued_field_fail_that_record_alone_naming_the_values()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("@(" + Person("two", "; Title = 'Engineer', 'Manager'") + ", " + Person("many", "; Title = 'A', 'B', 'C', 'D'") + ", " +
                Person("one", "; Title = @('Engineer')") + ") | Sync-SfUser -Profile 'Standard User'");

            Assert.True(Actions(result).SequenceEqual(new[] { "Failed", "Failed", "Created" }), Show(result));
            Assert.Equal("InvalidFieldValue", result.Output[0].Prop("ErrorCode"));
            Assert.Contains("Title takes one value but the source gave 2 (Engineer, Manager).", result.Output[0].Prop("Message"));
            Assert.Contains("Title takes one value but the source gave 4 (A, B, C, ...).", result.Output[1].Prop("Message"));
            Assert.Equal(new[] { "InvalidFieldValue", "InvalidFieldValue" }, result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
            Assert.Equal("Engineer", Field("one@" + Domain, "Title"));
            Assert.Equal(0, _emulator.QueryTotal($"SELECT COUNT() FROM User WHERE Username IN ('two@{Domain}', 'many@{Domain}')"));
        }

        /// <summary>
        /// Time-bound access: an end date becomes the ExpirationDate of the permission sets the sync assigns, and an
        /// empty value (a CSV's empty column) clears it on the listed assignments the user already has.
        /// </summary>
        [Fact]
        public void An_empty_access_end_date_clears_the_expiry_of_the_listed_assignments()
        {
            using var ps = _emulator.NewSession();
            string temp = "$temp = " + Person("temp", "; PermissionSets = 'Sales_Ops'; AccessEndDate = '2027-03-31T17:00:00Z'") + "; ";
            var created = ps.Run(temp + "$temp | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(created.Errors);
            string Expiry() => _emulator.Query($"SELECT ExpirationDate FROM PermissionSetAssignment WHERE Assignee.Username = 'temp@{Domain}' AND PermissionSet.Name = 'Sales_Ops'")
                .Single()["ExpirationDate"]?.ToString();
            Assert.StartsWith("2027-03-31T17:00:00", Expiry());

            var cleared = ps.Run(temp + "$temp.AccessEndDate = ''; $temp | Sync-SfUser");
            Assert.Empty(cleared.Errors);
            Assert.True(cleared.Output.Single().Prop("Action") == "Updated", Show(cleared));
            Assert.Null(Expiry());

            long written = _emulator.RecordsWritten;
            Assert.Equal("Unchanged", ps.Run(temp + "$temp.AccessEndDate = ''; $temp | Sync-SfUser").Output.Single().Prop("Action"));
            Assert.Equal(written, _emulator.RecordsWritten);
        }

        /// <summary>
        /// Permission sets come from a user's PermissionSets list, several values or one text split on ';' (by API
        /// name or label), and public groups from a Groups list the same way, as a CSV column gives them.
        /// </summary>
        [Fact]
        public void One_text_of_permission_sets_and_groups_is_split_on_semicolons()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run(Person("split", "; PermissionSets = 'Sales_Ops; Reports Viewer'; Groups = 'All Sales;Support Team'") + " | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(result.Errors);
            Assert.Equal("Created", result.Output.Single().Prop("Action"));
            var sets = _emulator.Query($"SELECT PermissionSet.Name FROM PermissionSetAssignment WHERE Assignee.Username = 'split@{Domain}' AND PermissionSet.IsOwnedByProfile = false")
                .Select(a => a["PermissionSet"]["Name"].ToString()).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            Assert.Equal(new[] { "Reports_Viewer", "Sales_Ops" }, sets);
            Assert.Equal(new[] { "All_Sales", "Support_Team" }, GroupsOf("split@" + Domain));
        }

        /// <summary>
        /// Manager: -ManagerKey names the User field the source's Manager values hold. One that is no such field is
        /// refused before anything is written, naming the fields to use.
        /// </summary>
        [Fact]
        public void A_ManagerKey_that_is_no_User_field_stops_the_run_before_any_write()
        {
            using var ps = _emulator.NewSession();
            long written = _emulator.RecordsWritten;
            var result = ps.Run(Person("keyed", "; Manager = 'E1001'") + " | Sync-SfUser -Profile 'Standard User' -ManagerKey EmployeeNo");
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("InvalidManagerKey,", error.FullyQualifiedErrorId);
            Assert.Contains("-ManagerKey names 'EmployeeNo', which is not a User field managers can be found by.", error.ToString());
            Assert.Contains("Username, FederationIdentifier, EmployeeNumber", error.ErrorDetails?.RecommendedAction ?? error.ToString());
            Assert.Equal(written, _emulator.RecordsWritten);
        }

        private const string GroupUsers = "$null = @(" +
            "@{ Username = 'ann@promise.example.com'; LastName = 'Ann'; Email = 'ann@promise.example.com' }, " +
            "@{ Username = 'bob@promise.example.com'; LastName = 'Bob'; Email = 'bob@promise.example.com' }, " +
            "@{ Username = 'cat@promise.example.com'; LastName = 'Cat'; Email = 'cat@promise.example.com' }) | Sync-SfUser -Profile 'Standard User'; ";

        private string[] Members(string group) => _emulator.Query($"SELECT UserOrGroupId FROM GroupMember WHERE Group.Name = '{group}'")
            .Select(m => _emulator.Query($"SELECT Username FROM User WHERE Id = '{m["UserOrGroupId"]}'").Single()["Username"].ToString().Split('@')[0])
            .OrderBy(n => n, StringComparer.Ordinal).ToArray();

        /// <summary>
        /// Groups: members given in the input overwrite Salesforce's, and -MembershipMode Add|Remove changes only
        /// those given (for incremental use): Add never removes a member the input leaves out, Remove never adds.
        /// </summary>
        [Fact]
        public void Sync_SfGroup_MembershipMode_Add_and_Remove_change_only_the_members_given()
        {
            using var ps = _emulator.NewSession();
            string state = Path.Combine(_folder, "state.db");
            var setup = ps.Run(GroupUsers + $"$statePath = '{state}'; " +
                "[pscustomobject]@{ Name = 'Crew'; ObjectGUID = 'crew'; Members = 'ann@promise.example.com', 'bob@promise.example.com' } | Sync-SfGroup -StatePath $statePath");
            Assert.Empty(setup.Errors);
            Assert.Equal(new[] { "ann", "bob" }, Members("Crew"));

            var add = ps.Run("[pscustomobject]@{ Name = 'Crew'; ObjectGUID = 'crew'; Members = 'cat@promise.example.com', 'ann@promise.example.com' } | Sync-SfGroup -StatePath $statePath -MembershipMode Add");
            Assert.Empty(add.Errors);
            Assert.Equal("1", add.Output.Single().Prop("MembersAdded"));
            Assert.Equal("0", add.Output.Single().Prop("MembersRemoved"));
            Assert.Equal(new[] { "ann", "bob", "cat" }, Members("Crew"));

            var remove = ps.Run("[pscustomobject]@{ Name = 'Crew'; ObjectGUID = 'crew'; Members = 'ann@promise.example.com' } | Sync-SfGroup -StatePath $statePath -MembershipMode Remove");
            Assert.Empty(remove.Errors);
            Assert.Equal("0", remove.Output.Single().Prop("MembersAdded"));
            Assert.Equal("1", remove.Output.Single().Prop("MembersRemoved"));
            Assert.Equal(new[] { "bob", "cat" }, Members("Crew"));

            var overwrite = ps.Run("[pscustomobject]@{ Name = 'Crew'; ObjectGUID = 'crew'; Members = 'ann@promise.example.com' } | Sync-SfGroup -StatePath $statePath");
            Assert.Empty(overwrite.Errors);
            Assert.Equal(new[] { "ann" }, Members("Crew"));
        }
    }
}
