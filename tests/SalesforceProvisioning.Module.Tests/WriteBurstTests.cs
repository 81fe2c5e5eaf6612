using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// When the run is sure to write through composite collections (-UseBulkApi Never here; under Auto with an
    /// input of unknown size a run holds its writes until they reach the Bulk API threshold or the input ends),
    /// each full 1,000-record call goes out as soon as it is full and stays in flight while later windows are
    /// planned (issue 14: keep requests in flight while the next windows are planned). Seen from the org: the
    /// first 1,000 users exist while the pipeline is still reading its input. Counted calls are the same as
    /// when every write waits for the end, every input has exactly one result, a stop still reports every
    /// input, and managers are still set in the same run.
    /// </summary>
    public class WriteBurstTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public WriteBurstTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        private long UsersOf(string domain) => _emulator.QueryTotal($"SELECT COUNT() FROM User WHERE Username LIKE '%@{domain}'");

        /// <summary>
        /// Called by the input generator (on the pipeline thread, so the cmdlet plans nothing meanwhile): waits
        /// until the org holds <paramref name="expected"/> users of the domain, or a minute; returns how many it holds.
        /// </summary>
        /// <remarks>Each look is a counted query of the org's: <paramref name="looks"/> counts them, to leave them out of the sync's calls.</remarks>
        private Func<long> WaitForUsers(string domain, long expected, int[] looks) => () =>
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            long seen;
            while (true)
            {
                looks[0]++;
                if ((seen = UsersOf(domain)) >= expected || DateTime.UtcNow >= deadline) return seen;
                Thread.Sleep(50);
            }
        };

        /// <summary>User b$_ of the domain; with <paramref name="managedFrom"/>, users from that input on are managed by users 1-5.</summary>
        private static string Person(string domain, int managedFrom = 0)
        {
            string person = $"[pscustomobject]@{{ Username = \"b$_@{domain}\"; LastName = \"B$_\"; Email = \"b$_@{domain}\" }}";
            if (managedFrom == 0) return person;
            string managed = $"[pscustomobject]@{{ Username = \"b$_@{domain}\"; LastName = \"B$_\"; Email = \"b$_@{domain}\"; Manager = \"b$(($_ % 5) + 1)@{domain}\" }}";
            return $"if ($_ -ge {managedFrom}) {{ {managed} }} else {{ {person} }}";
        }

        /// <summary>What a run gave: its results as they came out (a stop that ends the command keeps them), its errors.</summary>
        private sealed class Outcome
        {
            public List<PSObject> Results = new List<PSObject>();
            public IReadOnlyList<ErrorRecord> Errors;
            public long SeenAtProbe = -1;
            public long Calls;
            public string Requests;

            public List<string> Usernames => Results.Select(o => o.Prop("Username")).ToList();
        }

        /// <summary>
        /// 2,500 users in windows of 500; at input <paramref name="probeAt"/> the input waits for the org to hold
        /// <paramref name="expected"/> of them.
        /// </summary>
        private Outcome Run(string domain, string bulkApi, int probeAt, long expected, int managedFrom = 0)
        {
            using var ps = _emulator.NewSession();
            var outcome = new Outcome();
            long logged = _emulator.Get("requests")["requests"].AsArray().Select(r => r["sequence"].GetValue<long>()).DefaultIfEmpty(0).Max();
            long before = _emulator.ApiCalls;
            var looks = new int[1];
            Func<long> wait = WaitForUsers(domain, expected, looks);
            Func<long> probe = () => outcome.SeenAtProbe = wait();
            var run = ps.Run($@"1..2500 | ForEach-Object {{ if ($_ -eq {probeAt}) {{ $null = $probe.Invoke() }}; {Person(domain, managedFrom)} }} |
    Sync-SfUser -Profile 'Standard User' -BatchSize 500 -MaxConcurrentRequests 3 -UseBulkApi {bulkApi} |
    ForEach-Object {{ $results.Add($_) }}", new Hashtable { ["probe"] = probe, ["results"] = outcome.Results });
            outcome.Errors = run.Errors;
            outcome.Calls = _emulator.ApiCalls - before - looks[0];
            // Which requests counted (shown when the calls differ).
            outcome.Requests = string.Join(", ", _emulator.Get("requests")["requests"].AsArray()
                .Where(r => r["sequence"].GetValue<long>() > logged && r["countedCalls"].GetValue<int>() > 0 && r["method"]?.ToString() != "GET")
                .Select(r => $"{r["method"]} {r["path"]} x{r["subrequests"]} {r["records"]}r {r["status"]}"));
            return outcome;
        }

        [Fact]
        public void Full_calls_go_out_while_later_input_is_read_and_cost_the_same_calls()
        {
            // The first 1,000 users fill a call at the second window: they are in the org before input 1,801 is
            // read (held until the end, the probe would wait its minute and see none).
            var early = Run("early.example.com", "Never", probeAt: 1801, expected: 1000);
            Assert.Empty(early.Errors);
            Assert.True(early.SeenAtProbe >= 1000, $"only {early.SeenAtProbe} users written before input 1,801 was read");
            var usernames = early.Usernames;
            Assert.Equal(2500, usernames.Count);
            Assert.Equal(2500, usernames.Distinct().Count());
            Assert.All(early.Results, o => Assert.Equal("Created", o.Prop("Action")));

            // Under Auto with an input of unknown size every write waits for the end (it could still reach the
            // Bulk API threshold): nothing is in the org at input 1,801, and the calls are the same.
            var held = Run("held.example.com", "Auto", probeAt: 1801, expected: 0);
            Assert.Empty(held.Errors);
            Assert.Equal(0, held.SeenAtProbe);
            Assert.Equal(2500, held.Results.Count);
            Assert.True(held.Calls == early.Calls, $"held: {held.Requests} | early: {early.Requests}");
            Assert.Equal(2500, UsersOf("early.example.com"));
        }

        [Fact]
        public void Reports_of_managers_in_a_call_still_in_flight_get_their_ManagerId_in_the_same_run_at_the_same_calls()
        {
            // Users 1-5 manage every later user (from 1,001 on): their create is in the first call, sent at the
            // second window; their reports go out once it is confirmed, with ManagerId in their own create.
            var early = Run("managed-early.example.com", "Never", probeAt: 1801, expected: 1000, managedFrom: 1001);
            Assert.Empty(early.Errors);
            Assert.True(early.SeenAtProbe >= 1000, $"only {early.SeenAtProbe} users written before input 1,801 was read");
            Assert.Equal(2500, early.Usernames.Distinct().Count());
            var unset = early.Results.Where(o => (o.Prop("Message") ?? "").Contains("ManagerId not set")).Select(o => o.Prop("Username") + ": " + o.Prop("Message")).ToList();
            Assert.True(unset.Count == 0, unset.Count + " without ManagerId, e.g. " + string.Join(" | ", unset.Take(3)));

            var ids = _emulator.Query("SELECT Id, Username FROM User WHERE Username LIKE 'b_@managed-early.example.com'")
                .ToDictionary(u => u["Username"].ToString(), u => u["Id"].ToString());
            var reports = _emulator.Query("SELECT Username, ManagerId FROM User WHERE Username LIKE '%@managed-early.example.com' AND ManagerId != null");
            Assert.Equal(1500, reports.Count);
            foreach (var report in reports)
            {
                int n = int.Parse(report["Username"].ToString().Split('@')[0].Substring(1));
                Assert.Equal(ids[$"b{n % 5 + 1}@managed-early.example.com"], report["ManagerId"].ToString());
            }

            var held = Run("managed-held.example.com", "Auto", probeAt: 1801, expected: 0, managedFrom: 1001);
            Assert.Empty(held.Errors);
            Assert.True(held.Calls == early.Calls, $"held: {held.Requests} | early: {early.Requests}");
        }

        /// <summary>
        /// Users 3 and 1,500 (in the first and second calls, each sent in flight) are locked once by another process
        /// (UNABLE_TO_LOCK_ROW, sent again). Each batch in flight re-sent its own locked rows, one call more per batch
        /// with any; now the calls in flight send theirs together, as when every write waits for the end of the
        /// input: the same counted calls. With managers (users 1-5 manage every user from 1,001 on, user 3 among the
        /// locked), every report still gets its ManagerId in the same run.
        /// </summary>
        [Theory]
        [InlineData(0)]
        [InlineData(1001)]
        public void Locked_rows_of_the_calls_in_flight_are_sent_again_together_at_the_same_calls_as_when_held(int managedFrom)
        {
            object[] Locks(string domain) => new[] { 3, 1500 }.Select(n => (object)new { kind = "UnableToLockRow", count = 1, pathContains = "/composite", method = "POST", bodyContains = $"\"Username\":\"b{n}@{domain}\"", recordField = "Username", recordValues = new[] { $"b{n}@{domain}" } }).ToArray();
            Outcome Locked(string domain, string bulkApi)
            {
                int LocksMet() => _emulator.Get("requests")["requests"].AsArray().Count(r => r["fault"]?.ToString() == "UnableToLockRow");
                int before = LocksMet();
                _emulator.InjectFaults(Locks(domain));
                var outcome = Run(domain, bulkApi, probeAt: 0, expected: 0, managedFrom: managedFrom);
                Assert.Equal(2, LocksMet() - before);
                _emulator.ClearFaults();
                Assert.Empty(outcome.Errors);
                Assert.Equal(2500, outcome.Usernames.Distinct().Count());
                Assert.All(outcome.Results, o => Assert.Equal("Created", o.Prop("Action")));
                Assert.Equal(2500, UsersOf(domain));
                if (managedFrom > 0) Assert.Equal(1500, _emulator.QueryTotal($"SELECT COUNT() FROM User WHERE Username LIKE '%@{domain}' AND ManagerId != null"));
                return outcome;
            }

            var early = Locked("locked-early.example.com", "Never");
            var held = Locked("locked-held.example.com", "Auto");
            Assert.True(held.Calls == early.Calls, $"held: {held.Requests} | early: {early.Requests}");
        }

        [Fact]
        public void A_stop_met_by_a_call_in_flight_still_reports_every_input_exactly_once()
        {
            // The second call (users 1,001-2,000, sent at the fourth window) meets the org's daily limit: the run
            // stops, the first call's users are created, and every other input says it was not written.
            _emulator.InjectFaults(new[] { new { kind = "RequestLimitExceeded", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"Username\":\"b1500@stopped-early.example.com\"" } });
            try
            {
                var stopped = Run("stopped-early.example.com", "Never", probeAt: 1801, expected: 1000);
                Assert.Contains(stopped.Errors, e => e.FullyQualifiedErrorId.StartsWith("RequestLimitExceeded,"));
                var usernames = stopped.Usernames;
                Assert.Equal(2500, usernames.Count);
                Assert.Equal(2500, usernames.Distinct().Count());
                var byAction = stopped.Results.GroupBy(o => o.Prop("Action")).ToDictionary(g => g.Key, g => g.Count());
                Assert.Equal(1000, byAction["Created"]);
                Assert.Equal(1500, byAction["Failed"]);
                Assert.Equal(1000, UsersOf("stopped-early.example.com"));
            }
            finally
            {
                _emulator.ClearFaults();
            }
        }
    }
}

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Ctrl+C while the pipeline waits for its next input, with a call still in flight: the writes it carried
    /// out are still recorded in the rule's state store (Sync-SfUser waits for them as it ends), so the next
    /// run answers those users from the store and creates no one twice.
    /// </summary>
    [Collection("Process environment")]
    public class StoppedInFlightTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-inflight-" + Guid.NewGuid().ToString("N"));

        public StoppedInFlightTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        public void Dispose()
        {
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        private long Users() => _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@inflight.example.com'");

        private long Titled(string title) => _emulator.QueryTotal($"SELECT COUNT() FROM User WHERE Username LIKE '%@inflight.example.com' AND Title = '{title}'");

        /// <summary>Waits (on the pipeline thread, as a slow source would) until the org holds <paramref name="expected"/> users titled so, or a minute; returns how many.</summary>
        private Func<long> WaitForTitled(string title, long expected) => () =>
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            long seen;
            while ((seen = Titled(title)) < expected && DateTime.UtcNow < deadline) Thread.Sleep(50);
            return seen;
        };

        [Fact]
        public void A_rule_sends_calls_as_they_fill_once_its_last_scope_says_the_run_stays_below_the_bulk_threshold()
        {
            using var ps = _emulator.NewSession();
            Assert.Empty(ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{Path.Combine(_folder, "state.db")}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                "$null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -StatePath $state").Errors);
            string Run(string title, long expected)
            {
                var seen = new long[] { -1 };
                Func<long> wait = WaitForTitled(title, expected);
                Func<long> probe = () => seen[0] = wait();
                var run = ps.Run("1..2500 | ForEach-Object { if ($_ -eq 1801) { $null = $probe.Invoke() }; " +
                    $"[pscustomobject]@{{ Username = \"i$_@inflight.example.com\"; LastName = \"I$_\"; Email = \"i$_@inflight.example.com\"; Title = '{title}' }} }} | " +
                    "Sync-SfUser -Rule hr -StatePath $state -BatchSize 500 -MaxConcurrentRequests 3", new Hashtable { ["probe"] = probe });
                Assert.Empty(run.Errors);
                Assert.Equal(2500, run.Output.Count);
                return seen[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            // The rule's first run knows no scope: the input could reach the Bulk API threshold, so nothing is written before it ends.
            Assert.Equal("0", Run("Analyst", expected: 0));
            Assert.Equal(2500, Titled("Analyst"));
            // Its next run expects its last scope of 2,500, below the threshold: the first 1,000 updates are in the org before input 1,801 is read.
            Assert.True(long.Parse(Run("Lead Analyst", expected: 1000)) >= 1000, "no update written before input 1,801 was read");
            Assert.Equal(2500, Titled("Lead Analyst"));
        }

        /// <summary>
        /// The first call's user 3 is locked (UNABLE_TO_LOCK_ROW): its row waits to be sent again with the other
        /// calls' (see WriteBurstTests), and the stop lands meanwhile. Nothing more is sent: the 999 users written
        /// are recorded, user 3 is not (never sent again), and the next run creates it and answers the rest from the store.
        /// </summary>
        [Fact]
        public void A_stop_while_locked_rows_wait_to_be_sent_again_sends_nothing_more_and_records_what_was_written()
        {
            using var ps = _emulator.NewSession();
            Assert.Empty(ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{Path.Combine(_folder, "state.db")}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                "$null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -StatePath $state").Errors);
            const string people = "ForEach-Object { [pscustomobject]@{ Username = \"i$_@inflight.example.com\"; LastName = \"I$_\"; Email = \"i$_@inflight.example.com\" } }";
            _emulator.InjectFaults(new[] { new { kind = "UnableToLockRow", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"Username\":\"i3@inflight.example.com\"", recordField = "Username", recordValues = new[] { "i3@inflight.example.com" } } });

            Func<bool> slowSource = () =>
            {
                var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
                while (Users() < 999 && DateTime.UtcNow < deadline) Thread.Sleep(50);
                Thread.Sleep(2000);
                return true;
            };
            bool stopped = ps.RunAndStop("1..2500 | ForEach-Object { if ($_ -eq 1801) { $null = $slowSource.Invoke() }; $_ } | " + people +
                " | Sync-SfUser -Rule hr -StatePath $state -BatchSize 500 -UseBulkApi Never", () => Users() >= 999, TimeSpan.FromMinutes(1),
                new Hashtable { ["slowSource"] = slowSource });
            Assert.True(stopped, "the run ended before the stop");
            _emulator.ClearFaults();
            Assert.Equal(999, Users());
            Assert.Equal(0, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username = 'i3@inflight.example.com'"));

            var next = ps.Run("1..2500 | " + people + " | Sync-SfUser -Rule hr -StatePath $state -BatchSize 500 -UseBulkApi Never");
            Assert.Empty(next.Errors);
            Assert.Equal(2500, next.Output.Count);
            Assert.Equal(999, next.Output.Count(o => (o.Prop("Message") ?? "").Contains("Unchanged since the last run")));
            Assert.Equal("Created", next.Output.Single(o => o.Prop("Username") == "i3@inflight.example.com").Prop("Action"));
            Assert.Equal(2500, Users());
        }

        [Fact]
        public void A_stop_between_inputs_records_what_the_calls_in_flight_wrote()
        {
            using var ps = _emulator.NewSession();
            Assert.Empty(ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{Path.Combine(_folder, "state.db")}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                "$null = New-SfProvisioningRule -Name hr -ConnectionName prod -Profile 'Standard User' -StatePath $state").Errors);
            const string people = "ForEach-Object { [pscustomobject]@{ Username = \"i$_@inflight.example.com\"; LastName = \"I$_\"; Email = \"i$_@inflight.example.com\" } }";

            // At input 1,801 the input waits (as a slow source would) until the first call's users are in the
            // org, and a while longer: the stop lands then, while Sync-SfUser itself is not running.
            Func<bool> slowSource = () =>
            {
                var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
                while (Users() < 1000 && DateTime.UtcNow < deadline) Thread.Sleep(50);
                Thread.Sleep(2000);
                return true;
            };
            bool stopped = ps.RunAndStop("1..2500 | ForEach-Object { if ($_ -eq 1801) { $null = $slowSource.Invoke() }; $_ } | " + people +
                " | Sync-SfUser -Rule hr -StatePath $state -BatchSize 500 -UseBulkApi Never", () => Users() >= 1000, TimeSpan.FromMinutes(1),
                new Hashtable { ["slowSource"] = slowSource });
            Assert.True(stopped, "the run ended before the stop");
            long written = Users();
            Assert.True(written >= 1000, $"{written} users written before the stop");

            var next = ps.Run("1..2500 | " + people + " | Sync-SfUser -Rule hr -StatePath $state -BatchSize 500 -UseBulkApi Never");
            Assert.Empty(next.Errors);
            Assert.Equal(2500, next.Output.Count);
            int fromStore = next.Output.Count(o => (o.Prop("Message") ?? "").Contains("Unchanged since the last run"));
            Assert.Equal(written, fromStore);
            Assert.Equal(2500, Users());
        }
    }
}
