using System;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// README, Syncing users, Reliability: records that fail with UNABLE_TO_LOCK_ROW are sent again, alone (only
    /// the failed rows), up to three more times; a row still locked after the last is that record's failure and
    /// the rest of its batch is written. Salesforce names creating users among the operations prone to lock
    /// contention ("Organize Data to Minimize Lock Contention", Salesforce Developers, Record Locking Cheat Sheet).
    /// </summary>
    public class LockRetryTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private const string Domain = "locked.example.com";
        private readonly EmulatorFixture _emulator;

        public LockRetryTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.UseOrg(EmulatorFixture.BusinessOnly);
            _emulator.ClearFaults();
        }

        public void Dispose() => _emulator.ClearFaults();

        private static string Username(int position) => $"lock{position}@{Domain}";

        private static string Users(int count) =>
            $"$users = 1..{count} | ForEach-Object {{ [pscustomobject]@{{ Username = \"lock$_@{Domain}\"; LastName = \"Lock$_\"; Email = \"lock$_@{Domain}\" }} }}; ";

        private static string Show(ScriptResult r) => string.Join("; ", r.Output.Select(o => $"{o.Prop("Username")}:{o.Prop("Action")}:{o.Prop("ErrorCode")}:{o.Prop("Message")}"))
            + " | errors: " + string.Join("; ", r.Errors.Select(e => e.ToString()));

        /// <summary>The composite requests that wrote records after <paramref name="sequence"/>: how many records each carried.</summary>
        private int[] WritesAfter(long sequence) => _emulator.Get("requests")["requests"].AsArray()
            .Where(r => r["sequence"].GetValue<long>() > sequence && r["method"].ToString() == "POST" && r["path"].ToString().EndsWith("/composite", StringComparison.Ordinal)
                && r["records"].GetValue<int>() > 0)
            .Select(r => r["records"].GetValue<int>()).ToArray();

        private long LastSequence() => _emulator.Get("requests")["requests"].AsArray().Select(r => r["sequence"].GetValue<long>()).DefaultIfEmpty(0).Max();

        [Fact]
        public void A_row_locked_twice_is_sent_again_alone_and_a_row_locked_through_every_round_is_that_records_failure()
        {
            using var ps = _emulator.NewSession();
            // lock3 and lock7 are locked in the first two sends; then lock7 alone in the next two (the first rule that
            // matches a request decides its fate): lock3 goes through on its third send, lock7 never does.
            _emulator.InjectFaults(new object[]
            {
                new { kind = "UnableToLockRow", count = 2, pathContains = "/composite", method = "POST", bodyContains = "\"method\":\"POST\"", recordField = "Username", recordValues = new[] { Username(3), Username(7) } },
                new { kind = "UnableToLockRow", count = 2, pathContains = "/composite", method = "POST", bodyContains = "\"method\":\"POST\"", recordField = "Username", recordValues = new[] { Username(7) } },
            });
            long start = LastSequence();
            var result = ps.Run(Users(10) + "$users | Sync-SfUser -Profile 'Standard User'");

            // The first send carries all ten; each later round only the rows still locked.
            Assert.Equal(new[] { 10, 2, 2, 1 }, WritesAfter(start));
            Assert.Equal(10, result.Output.Count);
            var locked = result.Output.Single(o => o.Prop("Username") == Username(7));
            Assert.True(locked.Prop("Action") == "Failed", Show(result));
            Assert.Equal("UNABLE_TO_LOCK_ROW", locked.Prop("ErrorCode"));
            // Salesforce's own message (the emulator's create names no record), and what to do.
            Assert.Equal("unable to obtain exclusive access to this record or 1 records: 0015g00000EmuLck", locked.Prop("Message"));
            Assert.Equal("Another process held the record through every retry; run again later.", locked.Prop("Remedy"));
            Assert.All(result.Output.Where(o => o != locked), o => Assert.True(o.Prop("Action") == "Created", Show(result)));
            Assert.Equal(0, _emulator.QueryTotal($"SELECT COUNT() FROM User WHERE Username = '{Username(7)}'"));
            Assert.Equal(9, _emulator.QueryTotal($"SELECT COUNT() FROM User WHERE Username LIKE '%@{Domain}'"));
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("UnableToLockRow,", error.FullyQualifiedErrorId);
            Assert.Equal(Username(7) + ": unable to obtain exclusive access to this record or 1 records: 0015g00000EmuLck", error.ToString());
            Assert.Equal("Another process held the record through every retry; run again later.", error.ErrorDetails?.RecommendedAction);

            // Run again later: the one left is created, nothing else is written.
            _emulator.ClearFaults();
            var again = ps.Run(Users(10) + "$users | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(again.Errors);
            Assert.Equal("Created", again.Output.Single(o => o.Prop("Username") == Username(7)).Prop("Action"));
            Assert.Equal(9, again.Output.Count(o => o.Prop("Action") == "Unchanged"));
        }
    }
}
