using System;
using System.IO;
using System.Linq;
using System.Threading;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// A write whose answer was lost may still be carried out after the client gave up: Salesforce's REST API
    /// guide lists a dropped connection and the edge's 502/503/504 among the answers that say nothing of the work
    /// ("Status Codes and Error Responses", https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm),
    /// so a read-back that does not find the record proves nothing. Such a write is NotConfirmed, never a definite
    /// failure, the rule records no fingerprint for it, and the next run finds it (or writes it) exactly once.
    /// </summary>
    [Collection("Process environment")]
    public class UnconfirmedWriteTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-unconfirmed-" + Guid.NewGuid().ToString("N"));

        public UnconfirmedWriteTests(EmulatorFixture emulator)
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

        private string State => Path.Combine(_folder, "state.db");

        private PowerShellHost SessionWithRule(string connectionArguments, string ruleArguments)
        {
            var ps = _emulator.NewSession(connectionArguments);
            var made = ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{State}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                $"$null = New-SfProvisioningRule -Name hr -ConnectionName prod {ruleArguments} -StatePath $state");
            Assert.True(made.Errors.Count == 0, made.AllText());
            return ps;
        }

        private static void WaitFor(Func<bool> done)
        {
            for (int i = 0; i < 300 && !done(); i++) Thread.Sleep(10);
        }

        /// <summary>
        /// Every send of a user's create loses its answer (two attempts a round, four rounds). The last is carried
        /// out only after the read-back that follows it, so the run cannot find the user: NotConfirmed, not Failed.
        /// </summary>
        [Fact]
        public void A_user_create_read_back_as_missing_in_the_last_round_is_not_confirmed_and_the_next_run_finds_it()
        {
            using var ps = SessionWithRule("-MaxRetryCount 1", "-Profile 'Standard User'");
            const string person = "[pscustomobject]@{ Username = 'late@unconfirmed.example.com'; LastName = 'Late'; Email = 'late@unconfirmed.example.com' }";
            _emulator.InjectFaults(new object[]
            {
                new { kind = "DropConnection", count = 7, pathContains = "/composite", method = "POST", bodyContains = "\"type\":\"User\"" },
                new { kind = "LateCommit", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"type\":\"User\"" },
            });
            var first = ps.Run(person + " | Sync-SfUser -Rule hr -StatePath $state -ErrorAction SilentlyContinue");
            var result = Assert.Single(first.Output);
            Assert.True(result.Prop("ErrorCode") == "NotConfirmed", result.Prop("Action") + "/" + result.Prop("ErrorCode") + ": " + result.Prop("Message"));
            Assert.Contains(_emulator.Get("requests")["requests"].AsArray(), r => r["fault"]?.ToString() == "LateCommit");
            // Salesforce carried it out after the run's read-back.
            WaitFor(() => _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username = 'late@unconfirmed.example.com'") == 1);
            Assert.Equal(1, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username = 'late@unconfirmed.example.com'"));

            // Not recorded as synced: the rule keeps no fingerprint for it (a create without an Id is not recorded at all).
            var status = ps.Run("Get-SfSyncStatus -Rule hr -ByUser -StatePath $state");
            Assert.True(status.Errors.Count == 0, status.AllText());
            Assert.DoesNotContain(status.Output, r => !string.IsNullOrEmpty(r.Prop("Fingerprint")));

            _emulator.ClearFaults();
            var next = ps.Run(person + " | Sync-SfUser -Rule hr -StatePath $state");
            Assert.True(next.Errors.Count == 0, next.AllText());
            Assert.Equal("Unchanged", Assert.Single(next.Output).Prop("Action"));
            Assert.Equal(1, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username = 'late@unconfirmed.example.com'"));
        }

        /// <summary>
        /// A community user's contact whose create lost its answer, carried out only after the read-back that
        /// looked for it: a resend in the same run would make a second contact (Contact has no unique key). The
        /// person is NotConfirmed, and the next run finds the one contact by account and email and creates the user on it.
        /// </summary>
        [Fact]
        public void A_community_contact_read_back_as_missing_is_not_confirmed_and_never_created_twice()
        {
            string acme = _emulator.Query("SELECT Id FROM Account WHERE Name = 'Acme Corporation'").Single()["Id"].ToString();
            using var ps = _emulator.NewSession($"-Target Communities -AccountId {acme}");
            const string person = "[pscustomobject]@{ Username = 'late@portal-unconfirmed.example.com'; LastName = 'Late'; Email = 'late@portal-unconfirmed.example.com' }";
            const string sync = " | Sync-SfUser -Profile 'Customer Community User' -ErrorAction SilentlyContinue";
            _emulator.InjectFaults(new[] { new { kind = "LateCommit", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"type\":\"Contact\"" } });
            var first = ps.Run(person + sync);
            var result = Assert.Single(first.Output);
            Assert.True(result.Prop("ErrorCode") == "NotConfirmed", result.Prop("Action") + "/" + result.Prop("ErrorCode") + ": " + result.Prop("Message"));
            Assert.Contains(_emulator.Get("requests")["requests"].AsArray(), r => r["fault"]?.ToString() == "LateCommit");
            WaitFor(() => _emulator.QueryTotal("SELECT COUNT() FROM Contact WHERE Email = 'late@portal-unconfirmed.example.com'") > 0);
            Assert.Equal(0, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username = 'late@portal-unconfirmed.example.com'"));

            _emulator.ClearFaults();
            var next = ps.Run(person + sync);
            Assert.True(next.Errors.Count == 0, next.AllText());
            Assert.Equal("Created", Assert.Single(next.Output).Prop("Action"));
            Assert.Equal(1, _emulator.QueryTotal("SELECT COUNT() FROM Contact WHERE Email = 'late@portal-unconfirmed.example.com'"));
            string contactId = _emulator.Query("SELECT Id FROM Contact WHERE Email = 'late@portal-unconfirmed.example.com'").Single()["Id"].ToString();
            var user = _emulator.Query("SELECT ContactId FROM User WHERE Username = 'late@portal-unconfirmed.example.com'").Single();
            Assert.Equal(contactId, user["ContactId"].ToString());
        }

        /// <summary>
        /// The same for the Leads and Contacts target: a Contact whose create lost its answer and was carried out
        /// only after the read-back is NotConfirmed, never sent again in that run; the next run finds it by email.
        /// </summary>
        [Fact]
        public void A_contact_read_back_as_missing_is_not_confirmed_and_never_created_twice()
        {
            string acme = _emulator.Query("SELECT Id FROM Account WHERE Name = 'Acme Corporation'").Single()["Id"].ToString();
            using var ps = _emulator.NewSession($"-Target LeadsAndContacts -AccountId {acme} -DefaultCompany 'Late Co'");
            const string person = "[pscustomobject]@{ mail = 'late@contact-unconfirmed.example.com'; sn = 'Late' } | Sync-SfUser -ErrorAction SilentlyContinue";
            _emulator.InjectFaults(new[] { new { kind = "LateCommit", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"type\":\"Contact\"" } });
            var first = ps.Run(person);
            var result = Assert.Single(first.Output);
            Assert.True(result.Prop("ErrorCode") == "NotConfirmed", result.Prop("Action") + "/" + result.Prop("ErrorCode") + ": " + result.Prop("Message"));
            WaitFor(() => _emulator.QueryTotal("SELECT COUNT() FROM Contact WHERE Email = 'late@contact-unconfirmed.example.com'") > 0);

            _emulator.ClearFaults();
            var next = ps.Run(person);
            Assert.True(next.Errors.Count == 0, next.AllText());
            Assert.Equal("Unchanged", Assert.Single(next.Output).Prop("Action"));
            Assert.Equal(1, _emulator.QueryTotal("SELECT COUNT() FROM Contact WHERE Email = 'late@contact-unconfirmed.example.com'"));
        }

        /// <summary>
        /// The users' create commits and its answer is lost; the client's resend is answered DUPLICATE_USERNAME,
        /// and then the daily allowance is gone, so the read-back that would confirm them is refused
        /// (REQUEST_LIMIT_EXCEEDED). They are in Salesforce: NotConfirmed, never "not sent".
        /// </summary>
        [Fact]
        public void Users_whose_resend_met_a_duplicate_and_whose_read_back_met_the_daily_limit_are_not_confirmed()
        {
            using var ps = _emulator.NewSession();
            // preflight, matching read, the write (committed, its answer lost), its resend: then the allowance is gone.
            _emulator.Post("limits", "{\"max\":15000,\"remaining\":4}");
            _emulator.InjectFaults(new[] { new { kind = "DropAfterCommit", count = 1, pathContains = "/composite", bodyContains = "\"type\":\"User\"" } });
            const string users = "$users = 1..20 | ForEach-Object { [pscustomobject]@{ Username = \"d$_@dup-limit.example.com\"; LastName = \"D$_\"; Email = \"d$_@dup-limit.example.com\" } }; ";
            var stopped = ps.Run(users + "$users | Sync-SfUser -Profile 'Standard User' -ErrorAction SilentlyContinue");
            _emulator.Post("limits", "{\"max\":15000,\"remaining\":15000}");
            string summary = string.Join("; ", stopped.Output.GroupBy(o => o.Prop("Action") + "/" + o.Prop("ErrorCode")).Select(g => g.Key + "=" + g.Count()));
            Assert.True(stopped.Output.Count == 20 && stopped.Output.All(o => o.Prop("ErrorCode") == "NotConfirmed"), summary);
            Assert.Equal(20, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@dup-limit.example.com'"));
            Assert.All(ps.Run(users + "$users | Sync-SfUser -Profile 'Standard User'").Output, o => Assert.Equal("Unchanged", o.Prop("Action")));
        }
    }

    /// <summary>
    /// Ctrl+C while a batch is being written (commit cd5ddbe). A user whose earlier send may have been carried out
    /// (its answer was lost and the client's resend met a per-record error: UNABLE_TO_LOCK_ROW here, a
    /// DUPLICATE_USERNAME for a create) is NotConfirmed when the stop ends the batch, never NotSent: Salesforce may
    /// have done it. Only what the stop kept from being sent at all is NotSent.
    /// </summary>
    [Collection("Process environment")]
    public class StoppedAfterLostAnswerTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private const int Users = 1001; // one full composite (five collections of 200) and one more user in a second
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-stoplost-" + Guid.NewGuid().ToString("N"));

        public StoppedAfterLostAnswerTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.UseSeedWithUsers(Users, "held", "stop-lost.example.com", "held");
        }

        public void Dispose()
        {
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":0}");
            _emulator.ClearFaults();
            _emulator.UseOrg(EmulatorFixture.BusinessOnly);
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        [Fact]
        public void A_user_whose_lost_update_was_answered_with_an_error_on_its_resend_is_not_confirmed_when_the_stop_ends_the_batch()
        {
            using var ps = _emulator.NewSession();
            string state = Path.Combine(_folder, "state.db");
            var made = ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{state}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                "$null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -StatePath $state");
            Assert.True(made.Errors.Count == 0, made.AllText());
            string people = $"$people = 0..{Users - 1} | ForEach-Object {{ [pscustomobject]@{{ Username = \"held$_@stop-lost.example.com\"; LastName = \"Held$_\"; Email = \"held$_@stop-lost.example.com\"; Title = 'Moved' }} }}; ";

            // The first composite of updates (1,000 users) commits and its answer is lost; the client sends it again,
            // and that resend is answered UNABLE_TO_LOCK_ROW for every record. One request in flight: the second
            // composite (one user) waits for its turn, and the stop lands while the resend is out.
            _emulator.InjectFaults(new object[]
            {
                new { kind = "DropAfterCommit", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"method\":\"PATCH\"" },
                new { kind = "UnableToLockRow", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"method\":\"PATCH\"" },
            });
            _emulator.Post("latency", "{\"ms\":1500,\"perRecordMs\":0}");
            bool ResendIsOut()
            {
                var log = _emulator.Get("requests")["requests"].AsArray();
                int lost = log.Select((r, i) => r["fault"]?.ToString() == "DropAfterCommit" ? i : -1).Where(i => i >= 0).DefaultIfEmpty(-1).First();
                return lost >= 0 && log.Skip(lost + 1).Any(r => r["path"]?.ToString().EndsWith("/composite", StringComparison.Ordinal) == true);
            }
            bool stopped = ps.RunAndStop(people + "$people | Sync-SfUser -Rule hr -StatePath $state -MaxConcurrentRequests 1", ResendIsOut, TimeSpan.FromMinutes(2));
            Assert.True(stopped, "the run ended before the stop");
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":0}");
            Assert.Equal(1000, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@stop-lost.example.com' AND Title = 'Moved'"));

            var recorded = ps.Run("Get-SfSyncStatus -Rule hr -ByUser -StatePath $state").Output;
            string summary = string.Join("; ", recorded.GroupBy(r => r.Prop("LastAction") + "/" + r.Prop("LastErrorCode")).Select(g => g.Key + "=" + g.Count()));
            Assert.True(recorded.Count == Users, summary);
            Assert.True(recorded.Count(r => r.Prop("LastErrorCode") == "NotConfirmed") == 1000, summary);
            Assert.True(recorded.Count(r => r.Prop("LastErrorCode") == "NotSent") == 1, summary);

            _emulator.ClearFaults();
            var next = ps.Run(people + "$people | Sync-SfUser -Rule hr -StatePath $state");
            Assert.True(next.Errors.Count == 0, next.AllText());
            Assert.Equal(Users - 1, next.Output.Count(o => o.Prop("Action") == "Unchanged"));
            Assert.Equal(1, next.Output.Count(o => o.Prop("Action") == "Updated"));
        }
    }
}
