using System;
using System.IO;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Writes carried across input windows (so sparse changes go out in whole 1,000-record calls) keep every
    /// promise the window-by-window writes kept: a user whose access was never sent is not reported done (nor
    /// remembered as done), a manager created in an earlier window is set on its reports in the same run, and
    /// a bad input under -ErrorAction Stop never strands the carried writes without a result.
    /// </summary>
    [Collection("Process environment")]
    public class CarriedWriteTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-carried-" + Guid.NewGuid().ToString("N"));

        public CarriedWriteTests(EmulatorFixture emulator)
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
            => $"[pscustomobject]@{{ Username = '{name}@carried.example.com'; LastName = '{name}'; Email = '{name}@carried.example.com'{extra} }}";

        private static string[] Actions(ScriptResult r) => r.Output.Select(o => o.Prop("Action")).ToArray();

        private static string Show(ScriptResult r) => string.Join("; ", r.Output.Select(o => $"{o.Prop("Username")}:{o.Prop("Action")}:{o.Prop("ErrorCode")}:{o.Prop("Message")}"))
            + " | errors: " + string.Join("; ", r.Errors.Select(e => e.ToString()));

        private string Field(string username, string field)
            => _emulator.Query($"SELECT {field} FROM User WHERE Username = '{username}'").Single()[field]?.ToString();

        private long SalesOpsAssignments(string name)
            => _emulator.QueryTotal($"SELECT COUNT() FROM PermissionSetAssignment WHERE PermissionSetId = '0PSEm0000000001' AND Assignee.Username = '{name}@carried.example.com'");

        /// <summary>A session with a rule 'hr' on a saved connection, its state store in this test's folder.</summary>
        private PowerShellHost RuleSession()
        {
            var ps = _emulator.NewSession();
            var setup = ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{Path.Combine(_folder, "state.db")}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                "$null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -StatePath $state");
            Assert.Empty(setup.Errors);
            return ps;
        }

        /// <summary>
        /// The boss is written in the first round of user writes; its report waits for the boss's Id and goes
        /// out in a later round, which Salesforce refuses for the whole request (no per-record answers) with 403
        /// REQUEST_LIMIT_EXCEEDED: "403 The request has been refused ... If the error code is
        /// REQUEST_LIMIT_EXCEEDED, you've exceeded API request limits in your org" (REST API Developer Guide,
        /// "Status Codes and Error Responses", https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm;
        /// the emulator's RequestLimitExceeded fault answers so). The boss's permission set was
        /// never sent, so the boss is not reported Created (nor remembered so by the rule), and the next run
        /// assigns it.
        /// </summary>
        [Fact]
        public void A_user_whose_access_a_stop_kept_from_being_sent_is_not_reported_done_and_the_next_run_sends_it()
        {
            using var ps = RuleSession();
            _emulator.InjectFaults(new[] { new { kind = "RequestLimitExceeded", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"ManagerId\":\"" } });
            string input = "$people = @(" + Person("boss", "; PermissionSets = 'Sales_Ops'") + ", " + Person("worker", "; Manager = 'boss@carried.example.com'; PermissionSets = 'Sales_Ops'") + "); ";
            var first = ps.Run(input + "$people | Sync-SfUser -Rule hr -StatePath $state");
            var boss = first.Output.Single(o => o.Prop("Username") == "boss@carried.example.com");
            Assert.True(boss.Prop("Action") == "Failed", Show(first));
            Assert.Equal("RequestLimitExceeded", boss.Prop("ErrorCode"));
            Assert.Equal("True", boss.Prop("PartiallyApplied"));
            Assert.Contains("was created, but its access", boss.Prop("Message"));
            Assert.Contains("next run", boss.Prop("Message"));
            Assert.NotNull(Field("boss@carried.example.com", "Id")); // the user itself was written
            Assert.Equal(0, SalesOpsAssignments("boss"));

            var rerun = ps.Run(input + "$people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.True(Actions(rerun).SequenceEqual(new[] { "Updated", "Created" }), Show(rerun));
            Assert.Equal(1, SalesOpsAssignments("boss"));
            Assert.Equal(1, SalesOpsAssignments("worker"));
        }

        /// <summary>
        /// Ctrl+C while the user's create is in flight: the create is waited for and counts, its permission set is
        /// never sent, so the user is not remembered as done and the next run assigns the set.
        /// </summary>
        [Fact]
        public void A_user_stopped_by_ctrl_c_before_its_access_is_not_remembered_as_done_and_the_next_run_sends_it()
        {
            using var ps = RuleSession();
            string input = "$people = @(" + Person("halted", "; PermissionSets = 'Sales_Ops'") + "); ";
            long before = _emulator.RecordsWritten;
            // Salesforce writes a request's records one after another: the answer comes well after the commit.
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":3000}");
            try
            {
                bool stopped = ps.RunAndStop(input + "$people | Sync-SfUser -Rule hr -StatePath $state", () => _emulator.RecordsWritten > before, TimeSpan.FromMinutes(2));
                Assert.True(stopped, "the run ended before the user's create was committed");
            }
            finally
            {
                _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":0}");
            }
            Assert.NotNull(Field("halted@carried.example.com", "Id"));
            Assert.Equal(0, SalesOpsAssignments("halted"));

            var rerun = ps.Run(input + "$people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.True(Actions(rerun).SequenceEqual(new[] { "Updated" }), Show(rerun));
            Assert.Equal(1, SalesOpsAssignments("halted"));
        }

        /// <summary>
        /// One user per window: the boss's create is carried past its window, and its report, in the next
        /// window, still gets ManagerId in the same run (it waits for the boss's Id, not "not in Salesforce").
        /// </summary>
        [Fact]
        public void A_manager_created_in_an_earlier_window_is_set_on_its_reports_in_the_same_run()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("@(" + Person("chief") + ", " + Person("deputy", "; Manager = 'chief@carried.example.com'") + ", " +
                Person("clerk", "; Manager = 'deputy@carried.example.com'") + ") | Sync-SfUser -Profile 'Standard User' -BatchSize 1");
            Assert.Empty(result.Errors);
            Assert.True(Actions(result).SequenceEqual(new[] { "Created", "Created", "Created" }), Show(result));
            Assert.DoesNotContain(result.Output, o => (o.Prop("Message") ?? "").Contains("not in Salesforce"));
            Assert.Equal(Field("chief@carried.example.com", "Id"), Field("deputy@carried.example.com", "ManagerId"));
            Assert.Equal(Field("deputy@carried.example.com", "Id"), Field("clerk@carried.example.com", "ManagerId"));
        }

        /// <summary>
        /// The manager was missing when this run matched it, and someone else created that user before this run's
        /// create reached Salesforce: the create meets DUPLICATE_USERNAME, the user is read back as theirs
        /// (Unchanged), and its id is still the manager of the reports in later windows.
        /// </summary>
        [Fact]
        public void A_manager_someone_else_created_meanwhile_is_still_set_on_its_reports()
        {
            using var ps = _emulator.NewSession();
            using var admin = _emulator.NewSession();
            Action someoneElse = () => Assert.Empty(admin.Run(Person("boss") + " | Sync-SfUser -Profile 'Standard User'").Errors);
            var result = ps.Run("& { " + Person("boss") + "; $someoneElse.Invoke(); " + Person("aide", "; Manager = 'boss@carried.example.com'") + " } | " +
                "Sync-SfUser -Profile 'Standard User' -BatchSize 1", new System.Collections.Hashtable { ["someoneElse"] = someoneElse });
            Assert.Empty(result.Errors);
            Assert.True(Actions(result).SequenceEqual(new[] { "Unchanged", "Created" }), Show(result));
            Assert.True(!(result.Output[1].Prop("Message") ?? "").Contains("ManagerId not set"), Show(result));
            Assert.Equal(Field("boss@carried.example.com", "Id"), Field("aide@carried.example.com", "ManagerId"));
        }

        /// <summary>
        /// The manager's create goes out in an earlier batch of whole calls (1,000 records) with no report
        /// waiting in it; a report in a later window still finds it. An earlier report (before the manager in
        /// the input, in an earlier window) looked the manager's key up and found no one, but its write was
        /// still carried (-UseBulkApi Auto holds writes until the end of the input) when the manager came:
        /// it waits for the manager's create like any other report and gets ManagerId in the same run.
        /// </summary>
        [Fact]
        public void A_report_before_its_manager_in_the_input_gets_ManagerId_in_the_same_run_while_its_write_is_carried()
        {
            using var ps = _emulator.NewSession();
            // -BatchSize 10: the early report and nine others in the first window, the manager in the second.
            string fillers = "(1..1008 | ForEach-Object { [pscustomobject]@{ Username = \"f$_@carried.example.com\"; LastName = \"F$_\"; Email = \"f$_@carried.example.com\" } })";
            // The early report spells the manager's key in other case: keys are case-insensitive.
            var result = ps.Run("$f = " + fillers + "; $people = @(" + Person("early", "; Manager = 'HEAD@carried.example.com'") + ") + $f[0..8] + " +
                "@(" + Person("head") + ") + $f[9..1007] + " +
                "@(" + Person("late", "; Manager = 'head@carried.example.com'") + "); " +
                "$people | Sync-SfUser -Profile 'Standard User' -BatchSize 10 | Where-Object { $_.Username -in 'early@carried.example.com', 'head@carried.example.com', 'late@carried.example.com' }");
            Assert.Empty(result.Errors);
            Assert.DoesNotContain(result.Output, o => (o.Prop("Message") ?? "").Contains("not in Salesforce"));
            string headId = Field("head@carried.example.com", "Id");
            foreach (string report in new[] { "early", "late" })
            {
                var output = result.Output.Single(o => o.Prop("Username") == report + "@carried.example.com");
                Assert.True(output.Prop("Action") == "Created", Show(result));
                Assert.DoesNotContain("ManagerId not set", output.Prop("Message") ?? "");
                Assert.Contains("ManagerId", output.Prop("ChangedFields"));
                Assert.Equal(headId, Field(report + "@carried.example.com", "ManagerId"));
            }
        }

        private static string People(string domain, params string[] rows) => "@(" + string.Join(", ", rows.Select(r => r.Replace("carried.example.com", domain))) + ")";

        /// <summary>
        /// Writes going out in whole bursts (-UseBulkApi Never, -MaxConcurrentRequests 1: every 1,000 records):
        /// the early report is written (and reported) without ManagerId before its manager comes in the input.
        /// Once the manager's create is confirmed, ManagerId is set on it in the same run, in the same call as
        /// the later report's second-pass write: the run costs exactly the calls of one whose early report has
        /// no manager (counted against a twin input in another domain).
        /// </summary>
        [Fact]
        public void A_report_written_before_its_manager_came_in_the_input_gets_ManagerId_after_the_managers_create_at_no_extra_call()
        {
            using var ps = _emulator.NewSession();
            // -BatchSize 10: the first 1,000 writes go out after the 101st window (1,010 carried), the manager comes in the 102nd.
            string fillers = "(1..1015 | ForEach-Object { [pscustomobject]@{ Username = \"f$_@DOMAIN\"; LastName = \"F$_\"; Email = \"f$_@DOMAIN\" } })";
            string Script(string domain, string earlyManager)
                => "$f = " + fillers.Replace("DOMAIN", domain) + "; $people = " + People(domain, Person("early", earlyManager)) + " + $f + " +
                   People(domain, Person("head"), Person("late", "; Manager = 'head@carried.example.com'").Replace("carried.example.com", domain)) + "; " +
                   "$people | Sync-SfUser -Profile 'Standard User' -BatchSize 10 -UseBulkApi Never -MaxConcurrentRequests 1 | Where-Object { $_.Username -like 'early@*' -or $_.Username -like 'head@*' -or $_.Username -like 'late@*' }";

            long before = _emulator.ApiCalls;
            var twin = ps.Run(Script("twin.example.com", ""));
            long twinCalls = _emulator.ApiCalls - before;
            Assert.Empty(twin.Errors);

            before = _emulator.ApiCalls;
            var result = ps.Run(Script("linked.example.com", "; Manager = 'head@linked.example.com'"));
            long calls = _emulator.ApiCalls - before;
            Assert.Empty(result.Errors);
            Assert.True(Actions(result).SequenceEqual(new[] { "Created", "Created", "Created" }), Show(result));
            // The early report's result was out before its manager came: it says what was true then ...
            Assert.Contains("is not in Salesforce", result.Output[0].Prop("Message"));
            // ... and the manager's result says its ManagerId was set after all.
            Assert.Contains("Set as the manager (ManagerId) of early@linked.example.com", result.Output[1].Prop("Message"));
            string headId = Field("head@linked.example.com", "Id");
            Assert.Equal(headId, Field("early@linked.example.com", "ManagerId"));
            Assert.Equal(headId, Field("late@linked.example.com", "ManagerId"));
            Assert.Equal(twinCalls, calls);
        }

        /// <summary>
        /// 1,001 writes in one window: the first 1,000 fill a call and go out, the last is carried. A report
        /// at position 1,000 whose manager is the 1,001st stays carried with its manager instead of going out
        /// without ManagerId.
        /// </summary>
        [Fact]
        public void A_report_is_never_written_in_a_batch_before_its_managers_carried_create()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("$people = (1..999 | ForEach-Object { [pscustomobject]@{ Username = \"g$_@carried.example.com\"; LastName = \"G$_\"; Email = \"g$_@carried.example.com\" } }) + " +
                "@(" + Person("report", "; Manager = 'lead@carried.example.com'") + ", " + Person("lead") + "); " +
                "$people | Sync-SfUser -Profile 'Standard User' | Where-Object { $_.Username -in 'report@carried.example.com', 'lead@carried.example.com' }");
            Assert.Empty(result.Errors);
            Assert.True(Actions(result).SequenceEqual(new[] { "Created", "Created" }), Show(result));
            Assert.Equal(Field("lead@carried.example.com", "Id"), Field("report@carried.example.com", "ManagerId"));
        }

        private const string Collect = "$ErrorActionPreference = 'Stop'; $seen = [System.Collections.Generic.List[object]]::new(); $caught = $null; ";

        /// <summary>
        /// A $null input under $ErrorActionPreference = 'Stop': the users before it, whose writes were carried
        /// (one user per window), are written and yield their results before its terminating error; the input
        /// after it is never sent.
        /// </summary>
        [Fact]
        public void A_null_input_under_ErrorAction_Stop_writes_and_reports_the_carried_users_first_and_sends_nothing_after_it()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run(Collect + "try { @(" + Person("early1") + ", " + Person("early2") + ", $null, " + Person("late") + ") | " +
                "Sync-SfUser -Profile 'Standard User' -BatchSize 1 | ForEach-Object { $seen.Add($_) } } catch { $caught = $_ }; " +
                "$seen | ForEach-Object { \"$($_.InputIndex):$($_.Action)\" }; 'error=' + $caught.FullyQualifiedErrorId");
            Assert.Empty(result.Errors);
            var lines = result.Output.Select(o => o.ToString()).ToList();
            Assert.Equal(new[] { "0:Created", "1:Created", "2:Failed" }, lines.Take(lines.Count - 1));
            Assert.StartsWith("error=NullInput,", lines.Last());
            Assert.NotNull(Field("early1@carried.example.com", "Id"));
            Assert.NotNull(Field("early2@carried.example.com", "Id"));
            Assert.Empty(_emulator.Query("SELECT Id FROM User WHERE Username = 'late@carried.example.com'"));
        }

        /// <summary>The same for a row without its key under a rule (refused before any call).</summary>
        [Fact]
        public void A_row_without_its_key_under_ErrorAction_Stop_writes_and_reports_the_carried_users_first()
        {
            using var ps = RuleSession();
            var result = ps.Run(Collect + "try { @(" + Person("first1") + ", " + Person("first2") + ", [pscustomobject]@{ LastName = 'Nokey'; Email = 'nokey@carried.example.com' }, " + Person("after") + ") | " +
                "Sync-SfUser -Rule hr -StatePath $state -BatchSize 1 | ForEach-Object { $seen.Add($_) } } catch { $caught = $_ }; " +
                "$seen | ForEach-Object { \"$($_.InputIndex):$($_.Action)\" }; 'error=' + $caught.FullyQualifiedErrorId");
            Assert.Empty(result.Errors);
            var lines = result.Output.Select(o => o.ToString()).ToList();
            Assert.Equal(new[] { "0:Created", "1:Created", "2:Failed" }, lines.Take(lines.Count - 1));
            Assert.DoesNotMatch("^error=$", lines.Last());
            Assert.NotNull(Field("first1@carried.example.com", "Id"));
            Assert.NotNull(Field("first2@carried.example.com", "Id"));
            Assert.Empty(_emulator.Query("SELECT Id FROM User WHERE Username = 'after@carried.example.com'"));
        }
    }
}
