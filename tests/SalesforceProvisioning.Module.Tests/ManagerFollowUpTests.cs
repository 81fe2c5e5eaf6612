using System;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// What README's "Manager" bullet promises a user sees when a report was written before its manager came in
    /// the input: the one more ManagerId update after the manager's create, when it fails, and -WhatIf's plan.
    /// </summary>
    public class ManagerFollowUpTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;

        public ManagerFollowUpTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.UseOrg(EmulatorFixture.BusinessOnly);
            _emulator.ClearFaults();
        }

        public void Dispose() => _emulator.ClearFaults();

        private static string Person(string name, string domain, string extra = "")
            => $"[pscustomobject]@{{ Username = '{name}@{domain}'; LastName = '{name}'; Email = '{name}@{domain}'{extra} }}";

        private static string Show(ScriptResult r) => string.Join("; ", r.Output.Select(o => $"{o.Prop("Username")}:{o.Prop("Action")}:{o.Prop("ErrorCode")}:{o.Prop("Message")}"))
            + " | errors: " + string.Join("; ", r.Errors.Select(e => e.ToString()));

        private string Field(string username, string field)
            => _emulator.Query($"SELECT {field} FROM User WHERE Username = '{username}'").Single()[field]?.ToString();

        /// <summary>
        /// Writes go out in whole bursts (-UseBulkApi Never, -MaxConcurrentRequests 1: every 1,000 records), so the
        /// early report is written and reported without ManagerId before its manager comes in the input. The one more
        /// update that sets it once the manager's create is confirmed fails for that record: the manager's result
        /// says so (the report's own result is out already), the later report still gets its ManagerId, and running
        /// again sets the early report's.
        /// </summary>
        [Fact]
        public void A_failed_ManagerId_update_of_a_report_written_before_its_manager_is_told_in_the_managers_result()
        {
            const string domain = "followup.example.com";
            using var ps = _emulator.NewSession();
            // The update that sets ManagerId on the early report is refused (a validation rule, say), every time.
            _emulator.InjectFaults(new[] { new { kind = "RecordError", count = 10, pathContains = "/composite", method = "POST", bodyContains = "\"ManagerId\":\"",
                recordField = "Username", recordValues = new[] { "early@" + domain }, statusCode = "FIELD_CUSTOM_VALIDATION_EXCEPTION", message = "Managers are set by HR" } });
            // -BatchSize 10: the first 1,000 writes go out after the 101st window (1,010 carried), the manager comes in the 102nd.
            string fillers = $"(1..1015 | ForEach-Object {{ [pscustomobject]@{{ Username = \"f$_@{domain}\"; LastName = \"F$_\"; Email = \"f$_@{domain}\" }} }})";
            var result = ps.Run("$people = @(" + Person("early", domain, $"; Manager = 'head@{domain}'") + ") + " + fillers + " + @(" +
                Person("head", domain) + ", " + Person("late", domain, $"; Manager = 'head@{domain}'") + "); " +
                "$people | Sync-SfUser -Profile 'Standard User' -BatchSize 10 -UseBulkApi Never -MaxConcurrentRequests 1 | " +
                "Where-Object { $_.Username -in 'early@" + domain + "', 'head@" + domain + "', 'late@" + domain + "' }");

            Assert.Empty(result.Errors);
            Assert.True(result.Output.Select(o => o.Prop("Action")).SequenceEqual(new[] { "Created", "Created", "Created" }), Show(result));
            Assert.Equal($"Manager 'head@{domain}' (Username) is not in Salesforce; ManagerId not set.", result.Output[0].Prop("Message"));
            Assert.Equal($"Setting it as the manager (ManagerId) of early@{domain} failed (FIELD_CUSTOM_VALIDATION_EXCEPTION: Managers are set by HR); " +
                "run again to set it (a rule's next run looks its manager up again).", result.Output[1].Prop("Message"));
            Assert.Null(Field("early@" + domain, "ManagerId"));
            Assert.Equal(Field("head@" + domain, "Id"), Field("late@" + domain, "ManagerId"));

            _emulator.ClearFaults();
            var again = ps.Run(Person("early", domain, $"; Manager = 'head@{domain}'") + " | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(again.Errors);
            Assert.Equal("Updated", again.Output.Single().Prop("Action"));
            Assert.Equal(Field("head@" + domain, "Id"), Field("early@" + domain, "ManagerId"));
        }

        /// <summary>
        /// Under -WhatIf nothing is carried and nothing created: the report before its manager (an earlier window)
        /// shows "not in Salesforce", and a report after it is planned with its manager's Id to come.
        /// </summary>
        [Fact]
        public void Under_WhatIf_a_report_before_its_manager_shows_not_in_Salesforce_and_one_after_it_waits_for_the_create()
        {
            const string domain = "whatif-manager.example.com";
            var console = new RecordingHost();
            using var ps = _emulator.NewSession(consoleHost: console);
            console.ClearLines();
            long written = _emulator.RecordsWritten;
            var result = ps.Run("@(" + Person("early", domain, $"; Manager = 'head@{domain}'") + ", " + Person("head", domain) + ", " +
                Person("late", domain, $"; Manager = 'head@{domain}'") + ") | Sync-SfUser -Profile 'Standard User' -BatchSize 1 -WhatIf");

            Assert.Empty(result.Errors);
            Assert.Equal(written, _emulator.RecordsWritten);
            Assert.True(result.Output.Select(o => o.Prop("Action")).SequenceEqual(new[] { "Created", "Created", "Created" }), Show(result));
            Assert.All(result.Output, o => Assert.Equal("True", o.Prop("WhatIf")));
            Assert.Equal($"Manager 'head@{domain}' (Username) is not in Salesforce; ManagerId not set.", result.Output[0].Prop("Message"));
            Assert.Equal($"ManagerId is set once the manager 'head@{domain}' is created in this run (second pass).", result.Output[2].Prop("Message"));

            string WhatIfLine(string name) => Assert.Single(console.Lines, l => l.StartsWith($"What if: Performing the operation \"Create Salesforce user\" on target \"{name}@{domain} (", StringComparison.Ordinal));
            Assert.DoesNotContain("ManagerId", WhatIfLine("early"));
            Assert.EndsWith($"Alias=late; ManagerId=<'head@{domain}', once created>)\".", WhatIfLine("late"));
        }
    }
}
