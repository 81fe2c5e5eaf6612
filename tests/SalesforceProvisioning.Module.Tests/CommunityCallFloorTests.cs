using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Counted calls of a Communities sync (issue 14), the benchmark's 5,000 community users scaled down: 300
    /// people in windows of 100 (-BatchSize 100) under the connection's account. Before, checking the
    /// account took two calls (its describe, then the account), and every window read the account again and
    /// queried its contacts by email (two calls a window). Now one call checks the account and counts its
    /// contacts, the account is read once a run, and its few contacts are read at once with the first window
    /// (one page: no dearer than that window's email query), so later windows read nothing for their contacts.
    /// Writes were sent with each window (a call of contacts and a call of users per window); now they are
    /// carried across windows, contacts with their users, until they fill whole calls of 1,000 or the input ends.
    /// </summary>
    public class CommunityCallFloorTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _acme;

        public CommunityCallFloorTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
            _acme = _emulator.Query("SELECT Id FROM Account WHERE Name = 'Acme Corporation'").Single()["Id"].ToString();
        }

        [Fact]
        public void Community_users_contacts_are_found_from_one_read_of_the_account()
        {
            using var ps = _emulator.NewSession($"-Target Communities -AccountId {_acme}");
            const string sync = "1..300 | ForEach-Object { [pscustomobject]@{ Username = \"c$_@floor.example.com\"; mail = \"c$_@floor.example.com\"; sn = \"C$_\" } } | " +
                "Sync-SfUser -Profile 'Customer Community User' -BatchSize 100";
            long before = _emulator.ApiCalls;
            var run = ps.Run(sync);
            long calls = _emulator.ApiCalls - before;

            Assert.Empty(run.Errors);
            Assert.Equal(300, run.Output.Count(o => o.Prop("Action") == "Created"));
            Assert.Equal(300, _emulator.QueryTotal($"SELECT COUNT() FROM User WHERE ContactId != null AND Username LIKE '%@floor.example.com'"));
            // The org's describe and profiles (1), the account (1), every user (1), the account's contacts (1),
            // then the 300 contacts (1) and the 300 users (1): carried across the three windows (before: 10 calls,
            // a call of contacts and a call of users per window).
            Assert.Equal(6, calls);
        }

        /// <summary>The bench's "1% changed" case scaled down: three users changed, one in each window, cost one write call.</summary>
        [Fact]
        public void A_few_changes_spread_over_the_windows_go_out_in_one_call()
        {
            using var ps = _emulator.NewSession($"-Target Communities -AccountId {_acme}");
            const string people = "1..300 | ForEach-Object { [pscustomobject]@{ Username = \"d$_@floor.example.com\"; mail = \"d$_@floor.example.com\"; sn = \"D$_\"; Title = $(if ($_ % 100 -eq 50) { 'Changed' } else { 'Member' }) } } | " +
                "Sync-SfUser -Profile 'Customer Community User' -BatchSize 100";
            Assert.Empty(ps.Run(people.Replace("'Changed'", "'Member'")).Errors);
            long before = _emulator.ApiCalls;
            var run = ps.Run(people);
            long calls = _emulator.ApiCalls - before;

            Assert.Empty(run.Errors);
            Assert.Equal(3, run.Output.Count(o => o.Prop("Action") == "Updated"));
            Assert.Equal(3, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Title = 'Changed' AND Username LIKE 'd%@floor.example.com'"));
            // The preparation (1), the account (1), every user (1), and the three updates (1), carried across the
            // windows (before: 6 calls, one update call per window).
            Assert.Equal(4, calls);
        }
    }
}
