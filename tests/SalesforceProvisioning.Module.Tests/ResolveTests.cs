using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Attributes resolved rather than copied (role by name, manager by key, match precedence), permission
    /// set groups, permission set licences, time-bound access and licence seats, through the real engine
    /// against the emulator; each counts API calls to show that resolving costs no call per user.
    /// </summary>
    [Collection("Process environment")] // one test sets SFPROVISIONING_KEY_PATH, which is process-wide
    public class ResolveTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private const string AliceId = "005Em0000000002";
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfp-resolve-" + Guid.NewGuid().ToString("N"));

        public ResolveTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.UseOrg(EmulatorFixture.BusinessOnly); // Reset reloads the last seed; some tests change it
            Directory.CreateDirectory(_folder);
        }

        public void Dispose()
        {
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        private static string[] Actions(ScriptResult r) => r.Output.Select(o => o.Prop("Action")).ToArray();

        private static string Person(string name, string extra = "")
            => $"[pscustomobject]@{{ Username = '{name}@resolve.example.com'; LastName = '{name}'; Email = '{name}@resolve.example.com'{extra} }}";

        /// <summary>The emulator answers 18-character Ids; the seed names 15-character ones.</summary>
        private static void AssertId(string expected, string actual) => Assert.Equal(expected?.Substring(0, 15), actual?.Substring(0, 15));

        private string Field(string username, string field)
            => _emulator.Query($"SELECT {field} FROM User WHERE Username = '{username}'").Single()[field]?.ToString();

        [Fact]
        public void Roles_by_name_or_developer_name_set_UserRoleId_and_unknown_or_ambiguous_roles_fail_that_user_only()
        {
            _emulator.UseSeed(seed =>
            {
                var roles = seed["objects"]["UserRole"].AsArray();
                roles.Add(new JsonObject { ["Id"] = "00EEm0000000003", ["Name"] = "Support", ["DeveloperName"] = "Support_EMEA" });
                roles.Add(new JsonObject { ["Id"] = "00EEm0000000004", ["Name"] = "Support", ["DeveloperName"] = "Support_US" });
            });
            using var ps = _emulator.NewSession();
            long before = _emulator.ApiCalls;
            var result = ps.Run("@(" + string.Join(", ",
                Person("ceo", "; Role = 'CEO'"), Person("mgr", "; UserRole = 'salesmanager'"), Person("emea", "; Role = 'Support_EMEA'"),
                Person("either", "; Role = 'Support'"), Person("typo", "; Role = 'Sales Manger'")) + ") | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal(new[] { "Created", "Created", "Created", "Failed", "Failed" }, Actions(result));
            // preflight, one read (the window's usernames and the run's roles together), one write
            Assert.Equal(3, _emulator.ApiCalls - before);
            AssertId("00EEm0000000001", Field("ceo@resolve.example.com", "UserRoleId"));
            AssertId("00EEm0000000002", Field("mgr@resolve.example.com", "UserRoleId"));
            AssertId("00EEm0000000003", Field("emea@resolve.example.com", "UserRoleId"));
            Assert.Equal("AmbiguousRole", result.Output[3].Prop("ErrorCode"));
            Assert.Contains("Support_EMEA", result.Output[3].Prop("Message"));
            Assert.Equal("UnknownRole", result.Output[4].Prop("ErrorCode"));
            Assert.Contains("'Sales Manager'", result.Output[4].Prop("Message"));
            Assert.All(result.Errors, e => Assert.False(string.IsNullOrEmpty(e.ErrorDetails.RecommendedAction)));

            // A changed role is an update; an unchanged one costs nothing more than reading.
            long written = _emulator.RecordsWritten;
            before = _emulator.ApiCalls;
            var again = ps.Run("@(" + Person("ceo", "; Role = 'SalesManager'") + ", " + Person("mgr", "; Role = 'Sales Manager'") + ") | Sync-SfUser");
            Assert.Equal(new[] { "Updated", "Unchanged" }, Actions(again));
            Assert.Equal("UserRoleId", again.Output[0].Prop("ChangedFields"));
            Assert.Equal(3, _emulator.ApiCalls - before);
            Assert.Equal(1, _emulator.RecordsWritten - written);
        }

        [Fact]
        public void A_role_given_by_its_id_alone_is_checked_against_the_orgs_roles()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("@(" + Person("byid", "; UserRoleId = '00EEm0000000002'") + ", " + Person("gone", "; UserRoleId = '00EEm0000000099'") + ") | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal(new[] { "Created", "Failed" }, Actions(result));
            Assert.Equal("UnknownRole", result.Output[1].Prop("ErrorCode"));
            AssertId("00EEm0000000002", Field("byid@resolve.example.com", "UserRoleId"));
        }

        [Fact]
        public void Managers_resolve_by_key_including_managers_created_in_the_same_run_and_a_missing_one_is_reported()
        {
            using var ps = _emulator.NewSession();
            long before = _emulator.ApiCalls;
            var result = ps.Run("@(" + string.Join(", ",
                Person("worker", "; Manager = 'boss@resolve.example.com'"),
                Person("boss"),
                Person("peer", "; Manager = 'alice.active@emulator.example.com'"),
                Person("orphan", "; Manager = 'ghost@resolve.example.com'")) + ") | Sync-SfUser -Profile 'Standard User'");
            long calls = _emulator.ApiCalls - before;
            Assert.Empty(result.Errors);
            Assert.Equal(new[] { "Created", "Created", "Created", "Created" }, Actions(result));
            // preflight, one read (usernames and managers' keys together), one write of users, one second pass
            Assert.Equal(4, calls);
            string bossId = result.Output[1].Prop("SalesforceId");
            AssertId(bossId, Field("worker@resolve.example.com", "ManagerId"));
            Assert.Contains("ManagerId", result.Output[0].Prop("ChangedFields"));
            AssertId(AliceId, Field("peer@resolve.example.com", "ManagerId"));
            Assert.Null(Field("orphan@resolve.example.com", "ManagerId"));
            Assert.Contains("'ghost@resolve.example.com' (Username) is not in Salesforce", result.Output[3].Prop("Message"));

            // By employee number; a rerun with the same managers writes nothing.
            before = _emulator.ApiCalls;
            var byNumber = ps.Run("@(" + Person("worker", "; Manager = 'E1001'") + ") | Sync-SfUser -ManagerKey EmployeeNumber");
            Assert.Equal(3, _emulator.ApiCalls - before);
            Assert.Equal("Updated", byNumber.Output.Single().Prop("Action"));
            AssertId(AliceId, Field("worker@resolve.example.com", "ManagerId"));
            long written = _emulator.RecordsWritten;
            var rerun = ps.Run("@(" + Person("worker", "; Manager = 'E1001'") + ") | Sync-SfUser -ManagerKey EmployeeNumber");
            Assert.Equal("Unchanged", rerun.Output.Single().Prop("Action"));
            Assert.Equal(written, _emulator.RecordsWritten);
        }

        [Fact]
        public void A_report_whose_manager_fails_to_be_created_is_still_synced_and_says_so()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("@(" + Person("report", "; Manager = 'badboss@resolve.example.com'") + ", " +
                "[pscustomobject]@{ Username = 'badboss@resolve.example.com'; LastName = 'Boss'; Email = 'not-an-email' }) | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal(new[] { "Created", "Failed" }, Actions(result));
            Assert.Contains("The manager 'badboss@resolve.example.com' was not created in this run; ManagerId not set.", result.Output[0].Prop("Message"));
            Assert.Null(Field("report@resolve.example.com", "ManagerId"));
        }

        [Fact]
        public void Resolving_managers_and_roles_costs_the_same_calls_for_three_hundred_users_as_for_none()
        {
            using var ps = _emulator.NewSession();
            string plain = "$plain = 1..300 | ForEach-Object { [pscustomobject]@{ Username = \"p$_@resolve.example.com\"; LastName = \"P$_\"; Email = \"p$_@resolve.example.com\" } }; ";
            string resolved = "$resolved = 1..300 | ForEach-Object { [pscustomobject]@{ Username = \"r$_@resolve.example.com\"; LastName = \"R$_\"; Email = \"r$_@resolve.example.com\"; Role = 'Sales Manager'; Manager = 'alice.active@emulator.example.com' } }; ";
            long before = _emulator.ApiCalls;
            var first = ps.Run(plain + "$plain | Sync-SfUser -Profile 'Standard User'");
            long plainCalls = _emulator.ApiCalls - before;
            before = _emulator.ApiCalls;
            var second = ps.Run(resolved + "$resolved | Sync-SfUser -Profile 'Standard User'");
            long resolvedCalls = _emulator.ApiCalls - before;
            Assert.Equal(300, Actions(first).Count(a => a == "Created"));
            Assert.Equal(300, Actions(second).Count(a => a == "Created"));
            Assert.Equal(300, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE 'r%@resolve.example.com' AND ManagerId = '005Em0000000002' AND UserRoleId = '00EEm0000000002'"));
            Assert.True(resolvedCalls <= plainCalls + 1, $"resolving cost {resolvedCalls} calls against {plainCalls} without: at most one more per run");
        }

        [Fact]
        public void Matching_by_federation_id_first_renames_and_a_federation_id_used_by_another_user_fails_that_user()
        {
            using var ps = _emulator.NewSession();
            long before = _emulator.ApiCalls;
            var result = ps.Run("@(" +
                "[pscustomobject]@{ Username = 'alice.renamed@emulator.example.com'; LastName = 'Active'; Email = 'alice@example.com'; FederationIdentifier = 'alice' }, " +
                "[pscustomobject]@{ Username = 'dan.obrien@emulator.example.com'; LastName = \"O'Brien\"; Email = 'dan.obrien@example.com'; FederationIdentifier = 'bob' }, " +
                Person("newcomer", "; FederationIdentifier = 'newcomer'") +
                ") | Sync-SfUser -MatchBy FederationIdentifier, Username -Profile 'Standard User'");
            // preflight, one read (usernames and Federation IDs in the same composite), one write
            Assert.Equal(3, _emulator.ApiCalls - before);
            Assert.Equal(new[] { "Updated", "Failed", "Created" }, Actions(result));
            AssertId(AliceId, result.Output[0].Prop("SalesforceId"));
            Assert.Contains("Username", result.Output[0].Prop("ChangedFields"));
            Assert.Equal("alice.renamed@emulator.example.com", _emulator.Query($"SELECT Username FROM User WHERE Id = '{AliceId}'").Single()["Username"].ToString());
            Assert.Equal("FederationIdInUse", result.Output[1].Prop("ErrorCode"));
            Assert.Contains("bob.inactive@emulator.example.com", result.Output[1].Prop("Message"));
            Assert.Equal("FederationIdInUse,SalesforceProvisioning.Commands.SyncSfUserCommand", Assert.Single(result.Errors).FullyQualifiedErrorId);

            // Matched by Username (the default), a Federation ID already taken is still refused, not written twice.
            var byName = ps.Run(Person("another", "; FederationIdentifier = 'newcomer'") + " | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal("FederationIdInUse", byName.Output.Single().Prop("ErrorCode"));
            Assert.Empty(_emulator.Query("SELECT Id FROM User WHERE Username = 'another@resolve.example.com'"));
        }

        /// <summary>
        /// The README: a source whose keys point at different Salesforce users is "MatchConflict for other keys"
        /// than the Federation ID, that user's error, never a silent second match; the rest of the batch runs.
        /// </summary>
        [Fact]
        public void Keys_other_than_the_federation_id_that_name_different_users_fail_that_user_with_MatchConflict()
        {
            using var ps = _emulator.NewSession();
            long written = _emulator.RecordsWritten;
            var result = ps.Run("$map = New-SfAttributeMap -Mapping @{ Username = 'Username'; LastName = 'LastName'; Email = 'Email'; EmployeeNumber = 'EmployeeNumber'; Employee_Id__c = 'Employee_Id__c' } " +
                "-Update * -MatchBy EmployeeNumber, Employee_Id__c, Username -Profile 'Standard User'; @(" +
                // EmployeeNumber finds Alice, the Username is Dan's
                "[pscustomobject]@{ Username = 'dan.obrien@emulator.example.com'; LastName = 'Active'; Email = 'alice@example.com'; EmployeeNumber = 'E1001'; Employee_Id__c = $null }, " +
                // an external-id field finds Bob, the Username is Alice's
                "[pscustomobject]@{ Username = 'alice.active@emulator.example.com'; LastName = 'Inactive'; Email = 'bob@example.com'; EmployeeNumber = 'E7'; Employee_Id__c = 'E-1002' }, " +
                Person("fresh", "; EmployeeNumber = 'E8'; Employee_Id__c = 'E-8'") +
                ") | Sync-SfUser -AttributeMap $map");
            Assert.Equal(new[] { "Failed", "Failed", "Created" }, Actions(result));
            Assert.All(result.Output.Take(2), o => Assert.Equal("MatchConflict", o.Prop("ErrorCode")));
            Assert.Contains("dan.obrien@emulator.example.com", result.Output[0].Prop("Message"));
            Assert.Contains("alice.active@emulator.example.com", result.Output[0].Prop("Message"));
            Assert.Contains("bob.inactive@emulator.example.com", result.Output[1].Prop("Message"));
            Assert.All(result.Errors, e => Assert.Equal("MatchConflict,SalesforceProvisioning.Commands.SyncSfUserCommand", e.FullyQualifiedErrorId));
            Assert.Equal(2, result.Errors.Count);
            Assert.Equal("Active", Field("alice.active@emulator.example.com", "LastName"));
            Assert.Equal("O'Brien", Field("dan.obrien@emulator.example.com", "LastName"));
            Assert.Null(Field("dan.obrien@emulator.example.com", "EmployeeNumber"));

            // Matched by EmployeeNumber alone, a Username another user already has is refused before any write
            // (not a DUPLICATE_USERNAME from Salesforce, nor a second user).
            written = _emulator.RecordsWritten;
            var taken = ps.Run("[pscustomobject]@{ Username = 'dan.obrien@emulator.example.com'; LastName = 'Nine'; Email = 'nine@example.com'; EmployeeNumber = 'E9' } | Sync-SfUser -MatchBy EmployeeNumber -Profile 'Standard User'");
            var refused = taken.Output.Single();
            Assert.Equal("MatchConflict", refused.Prop("ErrorCode"));
            Assert.Contains("none of the source's match keys", refused.Prop("Message"));
            Assert.Equal(written, _emulator.RecordsWritten);

            // A match key the map never fills would match nobody (and leave the match to the Username): refused before any write.
            var unmapped = ps.Run("[pscustomobject]@{ Username = 'alice.active@emulator.example.com'; LastName = 'Inactive'; Email = 'bob@example.com'; Employee_Id__c = 'E-1002' } | Sync-SfUser -MatchBy Employee_Id__c, Username");
            var error = Assert.Single(unmapped.Errors);
            Assert.StartsWith("InvalidMatchBy,", error.FullyQualifiedErrorId);
            Assert.Contains("'Employee_Id__c', which the attribute map does not fill", error.ErrorDetails.Message);
            Assert.Empty(unmapped.Output);
            Assert.Equal(written, _emulator.RecordsWritten);
        }

        [Fact]
        public void A_rule_keeps_the_maps_match_precedence_and_manager_key()
        {
            using var ps = _emulator.NewSession();
            string state = Path.Combine(_folder, "state.db");
            var setup = ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{state}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                "$map = New-SfAttributeMap -Mapping @{ Username = 'upn'; LastName = 'sn'; Email = 'mail'; FederationIdentifier = 'ImmutableId'; Manager = 'ManagerNumber' } -Update Username, Manager -MatchBy FederationIdentifier, Username -ManagerKey EmployeeNumber; " +
                "$null = New-SfProvisioningRule -Name entra -ConnectionName prod -AttributeMap $map -StatePath $state");
            Assert.Empty(setup.Errors);
            var run = ps.Run("[pscustomobject]@{ upn = 'bob.renamed@emulator.example.com'; sn = 'Inactive'; mail = 'bob@example.com'; ImmutableId = 'bob'; ManagerNumber = 'E1001'; Enabled = $false } | Sync-SfUser -Rule entra -StatePath $state");
            Assert.Empty(run.Errors);
            AssertId("005Em0000000003", run.Output.Single().Prop("SalesforceId"));
            Assert.Equal("bob.renamed@emulator.example.com", Field("bob.renamed@emulator.example.com", "Username"));
            AssertId(AliceId, Field("bob.renamed@emulator.example.com", "ManagerId"));
        }

        [Fact]
        public void Permission_set_groups_licences_and_end_dates_are_assigned_and_a_rerun_writes_nothing()
        {
            using var ps = _emulator.NewSession();
            string lee = "$lee = [pscustomobject]@{ Username = 'lee@resolve.example.com'; LastName = 'Lee'; Email = 'lee@resolve.example.com'; PermissionSets = 'Sales_Ops'; PermissionSetGroups = 'Sales Bundle'; PermissionSetLicenses = 'SalesConsoleUser'; AccessEndDate = '2027-03-31' }; ";
            long before = _emulator.ApiCalls;
            var created = ps.Run(lee + "$lee | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(created.Errors);
            Assert.Equal("Created", created.Output.Single().Prop("Action"));
            // preflight, one read (usernames, groups and licences), users, then licences before the sets that may need them
            Assert.Equal(5, _emulator.ApiCalls - before);
            string id = created.Output.Single().Prop("SalesforceId");
            var group = _emulator.Query($"SELECT ExpirationDate FROM PermissionSetAssignment WHERE AssigneeId = '{id}' AND PermissionSetGroupId = '0PGEm0000000001'").Single();
            // A date without a time lasts through that day: expires at 00:00 the next day in the sync machine's zone.
            string nextMidnight = TimeZoneInfo.ConvertTimeToUtc(new DateTime(2027, 4, 1, 0, 0, 0, DateTimeKind.Unspecified), TimeZoneInfo.Local)
                .ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            Assert.StartsWith(nextMidnight, group["ExpirationDate"].ToString());
            var set = _emulator.Query($"SELECT ExpirationDate FROM PermissionSetAssignment WHERE AssigneeId = '{id}' AND PermissionSet.Name = 'Sales_Ops'").Single();
            Assert.StartsWith(nextMidnight, set["ExpirationDate"].ToString());
            Assert.Single(_emulator.Query($"SELECT Id FROM PermissionSetLicenseAssign WHERE AssigneeId = '{id}' AND PermissionSetLicenseId = '0PLEm0000000001'"));

            long written = _emulator.RecordsWritten;
            var again = ps.Run(lee + "$lee | Sync-SfUser");
            Assert.Equal("Unchanged", again.Output.Single().Prop("Action"));
            Assert.Equal(written, _emulator.RecordsWritten);

            // A later end date moves the expiry of the listed assignments, as an instant.
            var extended = ps.Run(lee + "$lee.AccessEndDate = [datetimeoffset]'2027-06-30T17:00:00+02:00'; $lee | Sync-SfUser");
            Assert.Equal("Updated", extended.Output.Single().Prop("Action"));
            group = _emulator.Query($"SELECT ExpirationDate FROM PermissionSetAssignment WHERE AssigneeId = '{id}' AND PermissionSetGroupId = '0PGEm0000000001'").Single();
            Assert.StartsWith("2027-06-30T15:00:00", group["ExpirationDate"].ToString());
        }

        /// <summary>
        /// The README: "Licences are assigned before the permission sets that may need them and removed after." The emulator,
        /// as Salesforce (Help: "Permission Set Licenses", "Remove a Permission Set License from a User"), refuses a set whose
        /// LicenseId the user does not hold, and the removal of a licence while such a set is assigned: the other order fails.
        /// </summary>
        [Fact]
        public void A_licence_is_written_before_the_permission_set_that_needs_it_and_removed_after_it()
        {
            _emulator.UseSeed(seed => seed["objects"]["PermissionSet"].AsArray().Add(new JsonObject
                { ["Id"] = "0PSEm0000000301", ["Name"] = "Console_Agent", ["Label"] = "Console Agent", ["LicenseId"] = "0PLEm0000000001" }));
            // The rule is the org's: without the licence, the set is refused.
            Assert.Contains("FIELD_INTEGRITY_EXCEPTION", Assert.Throws<InvalidOperationException>(() =>
                _emulator.Create("PermissionSetAssignment", new { AssigneeId = "005Em0000000004", PermissionSetId = "0PSEm0000000301" })).Message);

            using var ps = _emulator.NewSession("-PermissionSetManagement Overwrite -NoDefault");
            string agent = "$agent = " + Person("agent", "; PermissionSets = 'Console_Agent'; PermissionSetLicenses = 'SalesConsoleUser'") + "; ";
            long before = _emulator.ApiCalls;
            var created = ps.Run(agent + "$agent | Sync-SfUser -Connection $c -Profile 'Standard User'");
            Assert.Empty(created.Errors);
            Assert.Equal("Created", created.Output.Single().Prop("Action"));
            Assert.Equal(5, _emulator.ApiCalls - before); // preflight, read, the user, the licence, then the set: one call each
            string id = created.Output.Single().Prop("SalesforceId");
            Assert.Single(_emulator.Query($"SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '{id}' AND PermissionSetId = '0PSEm0000000301'"));
            Assert.Single(_emulator.Query($"SELECT Id FROM PermissionSetLicenseAssign WHERE AssigneeId = '{id}'"));

            var removed = ps.Run(agent + "$agent.PermissionSets = @(); $agent.PermissionSetLicenses = @(); $agent | Sync-SfUser -Connection $c");
            Assert.Empty(removed.Errors);
            Assert.Equal("Updated", removed.Output.Single().Prop("Action"));
            Assert.Empty(_emulator.Query($"SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '{id}' AND PermissionSetId = '0PSEm0000000301'"));
            Assert.Empty(_emulator.Query($"SELECT Id FROM PermissionSetLicenseAssign WHERE AssigneeId = '{id}'"));
        }

        [Fact]
        public void Overwrite_removes_unlisted_permission_set_groups_and_licences_and_never_profile_owned_sets()
        {
            using var ps = _emulator.NewSession("-PermissionSetManagement Overwrite -NoDefault");
            // Alice holds the Sales Console licence in the seed; give her the bundle too, by hand.
            _emulator.Create("PermissionSetAssignment", new { AssigneeId = AliceId, PermissionSetGroupId = "0PGEm0000000001" });
            var merge = ps.Run("$m = $emu | New-SfProvisioningConnection -NoDefault; [pscustomobject]@{ Username = 'alice.active@emulator.example.com'; PermissionSetGroups = @(); PermissionSetLicenses = @() } | Sync-SfUser -Connection $m",
                new Hashtable { ["emu"] = _emulator.Emulator });
            Assert.Equal("Unchanged", merge.Output.Single().Prop("Action"));

            var overwrite = ps.Run("[pscustomobject]@{ Username = 'alice.active@emulator.example.com'; PermissionSetGroups = @(); PermissionSetLicenses = @() } | Sync-SfUser -Connection $c");
            Assert.Empty(overwrite.Errors);
            Assert.Equal("Updated", overwrite.Output.Single().Prop("Action"));
            Assert.Empty(_emulator.Query($"SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '{AliceId}' AND PermissionSetGroupId != null"));
            Assert.Empty(_emulator.Query($"SELECT Id FROM PermissionSetLicenseAssign WHERE AssigneeId = '{AliceId}'"));
            Assert.Single(_emulator.Query($"SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '{AliceId}' AND PermissionSet.IsOwnedByProfile = true"));

            var unknown = ps.Run("[pscustomobject]@{ Username = 'alice.active@emulator.example.com'; PermissionSetGroups = 'No_Such_Bundle' } | Sync-SfUser -Connection $c");
            Assert.Equal("UnknownPermissionSetGroup", unknown.Output.Single().Prop("ErrorCode"));
            var unknownLicence = ps.Run("[pscustomobject]@{ Username = 'alice.active@emulator.example.com'; PermissionSetLicenses = 'No_Such_Licence' } | Sync-SfUser -Connection $c");
            Assert.Equal("UnknownPermissionSetLicense", unknownLicence.Output.Single().Prop("ErrorCode"));
            Assert.Contains("No_Such_Licence", unknownLicence.Output.Single().Prop("Message"));
        }

        /// <summary>
        /// The README: seats freed in a run are not handed out again in the same run (a window's writes go out
        /// together, so a create could reach Salesforce before the deactivation that frees its seat); the next run uses them.
        /// </summary>
        [Fact]
        public void A_seat_freed_by_a_deactivation_is_not_handed_out_in_the_same_run_and_the_next_run_uses_it()
        {
            TwoFreeSeats();
            using var ps = _emulator.NewSession();
            Assert.Equal(new[] { "Created", "Created" }, Actions(ps.Run("@(" + Person("s1") + ", " + Person("s2") + ") | Sync-SfUser -Profile 'Standard User'")));

            string leaverAndJoiner = "@(" + Person("s1", "; Enabled = $false") + ", " + Person("s3") + ") | Sync-SfUser -Profile 'Standard User' -InformationAction Continue";
            var preview = ps.Run(leaverAndJoiner + " -WhatIf");
            Assert.Equal(new[] { "Disabled", "Skipped" }, Actions(preview));
            var run = ps.Run(leaverAndJoiner);
            Assert.Equal(new[] { "Disabled", "Skipped" }, Actions(run));
            Assert.Equal("LicenseLimit", run.Output[1].Prop("ErrorCode"));
            Assert.Contains("No free seat of licence 'Salesforce': 5 of 5 used before this run", run.Output[1].Prop("Message"));
            Assert.Contains("licence seats freed: 1", Assert.Single(run.Information));
            Assert.Empty(_emulator.Query("SELECT Id FROM User WHERE Username = 's3@resolve.example.com'"));

            var next = ps.Run(Person("s3") + " | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal("Created", next.Output.Single().Prop("Action"));
        }

        /// <summary>The README: "A seat whose write fails is given back" (the summary counts only the seats taken).</summary>
        [Fact]
        public void A_seat_whose_create_fails_is_given_back_in_the_summary()
        {
            TwoFreeSeats();
            using var ps = _emulator.NewSession();
            _emulator.InjectFaults(new[] { new { kind = "RecordError", count = 10, pathContains = "/composite", recordField = "Username", recordValues = new[] { "s1@resolve.example.com" }, statusCode = "FIELD_INTEGRITY_EXCEPTION", message = "Injected failure" } });
            var run = ps.Run("@(" + Person("s1") + ", " + Person("s2") + ") | Sync-SfUser -Profile 'Standard User' -InformationAction Continue");
            _emulator.ClearFaults();
            Assert.Equal(new[] { "Failed", "Created" }, Actions(run));
            Assert.Contains("licence 'Salesforce': 1 seat(s) taken of 2 free (5 in all)", Assert.Single(run.Information));
            Assert.Equal("Created", ps.Run(Person("s3") + " | Sync-SfUser -Profile 'Standard User'").Output.Single().Prop("Action"));
        }

        /// <summary>The emulator's Salesforce licence with only two free seats (three active users hold one).</summary>
        private void TwoFreeSeats() => _emulator.UseSeed(seed =>
        {
            foreach (JsonNode licence in seed["objects"]["UserLicense"].AsArray())
                if (licence["Name"].ToString() == "Salesforce") licence["TotalLicenses"] = 5;
        });

        [Fact]
        public void Users_beyond_the_free_seats_are_skipped_with_LicenseLimit_and_WhatIf_shows_the_same_plan()
        {
            TwoFreeSeats();
            using var ps = _emulator.NewSession();
            string four = "$four = @(" + string.Join(", ", Person("s1"), Person("s2"), Person("s3"), Person("s4")) + "); ";

            var preview = ps.Run(four + "$four | Sync-SfUser -Profile 'Standard User' -WhatIf -InformationAction Continue");
            Assert.Equal(new[] { "Created", "Created", "Skipped", "Skipped" }, Actions(preview));
            Assert.Contains("licence 'Salesforce': 2 seat(s) taken of 2 free (5 in all), 2 user(s) skipped for lack of a seat", Assert.Single(preview.Information));
            Assert.Contains("2 of 5 free", preview.Output[0].Prop("Message"));
            Assert.Contains("1 of 5 free", preview.Output[1].Prop("Message"));
            Assert.Equal(0, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE 's%@resolve.example.com'"));

            long before = _emulator.ApiCalls;
            var run = ps.Run(four + "$four | Sync-SfUser -Profile 'Standard User' -InformationAction Continue");
            Assert.Equal(new[] { "Created", "Created", "Skipped", "Skipped" }, Actions(run));
            Assert.Empty(run.Errors); // skipped, not failed one by one with LICENSE_LIMIT_EXCEEDED
            Assert.Equal("LicenseLimit", run.Output[2].Prop("ErrorCode"));
            Assert.Contains("'Salesforce': 3 of 5 used before this run, and 2 more taken by earlier users of this run", run.Output[2].Prop("Message"));
            Assert.Contains("freezing does not", run.Output[2].Prop("Remedy"));
            Assert.Equal(3, _emulator.ApiCalls - before); // preflight, one read, one write: the seats cost no call
            Assert.Equal(preview.Output.Select(o => o.Prop("Message")), run.Output.Select(o => o.Prop("Message")));
            Assert.Equal(preview.Information.Single().Split(';')[1], run.Information.Single().Split(';')[1]);
        }

        [Fact]
        public void A_permission_set_licence_without_a_free_seat_skips_the_user_with_the_numbers()
        {
            _emulator.UseSeed(seed => seed["objects"]["PermissionSetLicense"][0]["TotalLicenses"] = 2);
            using var ps = _emulator.NewSession();
            var result = ps.Run("@(" + Person("l1", "; PermissionSetLicenses = 'SalesConsoleUser'") + ", " + Person("l2", "; PermissionSetLicenses = 'Sales Console User'") + ") | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal(new[] { "Created", "Skipped" }, Actions(result));
            Assert.Equal("LicenseLimit", result.Output[1].Prop("ErrorCode"));
            Assert.Contains("No free seat of permission set licence 'Sales Console User': 1 of 2 used before this run, and 1 more taken", result.Output[1].Prop("Message"));
            Assert.Empty(_emulator.Query("SELECT Id FROM User WHERE Username = 'l2@resolve.example.com'"));
        }

        [Fact]
        public void Deactivating_frees_a_seat_freezing_keeps_it_and_the_summary_counts_seats_freed()
        {
            TwoFreeSeats();
            using var ps = _emulator.NewSession();
            ps.Run("@(" + Person("s1") + ", " + Person("s2") + ") | Sync-SfUser -Profile 'Standard User'");

            var frozen = ps.Run("$f = $emu | New-SfProvisioningConnection -DisableAction Freeze -NoDefault; " + Person("s1", "; Enabled = $false") + " | Sync-SfUser -Connection $f -InformationAction Continue",
                new Hashtable { ["emu"] = _emulator.Emulator });
            Assert.Equal("Frozen", frozen.Output.Single().Prop("Action"));
            Assert.Contains("Freezing keeps its seat of licence 'Salesforce'", frozen.Output.Single().Prop("Message"));
            Assert.Contains("licence seats freed: 0 (frozen users keep theirs: 1)", Assert.Single(frozen.Information));
            Assert.Equal("Skipped", ps.Run(Person("s3") + " | Sync-SfUser -Profile 'Standard User'").Output.Single().Prop("Action"));

            var disabled = ps.Run(Person("s2", "; Enabled = $false") + " | Sync-SfUser -InformationAction Continue");
            Assert.Equal("Disabled", disabled.Output.Single().Prop("Action"));
            Assert.Contains("Deactivating frees its seat of licence 'Salesforce'", disabled.Output.Single().Prop("Message"));
            Assert.Contains("licence seats freed: 1", Assert.Single(disabled.Information));
            Assert.Equal("Created", ps.Run(Person("s3") + " | Sync-SfUser -Profile 'Standard User'").Output.Single().Prop("Action"));
        }
    }
}
