using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>Batching and API-call counts, and every fault kind at the batch boundaries: nothing lost, nothing doubled.</summary>
    public class SyncUserFaultTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public SyncUserFaultTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        private static string Users(int count) =>
            $"$users = 1..{count} | ForEach-Object {{ [pscustomobject]@{{ Username = \"user$_@bulk.example.com\"; LastName = \"Bulk$_\"; Email = \"user$_@bulk.example.com\" }} }}; ";

        private static string Username(int position) => $"user{position}@bulk.example.com";

        [Fact]
        public void Four_hundred_fifty_users_cost_three_counted_calls()
        {
            using var ps = _emulator.NewSession();
            long before = _emulator.ApiCalls;
            var result = ps.Run(Users(450) + "$users | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(result.Errors);
            Assert.Equal(450, result.Output.Count(o => o.Prop("Action") == "Created"));
            // preflight (describe, profiles, counts) + one read to match + one composite with three collections
            Assert.Equal(3, _emulator.ApiCalls - before);
        }

        [Fact]
        public void Sparse_changes_are_carried_across_windows_into_one_write_call_and_every_input_gets_one_result()
        {
            using var ps = _emulator.NewSession();
            ps.Run(Users(50) + "$null = $users | Sync-SfUser -Profile 'Standard User'");

            // Five windows of ten users, one change in each: the five updates wait for one another and go
            // out together at the end of the input, instead of one small composite per window.
            long before = _emulator.ApiCalls, written = _emulator.RecordsWritten;
            var result = ps.Run(Users(50) + "foreach ($i in 3, 14, 25, 36, 47) { $users[$i - 1].LastName = \"Changed$i\" }; $users | Sync-SfUser -BatchSize 10");
            Assert.Empty(result.Errors);
            Assert.Equal(Enumerable.Range(0, 50), result.Output.Select(o => int.Parse(o.Prop("InputIndex"))).OrderBy(i => i));
            Assert.Equal(new[] { 2, 13, 24, 35, 46 }, result.Output.Where(o => o.Prop("Action") == "Updated").Select(o => int.Parse(o.Prop("InputIndex"))).OrderBy(i => i));
            Assert.Equal(45, result.Output.Count(o => o.Prop("Action") == "Unchanged"));
            Assert.Equal(5, _emulator.RecordsWritten - written);
            // preflight + one read of the whole (small) org + one write call
            Assert.Equal(3, _emulator.ApiCalls - before);
            Assert.Equal("Changed47", _emulator.Query($"SELECT LastName FROM User WHERE Username = '{Username(47)}'").Single()["LastName"]?.ToString());
        }

        [Fact]
        public void Under_ErrorAction_Stop_the_writes_planned_before_the_first_error_are_written_not_left_carried()
        {
            using var ps = _emulator.NewSession();
            var result = ps.Run("$ErrorActionPreference = 'Stop'; " +
                "$people = 1..25 | ForEach-Object { [pscustomobject]@{ Username = $(if ($_ -eq 5) { 'not-an-email' } else { \"s$_@carry.example.com\" }); LastName = \"S$_\"; Email = \"s$_@carry.example.com\" } }; " +
                "try { $null = $people | Sync-SfUser -Profile 'Standard User' -BatchSize 10 } catch { 'error=' + $_.FullyQualifiedErrorId }");
            Assert.StartsWith("error=InvalidUsername,", result.Output.Last().ToString());
            // the first window's nine users are written before its error ends the command; later windows never run
            Assert.Equal(9, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@carry.example.com'"));
            Assert.Empty(_emulator.Query("SELECT Id FROM User WHERE Username = 's11@carry.example.com'"));
        }

        [Fact]
        public void Ten_thousand_users_with_one_percent_changed_cost_four_counted_calls()
        {
            using var ps = _emulator.NewSession();
            ps.Run(Users(10_000) + "$null = $users | Sync-SfUser -Profile 'Standard User'");

            long before = _emulator.ApiCalls;
            var result = ps.Run(Users(10_000) + "for ($i = 0; $i -lt 10000; $i += 100) { $users[$i].LastName = 'Changed' }; $users | Sync-SfUser | Where-Object Action -ne 'Unchanged'");
            Assert.Empty(result.Errors);
            Assert.Equal(100, result.Output.Count(o => o.Prop("Action") == "Updated"));
            Assert.Equal(100, result.Output.Count);
            // the floor: preflight + two reads of 10,000 users (five queries packed per call) + one write of 100 records
            Assert.Equal(4, _emulator.ApiCalls - before);
        }

        [Fact]
        public void Per_record_failures_at_the_batch_boundaries_fail_only_those_users()
        {
            using var ps = _emulator.NewSession();
            int[] positions = { 1, 200, 201, 2000 };
            _emulator.InjectFaults(new[] { new { kind = "RecordError", count = 100, pathContains = "/composite", recordField = "Username", recordValues = positions.Select(Username).ToArray(), statusCode = "FIELD_INTEGRITY_EXCEPTION", message = "Injected failure" } });
            var result = ps.Run(Users(2001) + "$users | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal(2001, result.Output.Count);
            var failed = result.Output.Where(o => o.Prop("Action") == "Failed").Select(o => o.Prop("Username")).ToArray();
            Assert.Equal(positions.Select(Username), failed);
            Assert.Equal(4, result.Errors.Count);
            Assert.All(result.Errors, e => Assert.StartsWith("FieldIntegrityException,", e.FullyQualifiedErrorId));
            Assert.Equal(1997, BulkUserCount());
            Assert.Equal(Enumerable.Range(0, 2001), result.Output.Select(o => int.Parse(o.Prop("InputIndex"))));
        }

        [Theory]
        [InlineData("Http503")]
        [InlineData("DropConnection")]
        [InlineData("DropAfterCommit")]
        [InlineData("InvalidSession")]
        public void Transient_faults_on_writes_are_retried_and_no_user_is_created_twice(string kind)
        {
            using var ps = _emulator.NewSession();
            // Let the preflight and the read through; the fault hits the first write request.
            ps.Run("$null = [pscustomobject]@{ Username = 'warmup@bulk.example.com'; LastName = 'Warm'; Email = 'warmup@bulk.example.com' } | Sync-SfUser -Profile 'Standard User'");
            _emulator.InjectFaults(new[] { new { kind, count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"POST\"" } });
            var result = ps.Run(Users(1200) + "$users | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(result.Errors);
            Assert.Equal(1200, result.Output.Count(o => o.Prop("Action") == "Created"));
            Assert.Equal(1201, BulkUserCount());
            Assert.Contains(_emulator.Get("requests")["requests"].AsArray(), r => r["fault"]?.ToString() == kind);
            if (kind == "DropAfterCommit")
                Assert.Contains(result.Output, o => o.Prop("Message")?.Contains("confirmed by reading the user back") == true);
            var again = ps.Run(Users(1200) + "$users | Sync-SfUser");
            Assert.All(again.Output, o => Assert.Equal("Unchanged", o.Prop("Action")));
        }

        [Fact]
        public void A_create_whose_answer_was_lost_is_never_reported_failed_when_it_went_through()
        {
            using var ps = _emulator.NewSession();
            // The first write commits but its answer is lost; on every retry user 1 is locked by another process.
            _emulator.InjectFaults(new object[]
            {
                new { kind = "DropAfterCommit", count = 1, pathContains = "/composite", bodyContains = "\"POST\"" },
                new { kind = "UnableToLockRow", count = 100, pathContains = "/composite", bodyContains = "\"POST\"", recordField = "Username", recordValues = new[] { Username(1) } },
            });
            var result = ps.Run(Users(50) + "$users | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(result.Errors);
            Assert.All(result.Output, o => Assert.Equal("Created", o.Prop("Action")));
            Assert.Equal(50, BulkUserCount());
        }

        [Fact]
        public void When_the_org_stays_unavailable_every_input_of_the_batch_still_gets_a_result()
        {
            using var ps = _emulator.NewSession();
            // The read that matches the batch's users keeps answering 503 through every retry.
            _emulator.InjectFaults(new[] { new { kind = "Http503", count = 50, pathContains = "/composite", bodyContains = "Id%2C%20Username%2C" } });
            var result = ps.Run(Users(5) + "$users | Sync-SfUser -Profile 'Standard User'");
            Assert.Equal(5, result.Output.Count);
            Assert.All(result.Output, o => Assert.Equal("Failed", o.Prop("Action")));
            Assert.All(result.Output, o => Assert.Equal("ServerUnavailable", o.Prop("ErrorCode")));
            Assert.Contains(result.Errors, e => e.FullyQualifiedErrorId == "ServerUnavailable,SalesforceProvisioning.Commands.SyncSfUserCommand");
            Assert.Equal(0, BulkUserCount());
        }

        [Fact]
        public void Records_locked_by_another_process_are_sent_again()
        {
            using var ps = _emulator.NewSession();
            _emulator.InjectFaults(new[] { new { kind = "UnableToLockRow", count = 1, pathContains = "/composite", recordField = "Username", recordValues = new[] { Username(3), Username(250) } } });
            var result = ps.Run(Users(300) + "$users | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(result.Errors);
            Assert.Equal(300, result.Output.Count(o => o.Prop("Action") == "Created"));
            Assert.Equal(300, BulkUserCount());
            Assert.Contains(_emulator.Get("requests")["requests"].AsArray(), r => r["fault"]?.ToString() == "UnableToLockRow");
        }

        [Fact]
        public void The_daily_api_limit_stops_the_run_and_reports_every_user_of_the_batch()
        {
            using var ps = _emulator.NewSession();
            // preflight, read, first write: then the allowance is gone.
            _emulator.Post("limits", "{\"max\":15000,\"remaining\":3}");
            var result = ps.Run(Users(2000) + "$users | Sync-SfUser -Profile 'Standard User'");
            string summary = string.Join("; ", result.Output.GroupBy(o => o.Prop("Action") + "/" + o.Prop("ErrorCode")).Select(g => g.Key + "=" + g.Count()))
                + " | errors: " + string.Join("; ", result.Errors.Take(3).Select(e => e.FullyQualifiedErrorId + " " + e.Exception.Message));
            Assert.True(result.Output.Count == 2000, summary);
            Assert.True(1000 == result.Output.Count(o => o.Prop("Action") == "Created"), summary);
            Assert.Equal(1000, result.Output.Count(o => o.Prop("Action") == "Failed" && o.Prop("ErrorCode") == "REQUEST_LIMIT_EXCEEDED"));
            Assert.Contains(result.Errors, e => e.FullyQualifiedErrorId == "RequestLimitExceeded,SalesforceProvisioning.Commands.SyncSfUserCommand");
        }

        /// <summary>
        /// The scan's answer is read as it arrives (issue 14). Cut off halfway by the network, after part of its
        /// records were read, it is a dropped connection as before (when the client received answers whole): sent
        /// again, and the records read twice count once.
        /// </summary>
        [Fact]
        public void A_scan_answer_cut_off_while_it_is_read_is_read_again_and_every_user_is_matched_once()
        {
            using var ps = _emulator.NewSession();
            ps.Run(Users(1500) + "$null = $users | Sync-SfUser -Profile 'Standard User'");
            // The scan chains its pages with @{p0.nextRecordsUrl}: only its composite reads say so.
            _emulator.InjectFaults(new[] { new { kind = "CutOffAnswer", count = 1, pathContains = "/composite", bodyContains = "nextRecordsUrl" } });
            var result = ps.Run(Users(1500) + "$users | Sync-SfUser -InformationVariable info; $info");
            Assert.Empty(result.Errors);
            Assert.Contains(_emulator.Get("requests")["requests"].AsArray(), r => r["fault"]?.ToString() == "CutOffAnswer");
            Assert.Contains("matching: scan", result.Output.Last().ToString());
            var users = result.Output.Take(result.Output.Count - 1).ToList();
            Assert.Equal(1500, users.Count);
            Assert.All(users, o => Assert.Equal("Unchanged", o.Prop("Action")));
            Assert.Equal(1500, BulkUserCount());
        }

        [Fact]
        public void A_scan_answer_cut_off_on_every_attempt_fails_the_batch_as_a_dropped_connection()
        {
            using var ps = _emulator.NewSession();
            ps.Run(Users(300) + "$null = $users | Sync-SfUser -Profile 'Standard User'");
            _emulator.InjectFaults(new[] { new { kind = "CutOffAnswer", count = 50, pathContains = "/composite", bodyContains = "nextRecordsUrl" } });
            var result = ps.Run(Users(300) + "$users | Sync-SfUser");
            Assert.Equal(300, result.Output.Count);
            Assert.All(result.Output, o => Assert.Equal("Failed", o.Prop("Action")));
            Assert.All(result.Output, o => Assert.Equal("ConnectionDropped", o.Prop("ErrorCode")));
            Assert.Contains(result.Errors, e => e.FullyQualifiedErrorId == "ConnectionDropped,SalesforceProvisioning.Commands.SyncSfUserCommand");
            Assert.True(_emulator.Get("requests")["requests"].AsArray().Count(r => r["fault"]?.ToString() == "CutOffAnswer") > 1, "the cut-off read was sent again");
        }

        [Fact]
        public void Matching_queries_by_name_for_a_few_users_and_reads_the_whole_org_for_many()
        {
            using var ps = _emulator.NewSession();
            ps.Run(Users(10_001) + "$null = $users | Sync-SfUser -Profile 'Standard User'");

            long before = _emulator.ApiCalls;
            var few = ps.Run(Users(3) + "$users | Sync-SfUser -InformationVariable info; $info");
            Assert.Equal(3, few.Output.Count(o => o.Prop("Action") == "Unchanged"));
            Assert.Contains("matching: by-username", few.Output.Last().ToString());
            Assert.Equal(2, _emulator.ApiCalls - before); // preflight, one read

            before = _emulator.ApiCalls;
            var many = ps.Run(Users(10_001) + "$users | Sync-SfUser -InformationVariable info | Where-Object Action -ne 'Unchanged'; $info");
            Assert.Contains("matching: scan", many.Output.Last().ToString());
            Assert.Single(many.Output); // only the summary: every user unchanged
            Assert.Equal(3, _emulator.ApiCalls - before); // preflight, two composite reads of 10,000 users each
        }

        private long BulkUserCount() => _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@bulk.example.com'");
    }
}
