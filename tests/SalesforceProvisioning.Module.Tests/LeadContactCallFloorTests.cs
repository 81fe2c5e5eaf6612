using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Counted calls of a Leads and Contacts sync (issue 14), the benchmark's 10,000 people scaled down: 600
    /// people, every other one a Lead, in windows of 100 (-BatchSize 100). Before, each window queried its
    /// contacts, its leads and its converted leads by Email (three calls) and wrote its own changes (one
    /// call), and preparing took three calls (the describes and statuses, the Account describe, the account).
    /// Now one call prepares (it counts the org's Contacts and Leads too), the org's contacts and leads are
    /// read at once with the first window (one page each: cheaper than that window's three queries), and the
    /// writes are carried across windows to the end: 600 creates are four collections, one call; six updates
    /// one call.
    /// </summary>
    public class LeadContactCallFloorTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _acme;

        public LeadContactCallFloorTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
            _acme = _emulator.Query("SELECT Id FROM Account WHERE Name = 'Acme Corporation'").Single()["Id"].ToString();
        }

        /// <param name="title">A PowerShell expression of $_ (the person's number).</param>
        private static string Sync(string title) =>
            "$people = 1..600 | ForEach-Object { [pscustomobject]@{ mail = \"p$_@floor.example.com\"; sn = \"P$_\"; " +
            $"Title = {title}; RecordType = $(if ($_ % 2) {{ 'Lead' }} else {{ 'Contact' }}) }} }}; $people | Sync-SfUser -BatchSize 100";

        [Fact]
        public void People_are_matched_from_one_read_of_the_org_and_their_writes_go_out_in_full_calls()
        {
            using var ps = _emulator.NewSession($"-Target LeadsAndContacts -AccountId {_acme} -DefaultCompany 'Floor Co'");

            Assert.Equal(3, _emulator.Calls(ps, Sync("'Engineer'"), out string[] created));
            Assert.Equal(600, created.Count(a => a == "Created"));
            Assert.Equal(300, _emulator.QueryTotal("SELECT COUNT() FROM Lead WHERE Email LIKE '%@floor.example.com'"));

            Assert.Equal(2, _emulator.Calls(ps, Sync("'Engineer'"), out string[] unchanged));
            Assert.Equal(600, unchanged.Count(a => a == "Unchanged"));

            // One in a hundred changed: six updates, one in each window.
            Assert.Equal(3, _emulator.Calls(ps, Sync("$(if ($_ % 100 -eq 0) { 'Senior Engineer' } else { 'Engineer' })"), out string[] changed));
            Assert.Equal(6, changed.Count(a => a == "Updated"));
            Assert.Equal(594, changed.Count(a => a == "Unchanged"));
            Assert.Equal(6, _emulator.QueryTotal("SELECT COUNT() FROM Contact WHERE Title = 'Senior Engineer' AND Email LIKE '%@floor.example.com'"));
        }

        [Fact]
        public void Carried_writes_stopped_by_the_daily_limit_give_every_person_a_result_and_a_rerun_writes_them()
        {
            using var ps = _emulator.NewSession($"-Target LeadsAndContacts -AccountId {_acme} -DefaultCompany 'Floor Co'");
            // Preparing and reading the org take the two calls left; the carried creates meet the limit.
            _emulator.Post("limits", "{\"max\":15000,\"remaining\":2}");
            var stopped = ps.Run(Sync("'Engineer'"));
            string summary = string.Join("; ", stopped.Output.GroupBy(o => o.Prop("Action") + "/" + o.Prop("ErrorCode")).Select(g => g.Key + "=" + g.Count()));
            Assert.True(stopped.Output.Count == 600 && stopped.Output.All(o => o.Prop("Action") == "Failed" && o.Prop("ErrorCode") == "REQUEST_LIMIT_EXCEEDED"), summary);
            Assert.Contains(stopped.Errors, e => e.FullyQualifiedErrorId.StartsWith("RequestLimitExceeded,"));

            _emulator.Post("limits", "{\"max\":15000,\"remaining\":15000}");
            Assert.Equal(0, _emulator.QueryTotal("SELECT COUNT() FROM Contact WHERE Email LIKE '%@floor.example.com'"));
            Assert.Equal(3, _emulator.Calls(ps, Sync("'Engineer'"), out string[] created));
            Assert.Equal(600, created.Count(a => a == "Created"));
        }
    }
}
