using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Answers lost after Salesforce committed the work (issue 11 #19, #20). Salesforce lists dropped connections
    /// and 502/503/504 from the edge among the transient failures a client meets; a create of a Contact or Lead
    /// has no unique key Salesforce checks, so a blind resend would make a second record. Each lost create is
    /// read back by its match key first (never created twice), and when confirming it is stopped (the daily
    /// limit), its result says NotConfirmed, never a definite failure.
    /// </summary>
    public class LostAnswerTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _acme;

        public LostAnswerTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
            _acme = _emulator.Query("SELECT Id FROM Account WHERE Name = 'Acme Corporation'").Single()["Id"].ToString();
        }

        private static string People(int count) =>
            $"$people = 1..{count} | ForEach-Object {{ [pscustomobject]@{{ mail = \"p$_@lost.example.com\"; sn = \"Lost$_\"; RecordType = @('Contact', 'Lead')[$_ % 2] }} }}; ";

        private static object LostAnswers(string kind, int? httpStatus, string bodyContains) =>
            new { kind, httpStatus, rate = 0.35, seed = 11, pathContains = "/composite", method = "POST", bodyContains };

        private static void AssertNothingDoubled(EmulatorFixture emulator, string sObject, string like, long expected)
        {
            long total = emulator.QueryTotal($"SELECT COUNT() FROM {sObject} WHERE Email LIKE '{like}'");
            long distinct = emulator.Query($"SELECT Email FROM {sObject} WHERE Email LIKE '{like}'").Select(r => r["Email"].ToString().ToLowerInvariant()).Distinct().Count();
            Assert.Equal(expected, distinct);
            Assert.Equal(expected, total);
        }

        [Theory]
        [InlineData("DropAfterCommit", null)]
        [InlineData("ErrorAfterCommit", 502)]
        [InlineData("ErrorAfterCommit", 503)]
        [InlineData("ErrorAfterCommit", 504)]
        public void Contacts_and_leads_whose_answers_were_lost_are_never_created_twice(string kind, int? httpStatus)
        {
            using var ps = _emulator.NewSession($"-Target LeadsAndContacts -AccountId {_acme} -DefaultCompany 'Lost Co'");
            // The writes are carried to full calls, so the 300 creates go out in one request: its first answer is
            // always lost, and a share of the requests after it (the resends) lose theirs too.
            _emulator.InjectFaults(new object[]
            {
                new { kind, httpStatus, count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"method\":\"POST\"" },
                LostAnswers(kind, httpStatus, "\"method\":\"POST\""),
            });
            var result = ps.Run(People(300) + "$people | Sync-SfUser -BatchSize 20");
            Assert.Equal(300, result.Output.Count);
            string summary = string.Join("; ", result.Output.GroupBy(o => o.Prop("Action") + "/" + o.Prop("ErrorCode")).Select(g => g.Key + "=" + g.Count()));
            Assert.True(result.Output.All(o => o.Prop("Action") == "Created"), summary);
            Assert.Contains(_emulator.Get("requests")["requests"].AsArray(), r => r["fault"]?.ToString() == kind);
            AssertNothingDoubled(_emulator, "Contact", "%@lost.example.com", 150);
            AssertNothingDoubled(_emulator, "Lead", "%@lost.example.com", 150);

            _emulator.ClearFaults();
            Assert.All(ps.Run(People(300) + "$people | Sync-SfUser").Output, o => Assert.Equal("Unchanged", o.Prop("Action")));
        }

        [Theory]
        [InlineData("DropAfterCommit", null)]
        [InlineData("ErrorAfterCommit", 502)]
        public void Community_contacts_whose_answers_were_lost_are_never_created_twice(string kind, int? httpStatus)
        {
            using var ps = _emulator.NewSession($"-Target Communities -AccountId {_acme}");
            // The writes are carried to full calls, so the 100 contacts go out in one request: its first answer is
            // always lost, and a share of the requests after it (the read-backs' resends) lose theirs too.
            _emulator.InjectFaults(new object[]
            {
                new { kind, httpStatus, count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"type\":\"Contact\"" },
                LostAnswers(kind, httpStatus, "\"type\":\"Contact\""),
            });
            var result = ps.Run("$people = 1..100 | ForEach-Object { [pscustomobject]@{ Username = \"c$_@portal-lost.example.com\"; LastName = \"Portal$_\"; Email = \"c$_@portal-lost.example.com\" } }; " +
                "$people | Sync-SfUser -Profile 'Customer Community User' -BatchSize 10");
            string summary = string.Join("; ", result.Output.GroupBy(o => o.Prop("Action") + "/" + o.Prop("ErrorCode")).Select(g => g.Key + "=" + g.Count()));
            Assert.True(result.Output.Count == 100 && result.Output.All(o => o.Prop("Action") == "Created"), summary);
            Assert.Contains(_emulator.Get("requests")["requests"].AsArray(), r => r["fault"]?.ToString() == kind);
            AssertNothingDoubled(_emulator, "Contact", "%@portal-lost.example.com", 100);
            Assert.Equal(100, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@portal-lost.example.com'"));
        }

        [Fact]
        public void Users_whose_write_lost_its_answer_and_then_met_the_daily_limit_are_not_confirmed_and_a_rerun_confirms_them()
        {
            using var ps = _emulator.NewSession();
            // preflight, matching read, the write (committed, its answer lost): then the allowance is gone, so
            // neither the resend nor a read-back can confirm it.
            _emulator.Post("limits", "{\"max\":15000,\"remaining\":3}");
            _emulator.InjectFaults(new[] { new { kind = "DropAfterCommit", count = 1, pathContains = "/composite", bodyContains = "\"method\":\"POST\"" } });
            const string users = "$users = 1..100 | ForEach-Object { [pscustomobject]@{ Username = \"u$_@unconfirmed.example.com\"; LastName = \"U$_\"; Email = \"u$_@unconfirmed.example.com\" } }; ";
            var stopped = ps.Run(users + "$users | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal(100, stopped.Output.Count);
            string summary = string.Join("; ", stopped.Output.GroupBy(o => o.Prop("Action") + "/" + o.Prop("ErrorCode")).Select(g => g.Key + "=" + g.Count()));
            Assert.True(stopped.Output.All(o => o.Prop("ErrorCode") == "NotConfirmed"), summary);
            Assert.All(stopped.Output, o => Assert.Contains("again", o.Prop("Remedy")));
            Assert.Contains(stopped.Errors, e => e.FullyQualifiedErrorId.StartsWith("NotConfirmed,"));
            Assert.Contains(stopped.Errors, e => e.FullyQualifiedErrorId.StartsWith("RequestLimitExceeded,"));

            _emulator.Post("limits", "{\"max\":15000,\"remaining\":15000}");
            Assert.Equal(100, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@unconfirmed.example.com'"));
            var rerun = ps.Run(users + "$users | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(rerun.Errors);
            Assert.All(rerun.Output, o => Assert.Equal("Unchanged", o.Prop("Action")));
        }

        [Fact]
        public void Users_whose_write_lost_its_answer_and_whose_session_then_cannot_be_renewed_are_confirmed_by_reading_back()
        {
            using var ps = _emulator.NewSession();
            // The write commits and its answer is lost; the resend meets a session Salesforce keeps refusing even
            // after a fresh token (a stop). The users exist, so reading them back confirms them: never Failed.
            _emulator.InjectFaults(new object[]
            {
                new { kind = "DropAfterCommit", count = 1, pathContains = "/composite", bodyContains = "\"method\":\"POST\"" },
                new { kind = "InvalidSession", count = 10, pathContains = "/composite", bodyContains = "\"method\":\"POST\"" },
            });
            var result = ps.Run("1..30 | ForEach-Object { [pscustomobject]@{ Username = \"r$_@renew.example.com\"; LastName = \"R$_\"; Email = \"r$_@renew.example.com\" } } | Sync-SfUser -Profile 'Standard User'");
            string summary = string.Join("; ", result.Output.GroupBy(o => o.Prop("Action") + "/" + o.Prop("ErrorCode")).Select(g => g.Key + "=" + g.Count()));
            Assert.True(result.Output.Count == 30 && result.Output.All(o => o.Prop("Action") == "Created"), summary);
            Assert.Equal(30, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@renew.example.com'"));
        }

        [Fact]
        public void Contacts_whose_create_lost_its_answer_and_then_met_the_daily_limit_are_not_confirmed_and_never_doubled()
        {
            using var ps = _emulator.NewSession($"-Target LeadsAndContacts -AccountId {_acme} -DefaultCompany 'Lost Co'");
            long before = _emulator.ApiCalls;
            Assert.Empty(ps.Run("[pscustomobject]@{ mail = 'warm@lost-limit.example.com'; sn = 'Warm' } | Sync-SfUser").Errors);
            long oneRun = _emulator.ApiCalls - before; // preflight, read, write

            _emulator.Post("limits", $"{{\"max\":15000,\"remaining\":{oneRun}}}");
            _emulator.InjectFaults(new[] { new { kind = "ErrorAfterCommit", httpStatus = 502, count = 1, pathContains = "/composite", bodyContains = "\"method\":\"POST\"" } });
            const string people = "$people = 1..40 | ForEach-Object { [pscustomobject]@{ mail = \"q$_@lost-limit.example.com\"; sn = \"Q$_\" } }; ";
            var stopped = ps.Run(people + "$people | Sync-SfUser");
            string summary = string.Join("; ", stopped.Output.GroupBy(o => o.Prop("Action") + "/" + o.Prop("ErrorCode")).Select(g => g.Key + "=" + g.Count()));
            Assert.True(stopped.Output.Count == 40 && stopped.Output.All(o => o.Prop("ErrorCode") == "NotConfirmed"), summary);

            _emulator.Post("limits", "{\"max\":15000,\"remaining\":15000}");
            var rerun = ps.Run(people + "$people | Sync-SfUser");
            Assert.All(rerun.Output, o => Assert.Equal("Unchanged", o.Prop("Action")));
            AssertNothingDoubled(_emulator, "Contact", "q%@lost-limit.example.com", 40);
        }
    }
}
