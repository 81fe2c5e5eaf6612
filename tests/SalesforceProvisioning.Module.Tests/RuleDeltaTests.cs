using System;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// A rule's delta includes the rule (issue 11 #14), and a row without its key is never "unchanged"
    /// (#22): it fails, and it counts as absent for the complete-scope guard.
    /// </summary>
    [Collection("Process environment")]
    public class RuleDeltaTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-delta-" + Guid.NewGuid().ToString("N"));

        public RuleDeltaTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        public void Dispose() { if (Directory.Exists(_folder)) Directory.Delete(_folder, true); }

        private static string People(int count, string title = "Old", string keyColumn = "Username", string extra = "") =>
            $"$people = 1..{count} | ForEach-Object {{ [pscustomobject]@{{ {keyColumn} = \"d$_@delta.example.com\"; LastName = \"D$_\"; Email = \"d$_@delta.example.com\"; Title = '{title}'{extra} }} }}; ";

        private PowerShellHost Session(string connectionArguments = "")
        {
            var ps = _emulator.NewSession(connectionArguments);
            var setup = ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{Path.Combine(_folder, "state.db")}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                "$titleKept = New-SfAttributeMap -Mapping @{ Username = 'Username'; LastName = 'LastName'; Email = 'Email'; Title = 'Title' }; " +
                "if (-not (Get-SfProvisioningRule hr -StatePath $state -ErrorAction SilentlyContinue)) { $null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -AttributeMap $titleKept -StatePath $state }");
            Assert.Empty(setup.Errors);
            return ps;
        }

        private static string[] Actions(ScriptResult r) => r.Output.Select(o => o.Prop("Action")).ToArray();

        /// <summary>
        /// A report whose manager is not in Salesforce yet is not remembered as settled: when the manager
        /// appears (created by another rule or by hand), the next delta run of the same unchanged row sets ManagerId.
        /// </summary>
        [Fact]
        public void A_manager_not_in_salesforce_is_looked_up_again_by_the_next_delta_run()
        {
            using var ps = Session();
            Assert.Empty(ps.Run("$null = New-SfProvisioningRule -Name reports -ConnectionName prod -Profile 'Standard User' -StatePath $state").Errors);
            const string report = "$report = [pscustomobject]@{ Username = 'rep@delta.example.com'; LastName = 'Rep'; Email = 'rep@delta.example.com'; Manager = 'lead@delta.example.com' }; ";
            var first = ps.Run(report + "$report | Sync-SfUser -Rule reports -StatePath $state");
            Assert.Equal("Created", first.Output.Single().Prop("Action"));
            Assert.Contains("not in Salesforce", first.Output.Single().Prop("Message"));

            Assert.Empty(ps.Run("[pscustomobject]@{ Username = 'lead@delta.example.com'; LastName = 'Lead'; Email = 'lead@delta.example.com' } | Sync-SfUser -Profile 'Standard User'").Errors);
            var next = ps.Run(report + "$report | Sync-SfUser -Rule reports -StatePath $state");
            Assert.Equal("Updated", next.Output.Single().Prop("Action"));
            string managerId = _emulator.Query("SELECT ManagerId FROM User WHERE Username = 'rep@delta.example.com'").Single()["ManagerId"]?.ToString();
            Assert.Equal(_emulator.Query("SELECT Id FROM User WHERE Username = 'lead@delta.example.com'").Single()["Id"].ToString(), managerId);

            // Settled now: the run after is answered from the store.
            Assert.Equal("Unchanged", ps.Run(report + "$report | Sync-SfUser -Rule reports -StatePath $state").Output.Single().Prop("Action"));
        }

        [Fact]
        public void A_changed_map_applies_to_unchanged_rows_without_full()
        {
            using var ps = Session();
            Assert.Equal(3, ps.Run(People(3) + "$people | Sync-SfUser -Rule hr -StatePath $state").Output.Count(o => o.Prop("Action") == "Created"));
            // Title changes in the source, but the map does not update Title: nothing is written.
            var kept = ps.Run(People(3, "New") + "$people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.Equal(new[] { "Unchanged", "Unchanged", "Unchanged" }, Actions(kept));
            Assert.Equal(3, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@delta.example.com' AND Title = 'Old'"));

            // The rule's map now updates Title: the same rows are read again and updated, no -Full needed.
            Assert.Empty(ps.Run("Set-SfProvisioningRule hr -StatePath $state -AttributeMap (New-SfAttributeMap -Mapping @{ Username = 'Username'; LastName = 'LastName'; Email = 'Email'; Title = 'Title' } -Update Title)").Errors);
            var applied = ps.Run(People(3, "New") + "$people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.Equal(new[] { "Updated", "Updated", "Updated" }, Actions(applied));
            Assert.Equal(3, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@delta.example.com' AND Title = 'New'"));

            long before = _emulator.ApiCalls;
            var delta = ps.Run(People(3, "New") + "$people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.Equal(new[] { "Unchanged", "Unchanged", "Unchanged" }, Actions(delta));
            Assert.Equal(1, _emulator.ApiCalls - before); // answered from the store again: only the preflight
        }

        [Fact]
        public void A_changed_connection_preference_applies_to_unchanged_rows_without_full()
        {
            using var ps = Session();
            var created = ps.Run(People(2, extra: "; PermissionSets = 'Sales_Ops'") + "$people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.Equal(new[] { "Created", "Created" }, Actions(created));
            // Someone grants Flow_Builder by hand; under Merge (the default) the module leaves it.
            foreach (var user in created.Output) _emulator.Create("PermissionSetAssignment", new { AssigneeId = user.Prop("SalesforceId"), PermissionSetId = "0PSEm0000000006" });
            Assert.Equal(new[] { "Unchanged", "Unchanged" }, Actions(ps.Run(People(2, extra: "; PermissionSets = 'Sales_Ops'") + "$people | Sync-SfUser -Rule hr -StatePath $state")));

            // The saved connection now overwrites permission sets: the same rows are read again and the extra set removed.
            Assert.Empty(ps.Run("$over = $emu | New-SfProvisioningConnection -RetryDelayMilliseconds 10 -PermissionSetManagement Overwrite -NoDefault; Save-SfProvisioningConnection -Name prod -Connection $over -StatePath $state -Force",
                new System.Collections.Hashtable { ["emu"] = _emulator.Emulator }).Errors);
            var overwritten = ps.Run(People(2, extra: "; PermissionSets = 'Sales_Ops'") + "$people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.True(new[] { "Updated", "Updated" }.SequenceEqual(Actions(overwritten)), string.Join("; ", overwritten.Output.Select(o => o.ToString() + " " + o.Prop("Message"))));
            Assert.Equal(0, _emulator.QueryTotal("SELECT COUNT() FROM PermissionSetAssignment WHERE PermissionSetId = '0PSEm0000000006' AND Assignee.Username LIKE '%@delta.example.com'"));
        }

        [Fact]
        public void Rows_without_their_key_fail_and_count_as_absent()
        {
            using var ps = Session();
            Assert.Empty(ps.Run(People(10) + "$people | Sync-SfUser -Rule hr -StatePath $state").Errors);

            // The export's Username column was renamed: every row lacks its key.
            var renamed = ps.Run(People(10, keyColumn: "User_Name") + "$people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.Equal(10, renamed.Output.Count);
            Assert.All(renamed.Output, o => Assert.Equal("Failed", o.Prop("Action")));
            Assert.All(renamed.Output, o => Assert.Equal("MissingKey", o.Prop("ErrorCode")));
            Assert.Contains("Username", renamed.Output[0].Prop("Message"));

            long written = _emulator.RecordsWritten;
            var scoped = ps.Run(People(10, keyColumn: "User_Name") + "$people | Sync-SfUser -Rule hr -StatePath $state -CompleteScope");
            Assert.Contains(scoped.Errors, e => e.FullyQualifiedErrorId == "DeprovisionGuard,SalesforceProvisioning.Commands.SyncSfUserCommand");
            Assert.Contains("10 of the 10", scoped.Errors.Single(e => e.FullyQualifiedErrorId.StartsWith("DeprovisionGuard")).Exception.Message);
            Assert.Equal(written, _emulator.RecordsWritten);
        }
    }
}
