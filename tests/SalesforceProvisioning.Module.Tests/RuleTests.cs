using System;
using System.Collections;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>Provisioning rules with the state store: delta, complete scope and its guard, crash and resume, removal, status.</summary>
    // SFPROVISIONING_KEY_PATH is process-wide: the classes that set it run one after the other.
    [Collection("Process environment")]
    public class RuleTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-rules-" + Guid.NewGuid().ToString("N"));

        public RuleTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        public void Dispose()
        {
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        private string State => Path.Combine(_folder, "state.db");

        private static string People(int count, int first = 1) =>
            $"$people = {first}..{first + count - 1} | ForEach-Object {{ [pscustomobject]@{{ Username = \"hr$_@rules.example.com\"; LastName = \"Hr$_\"; Email = \"hr$_@rules.example.com\" }} }}; ";

        /// <summary>A runspace with a saved connection 'prod' and a rule 'hr' on it.</summary>
        private PowerShellHost Session(string connectionArguments = "", int maxDeprovisionPercent = 10)
        {
            var ps = _emulator.NewSession(connectionArguments);
            var setup = ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{State}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                $"if (-not (Get-SfProvisioningRule hr -StatePath $state -ErrorAction SilentlyContinue)) {{ $null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -MaxDeprovisionPercent {maxDeprovisionPercent} -StatePath $state }}");
            Assert.Empty(setup.Errors);
            return ps;
        }

        private static string[] Actions(ScriptResult r) => r.Output.Select(o => o.Prop("Action")).ToArray();

        [Fact]
        public void A_rerun_of_an_unchanged_source_is_answered_from_the_store_and_full_reads_again()
        {
            using var ps = Session();
            var first = ps.Run(People(5) + "$people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.Empty(first.Errors);
            Assert.Equal(5, first.Output.Count(o => o.Prop("Action") == "Created"));

            long before = _emulator.ApiCalls;
            var delta = ps.Run(People(5) + "$people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.All(delta.Output, o => Assert.Equal("Unchanged", o.Prop("Action")));
            Assert.Contains("delta", delta.Output[0].Prop("Message"));
            Assert.Equal(1, _emulator.ApiCalls - before); // only the preflight

            before = _emulator.ApiCalls;
            var full = ps.Run(People(5) + "$people | Sync-SfUser -Rule hr -StatePath $state -Full");
            Assert.All(full.Output, o => Assert.Equal("Unchanged", o.Prop("Action")));
            Assert.Equal(2, _emulator.ApiCalls - before); // preflight and one read

            var changed = ps.Run(People(5) + "$people[2].LastName = 'Changed'; $people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.Equal("Updated", changed.Output.Single(o => o.Prop("Username") == "hr3@rules.example.com").Prop("Action"));
        }

        [Fact]
        public void Complete_scope_deprovisions_only_users_the_rule_provisioned_and_the_guard_stops_a_truncated_export()
        {
            using var ps = Session();
            ps.Run(People(20) + "$null = $people | Sync-SfUser -Rule hr -StatePath $state");

            var one = ps.Run(People(19) + "$people | Sync-SfUser -Rule hr -StatePath $state -CompleteScope");
            Assert.Empty(one.Errors);
            var gone = one.Output.Single(o => o.Prop("Username") == "hr20@rules.example.com");
            Assert.Equal("Disabled", gone.Prop("Action"));
            Assert.True(_emulator.Query("SELECT IsActive FROM User WHERE Username = 'alice.active@emulator.example.com'").Single()["IsActive"].GetValue<bool>());

            long written = _emulator.RecordsWritten;
            var truncated = ps.Run(People(3) + "$people | Sync-SfUser -Rule hr -StatePath $state -CompleteScope");
            Assert.Equal("DeprovisionGuard,SalesforceProvisioning.Commands.SyncSfUserCommand", truncated.Errors.Single().FullyQualifiedErrorId);
            Assert.Contains("16 of the 19", truncated.Errors.Single().Exception.Message);
            Assert.Equal(written, _emulator.RecordsWritten);

            var forced = ps.Run(People(3) + "$people | Sync-SfUser -Rule hr -StatePath $state -CompleteScope -Force");
            Assert.Equal(16, forced.Output.Count(o => o.Prop("Action") == "Disabled"));
            Assert.Equal("3", ps.Run("(Get-SfProvisioningRule hr -StatePath $state).ProvisionedCount").Output.Single().ToString());
        }

        [Fact]
        public void A_run_stopped_between_batches_is_finished_by_the_next_run_without_duplicates()
        {
            using var ps = Session();
            // Enough allowance for the preflight, one read and the first batch's write; then the org is out of calls.
            // One request in flight: with two, which of the 1,000- and 500-user calls got the last call was a race.
            _emulator.Post("limits", "{\"max\":15000,\"remaining\":3}");
            var stopped = ps.Run(People(1500) + "$people | Sync-SfUser -Rule hr -StatePath $state -BatchSize 1000 -MaxConcurrentRequests 1");
            Assert.Contains(stopped.Errors, e => e.FullyQualifiedErrorId.StartsWith("RequestLimitExceeded,"));
            var run = ps.Run("Get-SfSyncStatus -Rule hr -StatePath $state -Last 1").Output.Single();
            Assert.Equal("Stopped", run.Prop("Status"));
            Assert.Equal("1000", run.Prop("Success"));

            _emulator.Post("limits", "{\"max\":15000,\"remaining\":15000}");
            var resumed = ps.Run(People(1500) + "$people | Sync-SfUser -Rule hr -StatePath $state -BatchSize 1000");
            Assert.Empty(resumed.Errors);
            Assert.Equal(1000, resumed.Output.Count(o => o.Prop("Action") == "Unchanged"));
            Assert.Equal(500, resumed.Output.Count(o => o.Prop("Action") == "Created"));
            Assert.Equal(1500, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE 'hr%@rules.example.com'"));
        }

        [Fact]
        public void Sync_status_counts_match_what_the_org_received()
        {
            using var ps = Session();
            var result = ps.Run(People(3) + "$people += [pscustomobject]@{ Username = 'not-an-email'; LastName = 'Bad'; Email = 'bad@example.com' }; " +
                "$people += [pscustomobject]@{ Username = 'off@rules.example.com'; LastName = 'Off'; Email = 'off@rules.example.com'; Enabled = $false }; $people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.Equal(new[] { "Created", "Created", "Created", "Failed", "Skipped" }, Actions(result));
            var run = ps.Run("Get-SfSyncStatus -Rule hr -StatePath $state -Last 1").Output.Single();
            Assert.Equal("CompletedWithErrors", run.Prop("Status"));
            Assert.Equal("4", run.Prop("Impacted"));
            Assert.Equal("3", run.Prop("Success"));
            Assert.Equal("1", run.Prop("Unsynced"));
            Assert.Equal("1", run.Prop("Failed"));
            Assert.Equal(3, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE 'hr%@rules.example.com'"));
            Assert.Equal(3, _emulator.Get("requests")["requests"].AsArray().Where(r => r["path"].ToString().EndsWith("/composite")).Sum(r => r["records"]?.GetValue<int>() ?? 0));
            var byUser = ps.Run("Get-SfSyncStatus -Rule hr -ByUser -StatePath $state");
            Assert.Equal(3, byUser.Output.Count(o => o.Prop("LastAction") == "Created"));
        }

        [Fact]
        public void Complete_scope_and_full_cannot_even_be_typed_without_a_rule()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("[pscustomobject]@{ Username = 'x@rules.example.com' } | Sync-SfUser -CompleteScope");
            Assert.Contains("ParameterBindingException", result.Errors.Single().FullyQualifiedErrorId + result.Errors.Single().Exception.GetType().Name);
            Assert.Equal(0, _emulator.RecordsWritten);
        }

        [Fact]
        public void Removing_a_rule_deprovisions_its_users_only_when_the_connection_says_so()
        {
            using (var keep = Session())
            {
                keep.Run(People(2) + "$null = $people | Sync-SfUser -Rule hr -StatePath $state");
                Assert.Empty(keep.Run("Remove-SfProvisioningRule hr -StatePath $state -Force -Confirm:$false").Errors);
                Assert.Equal(2, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE 'hr%@rules.example.com' AND IsActive = true"));
            }
            using var deprovisioning = Session("-DeprovisionOnRuleDeletion");
            deprovisioning.Run(People(2) + "$null = $people | Sync-SfUser -Rule hr -StatePath $state");
            var removed = deprovisioning.Run("Remove-SfProvisioningRule hr -StatePath $state -Force -Confirm:$false");
            Assert.Empty(removed.Errors);
            Assert.Equal(new[] { "Disabled", "Disabled" }, Actions(removed));
            Assert.Equal(0, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE 'hr%@rules.example.com' AND IsActive = true"));
            Assert.Empty(deprovisioning.Run("Get-SfProvisioningRule -StatePath $state").Output);
        }
    }
}
