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
            // and per window its 100 contacts (1) and then its 100 users (1): a contact never waits for its user.
            Assert.Equal(10, calls);
        }
    }
}
