using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// README, Leads &amp; Contacts "Counted calls": people are matched from one read of every Contact and Lead once
    /// the keyed queries would cost as much, but an org of more than 200,000 Contacts and Leads is always queried
    /// by key (its records are kept for the run: memory would cost more than the calls saved). The user sees no
    /// difference beyond the calls: the same people are matched either way. Tested at the boundary on the decision
    /// itself, from the org's counts (an emulator org of 200,000 records would cost more than the rest of the suite).
    /// </summary>
    public class OrgScanCapTests
    {
        private static List<string> Keys(int count) => Enumerable.Range(1, count).Select(i => $"p{i}@scan.example.com").ToList();

        [Theory]
        [InlineData(100_000, 100_000, true)]  // exactly the cap: read once the keyed queries cost as much
        [InlineData(100_000, 100_001, false)] // one more: always by key, however many keyed reads were spent
        [InlineData(200_001, 0, false)]
        [InlineData(0, 200_001, false)]
        [InlineData(int.MaxValue, int.MaxValue, false)] // counts that would overflow an int sum
        public void An_org_above_200000_Contacts_and_Leads_is_never_read_whole(int contacts, int leads, bool scans)
        {
            Assert.Equal(200_000, LeadContactSyncEngine.MostRecordsRead);
            Assert.Equal(scans, LeadContactSyncEngine.ShouldScan(contacts, leads, keyedReads: 10_000, Keys(10)));
        }

        /// <summary>
        /// At the cap, reading the org costs 100 query subrequests (50 pages of 2,000 each): ten keys cost 3 (Contacts,
        /// Leads and converted Leads by email), so 97 spent before makes the read as cheap as going on by key.
        /// </summary>
        [Fact]
        public void At_the_cap_the_org_is_read_once_the_keyed_queries_cost_as_much_as_reading_it()
        {
            Assert.False(LeadContactSyncEngine.ShouldScan(100_000, 100_000, keyedReads: 96, Keys(10)));
            Assert.True(LeadContactSyncEngine.ShouldScan(100_000, 100_000, keyedReads: 97, Keys(10)));
        }

        [Fact]
        public void Unknown_counts_or_an_empty_window_never_read_the_org()
        {
            Assert.False(LeadContactSyncEngine.ShouldScan(null, 10, keyedReads: 10_000, Keys(10)));
            Assert.False(LeadContactSyncEngine.ShouldScan(10, null, keyedReads: 10_000, Keys(10)));
            Assert.False(LeadContactSyncEngine.ShouldScan(10, 10, keyedReads: 10_000, Keys(0)));
        }
    }
}
