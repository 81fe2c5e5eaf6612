using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// What a stop (the daily API limit: REQUEST_LIMIT_EXCEEDED, which Salesforce answers with 403 for every
    /// request once the org's allowance is used up, "API Request Limits and Allocations") says about access
    /// changes: one an earlier round may have written is not confirmed, never "not sent"; one never sent is
    /// said to be not sent, and nothing is claimed written that was not.
    /// </summary>
    [Collection("Process environment")]
    public class StoppedAccessTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-stopped-access-" + Guid.NewGuid().ToString("N"));

        public StoppedAccessTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        public void Dispose() { if (Directory.Exists(_folder)) Directory.Delete(_folder, true); }

        private PowerShellHost RuleSession()
        {
            var ps = _emulator.NewSession();
            Assert.Empty(ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{Path.Combine(_folder, "state.db")}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                "$null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -StatePath $state").Errors);
            return ps;
        }

        private static string Person(string name, string title, string sets = null)
            => $"[pscustomobject]@{{ Username = '{name}@stopped-access.example.com'; LastName = '{name}'; Email = '{name}@stopped-access.example.com'; Title = '{title}'" +
               (sets != null ? $"; PermissionSets = '{sets}'" : "") + " }";

        private static PSObject For(ScriptResult run, string name)
            => run.Output.Single(o => o.Prop("Username") == name + "@stopped-access.example.com");

        // The body of an access write (a collection of PermissionSetAssignment records), never the reads that name the object in their SOQL.
        private const string AssignmentWrite = "\"type\":\"PermissionSetAssignment\"";

        private long Assigned(string username, string set) => _emulator.QueryTotal(
            $"SELECT COUNT() FROM PermissionSetAssignment WHERE Assignee.Username = '{username}' AND PermissionSet.Name = '{set}'");

        private static string Summary(ScriptResult run)
            => string.Join("; ", run.Output.Select(o => $"{o.Prop("Username")}={o.Prop("Action")}/{o.Prop("ErrorCode")}/{o.Prop("PartiallyApplied")}: {o.Prop("Message")}"));

        [Fact]
        public void An_assignment_an_earlier_round_may_have_written_is_not_confirmed_when_the_next_round_meets_the_daily_limit()
        {
            // No retry inside a request: the lost answer ends the first round, and the second round's resend meets the limit.
            using var ps = _emulator.NewSession("-MaxRetryCount 0");
            Assert.Empty(ps.Run("[pscustomobject]@{ Username = 'nc@stopped-access.example.com'; LastName = 'Nc'; Email = 'nc@stopped-access.example.com' } | Sync-SfUser -Profile 'Standard User'").Errors);
            _emulator.InjectFaults(new object[]
            {
                new { kind = "DropAfterCommit", count = 1, pathContains = "/composite", method = "POST", bodyContains = AssignmentWrite },
                new { kind = "RequestLimitExceeded", count = 10, pathContains = "/composite", method = "POST", bodyContains = AssignmentWrite },
            });

            var stopped = ps.Run("[pscustomobject]@{ Username = 'nc@stopped-access.example.com'; PermissionSets = 'Sales_Ops' } | Sync-SfUser");
            var result = Assert.Single(stopped.Output);
            Assert.True(result.Prop("ErrorCode") == "NotConfirmed", Summary(stopped));
            Assert.Contains("not confirmed", result.Prop("Message"), System.StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("not sent", result.Prop("Message"), System.StringComparison.OrdinalIgnoreCase);
            Assert.Contains("again", result.Prop("Remedy"));
            Assert.Equal(1, Assigned("nc@stopped-access.example.com", "Sales_Ops")); // the first round did write it

            _emulator.ClearFaults();
            var rerun = ps.Run("[pscustomobject]@{ Username = 'nc@stopped-access.example.com'; PermissionSets = 'Sales_Ops' } | Sync-SfUser");
            Assert.Empty(rerun.Errors);
            Assert.Equal("Unchanged", rerun.Output.Single().Prop("Action"));
            Assert.Equal(1, Assigned("nc@stopped-access.example.com", "Sales_Ops"));
        }

        [Fact]
        public void A_user_with_only_access_changes_whose_access_was_never_sent_is_told_nothing_was_written_and_the_next_delta_run_sends_it()
        {
            using var ps = RuleSession();
            Assert.Empty(ps.Run($"@({Person("upd", "Old")}, {Person("acc", "Old")}) | Sync-SfUser -Rule hr -StatePath $state").Errors);

            // The users' writes meet the daily limit: the run stops before the access writes (they go after the users').
            _emulator.InjectFaults(new[] { new { kind = "RequestLimitExceeded", count = 10, pathContains = "/composite", method = "POST", bodyContains = "\"type\":\"User\"" } });
            string changed = $"@({Person("upd", "New")}, {Person("acc", "Old", "Sales_Ops")})";
            var stopped = ps.Run(changed + " | Sync-SfUser -Rule hr -StatePath $state");
            Assert.Equal(2, stopped.Output.Count);
            var acc = For(stopped, "acc");
            Assert.True(acc.Prop("Action") == "Failed" && acc.Prop("PartiallyApplied") == "False", Summary(stopped));
            Assert.Equal("RequestLimitExceeded", acc.Prop("ErrorCode"));
            Assert.Contains("Nothing was written for this user", acc.Prop("Message"));
            Assert.Contains("not sent", acc.Prop("Message"));
            Assert.Contains("Sales_Ops", acc.Prop("Message"));
            Assert.Contains("next run", acc.Prop("Message"));
            Assert.Equal(0, Assigned("acc@stopped-access.example.com", "Sales_Ops"));

            // No fingerprint was recorded for it: the next (delta) run reads it again and assigns the set.
            _emulator.ClearFaults();
            var next = ps.Run(changed + " | Sync-SfUser -Rule hr -StatePath $state");
            Assert.Empty(next.Errors);
            Assert.Equal("Updated", For(next, "acc").Prop("Action"));
            Assert.Equal(1, Assigned("acc@stopped-access.example.com", "Sales_Ops"));
        }

        [Fact]
        public void Access_writes_the_daily_limit_refused_are_partly_applied_only_for_a_user_whose_record_was_written()
        {
            using var ps = _emulator.NewSession();
            Assert.Empty(ps.Run($"@({Person("both", "Old")}, {Person("only", "Old")}) | Sync-SfUser -Profile 'Standard User'").Errors);
            _emulator.InjectFaults(new[] { new { kind = "RequestLimitExceeded", count = 10, pathContains = "/composite", method = "POST", bodyContains = AssignmentWrite } });

            var stopped = ps.Run($"@({Person("both", "New", "Sales_Ops")}, {Person("only", "Old", "Sales_Ops")}) | Sync-SfUser");
            var both = For(stopped, "both");
            var only = For(stopped, "only");
            Assert.True(both.Prop("PartiallyApplied") == "True" && only.Prop("PartiallyApplied") == "False", Summary(stopped));
            Assert.Contains("was updated, but its access (PermissionSet) was not written in full", both.Prop("Message"));
            Assert.Contains("Nothing was written for this user", only.Prop("Message"));
            Assert.All(new[] { both, only }, r => Assert.Equal("Failed", r.Prop("Action")));
            Assert.Equal("New", _emulator.Query("SELECT Title FROM User WHERE Username = 'both@stopped-access.example.com'").Single()["Title"].ToString());
            Assert.Equal(0, Assigned("only@stopped-access.example.com", "Sales_Ops"));
        }
    }
}
