using System;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// A stop (Ctrl+C, SIGTERM) never lets a change that was not sent count as written: every record handed to
    /// the writer gets an outcome, and one never sent is not recorded in the state store, so the next run writes it.
    /// </summary>
    [Collection("Process environment")]
    public class StoppedWriteTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-stopped-" + Guid.NewGuid().ToString("N"));

        public StoppedWriteTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        public void Dispose()
        {
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":0}");
            _emulator.ClearFaults();
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        private const string People = "$people = 1..40 | ForEach-Object { [pscustomobject]@{ Username = \"s$_@stopped-access.example.com\"; LastName = \"S$_\"; Email = \"s$_@stopped-access.example.com\"; PermissionSets = 'Sales_Ops' } }; ";

        private long Assigned() => _emulator.QueryTotal("SELECT COUNT() FROM PermissionSetAssignment WHERE Assignee.Username LIKE '%@stopped-access.example.com' AND PermissionSet.Name = 'Sales_Ops'");

        [Fact]
        public void A_stop_after_the_users_were_written_leaves_their_unsent_permission_sets_for_the_next_run()
        {
            using var ps = _emulator.NewSession();
            Assert.Empty(ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{Path.Combine(_folder, "state.db")}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                "$null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -StatePath $state").Errors);

            // The users' create commits, and its answer takes a while: the stop lands then, before the permission
            // sets (written after the users, whose Ids they need) are sent.
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":40}");
            long before = _emulator.RecordsWritten;
            bool stopped = ps.RunAndStop(People + "$people | Sync-SfUser -Rule hr -StatePath $state", () => _emulator.RecordsWritten - before >= 40, TimeSpan.FromMinutes(1));
            Assert.True(stopped, "the run ended before the stop");
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":0}");
            Assert.Equal(40, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@stopped-access.example.com'"));
            Assert.Equal(0, Assigned());
            // Recorded as failed with NotSent (their access was never sent), never as done.
            var recorded = ps.Run("Get-SfSyncStatus -Rule hr -ByUser -StatePath $state").Output;
            Assert.Equal(40, recorded.Count);
            Assert.All(recorded, r => Assert.Equal("NotSent", r.Prop("LastErrorCode")));

            // Not recorded as synced: the next run (a delta) is not answered from the store, and assigns the sets.
            var next = ps.Run(People + "$people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.Empty(next.Errors);
            Assert.Equal(40, next.Output.Count);
            Assert.Equal(40, Assigned());
        }

        /// <summary>
        /// Under the Bulk API the user's update goes out as an ingest job and its freeze (UserLogin.IsFrozen, never
        /// bulk) after it in a composite request, which the daily limit refuses whole (403 REQUEST_LIMIT_EXCEEDED,
        /// REST API Developer Guide, "Status Codes and Error Responses",
        /// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm): the update is
        /// in Salesforce, the freeze is not, and the result says so, PartiallyApplied.
        /// </summary>
        [Fact]
        public void A_user_updated_whose_freeze_a_stop_kept_from_being_sent_is_partly_applied()
        {
            using var ps = _emulator.NewSession("-DisableAction Freeze");
            const string person = "[pscustomobject]@{ Username = 'fz@partial.example.com'; LastName = 'Fz'; Email = 'fz@partial.example.com'; Title = 'TITLE'; Enabled = ENABLED }";
            var created = ps.Run(person.Replace("TITLE", "Analyst").Replace("ENABLED", "$true") + " | Sync-SfUser -Profile 'Standard User'");
            Assert.True(created.Errors.Count == 0 && created.Output.Count == 1, created.AllText());

            _emulator.InjectFaults(new[] { new { kind = "RequestLimitExceeded", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"IsFrozen\":true" } });
            var stopped = ps.Run(person.Replace("TITLE", "Lead Analyst").Replace("ENABLED", "$false") + " | Sync-SfUser -UseBulkApi Always -ErrorAction SilentlyContinue");
            Assert.True(stopped.Output.Count == 1, stopped.AllText());
            var result = stopped.Output[0];
            Assert.True(result.Prop("Action") == "Failed", result.Prop("Action") + ": " + result.Prop("Message"));
            Assert.Equal("True", result.Prop("PartiallyApplied"));
            Assert.Contains("Written: the user's update (Title)", result.Prop("Message"));
            Assert.Contains("Not written: the freeze (UserLogin.IsFrozen)", result.Prop("Message"));
            Assert.Equal("Lead Analyst", _emulator.Query("SELECT Title FROM User WHERE Username = 'fz@partial.example.com'").Single()["Title"].ToString());
            string userId = _emulator.Query("SELECT Id FROM User WHERE Username = 'fz@partial.example.com'").Single()["Id"].ToString();
            Assert.False(_emulator.Query($"SELECT IsFrozen FROM UserLogin WHERE UserId = '{userId}'").Single()["IsFrozen"].GetValue<bool>());
        }

        /// <summary>An existing user with only a permission set to add, which Salesforce refuses: nothing of its change was written.</summary>
        [Fact]
        public void A_user_whose_only_change_is_refused_is_not_partly_applied()
        {
            using var ps = _emulator.NewSession();
            const string person = "[pscustomobject]@{ Username = 'pa@partial.example.com'; LastName = 'Pa'; Email = 'pa@partial.example.com'SETS }";
            Assert.Empty(ps.Run(person.Replace("SETS", "") + " | Sync-SfUser -Profile 'Standard User'").Errors);
            _emulator.InjectFaults(new[] { new { kind = "RecordError", count = 10, pathContains = "/composite", method = "POST", bodyContains = "PermissionSetAssignment", recordIndexes = new[] { 0 }, statusCode = "FIELD_INTEGRITY_EXCEPTION", message = "Injected failure" } });
            var refused = ps.Run(person.Replace("SETS", "; PermissionSets = 'Sales_Ops'") + " | Sync-SfUser -ErrorAction SilentlyContinue");
            var result = Assert.Single(refused.Output);
            Assert.True(result.Prop("Action") == "Failed" && result.Prop("PartiallyApplied") == "False", result.Prop("Action") + "/" + result.Prop("PartiallyApplied") + ": " + result.Prop("Message"));
            Assert.StartsWith("Nothing was written for this user", result.Prop("Message"));
        }

        /// <summary>
        /// 1,100 new users in windows of 600 with one request in flight: the second window makes two calls' worth, so
        /// the first 1,000 go out and 100 stay carried (held for a full call). The daily limit refuses that call
        /// (403 REQUEST_LIMIT_EXCEEDED), so the run stops: the carried 100 were never sent and say so.
        /// </summary>
        [Fact]
        public void Users_still_carried_when_the_run_stops_are_told_they_were_not_sent()
        {
            using var ps = _emulator.NewSession();
            _emulator.InjectFaults(new[] { new { kind = "RequestLimitExceeded", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"type\":\"User\"" } });
            var stopped = ps.Run("$people = 1..1100 | ForEach-Object { [pscustomobject]@{ Username = \"c$_@carried-stop.example.com\"; LastName = \"C$_\"; Email = \"c$_@carried-stop.example.com\" } }; " +
                "$people | Sync-SfUser -Profile 'Standard User' -BatchSize 600 -MaxConcurrentRequests 1 -UseBulkApi Never -ErrorAction SilentlyContinue");
            Assert.Equal(1100, stopped.Output.Count);
            Assert.All(stopped.Output, r => Assert.Equal("Failed", r.Prop("Action")));
            Assert.DoesNotContain(stopped.Output, r => r.Prop("Message").Contains("confirmed", StringComparison.OrdinalIgnoreCase));
            Assert.Equal(100, stopped.Output.Count(r => r.Prop("Message").StartsWith("Not sent: the run stopped before it", StringComparison.Ordinal)));
            Assert.Equal(0, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@carried-stop.example.com'"));
        }
    }
}
