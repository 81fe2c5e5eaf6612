using System;
using System.IO;
using System.Net.Http;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Sync-SfUser -UseBulkApi against the emulator: user creates and updates through Bulk API 2.0 ingest jobs
    /// (Salesforce's "Bulk API 2.0 and Bulk API Developer Guide"), counted calls, one result per input, lock
    /// contention retried for the failed rows only, -WhatIf naming the path, and a job resumed by the next run.
    /// </summary>
    // SFPROVISIONING_KEY_PATH is process-wide (the resume case saves a connection): the classes that set it run one after the other.
    [Collection("Process environment")]
    public class BulkApiTests : IClassFixture<EmulatorFixture>, IDisposable
    {
        private readonly EmulatorFixture _emulator;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfprov-bulk-" + Guid.NewGuid().ToString("N"));

        public BulkApiTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
            _emulator.ClearFaults();
        }

        private bool _padded;

        /// <summary>20,000 more users: an org where a query job (three calls) costs no more than composite reads, so Always takes it.</summary>
        private void PadTheOrg()
        {
            _emulator.UseSeedWithUsers(20_000, "pad", "pad.example.com", "pad");
            _padded = true;
        }

        public void Dispose()
        {
            if (_padded) _emulator.UseSeed(_ => { }); // a reset reloads the last seed: the next test starts from the default org
            _emulator.ClearFaults();
            _emulator.Post("bulk-hold", "{\"afterRows\":null}");
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":0}");
            if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
        }

        private static string Users(int count, string domain = "bulk.example.com", string title = null) =>
            $"$users = 1..{count} | ForEach-Object {{ [pscustomobject]@{{ Username = \"user$_@{domain}\"; LastName = \"Bulk$_\"; Email = \"user$_@{domain}\"{(title == null ? "" : "; Title = " + title)} }} }}; ";

        /// <summary>"Action count" for each action among the results in $results (the test host has no Group-Object).</summary>
        private const string ActionCounts = "$counts = [System.Collections.Generic.SortedDictionary[string,int]]::new(); $results | ForEach-Object { $counts[$_.Action.ToString()] = 1 + $counts[$_.Action.ToString()] }; $counts.Keys | ForEach-Object { \"$_ $($counts[$_])\" }";

        private long BulkCalls() => _emulator.Get("counts")["byEndpoint"]["bulk"]?.GetValue<long>() ?? 0;

        private long UsersIn(string domain) => _emulator.QueryTotal($"SELECT COUNT() FROM User WHERE Username LIKE '%@{domain}'");

        private const string Summary = "@($info | Where-Object { $_.Tags -contains 'Summary' })[-1].MessageData";

        [Fact]
        public void A_hundred_thousand_creates_cost_at_most_fifteen_counted_calls()
        {
            using var ps = _emulator.NewSession();
            long before = _emulator.ApiCalls;
            var result = ps.Run(Users(100_000) + "$results = $users | Sync-SfUser -Profile 'Standard User' -InformationVariable info; " +
                "($results | Where-Object Action -eq 'Created').Count; ($results | Where-Object SalesforceId -like '005*').Count; " + Summary);
            Assert.Empty(result.Errors);
            long calls = _emulator.ApiCalls - before;
            Assert.Equal("100000", result.Output[0].ToString());
            Assert.Equal("100000", result.Output[1].ToString());
            Assert.True(calls <= 15, $"{calls} counted calls");
            Assert.Equal(100_000, UsersIn("bulk.example.com"));
            Assert.Equal(2 * 5, BulkCalls()); // two jobs of 50,000: create, upload, close, one poll, successfulResults; no failures to read
            Assert.StartsWith("Bulk API 2.0", result.Output[2].Prop("Writes"));
        }

        [Fact]
        public void Auto_writes_composite_below_the_threshold_and_bulk_at_it_with_one_result_per_input()
        {
            using var ps = _emulator.NewSession();
            var below = ps.Run(Users(2500, "below.example.com") + "$results = $users | Sync-SfUser -Profile 'Standard User' -InformationVariable info; @($results | Where-Object Action -eq 'Created').Count; " + Summary);
            Assert.Empty(below.Errors);
            Assert.Equal("2500", below.Output[0].ToString());
            Assert.Equal(0, BulkCalls());
            Assert.Null(below.Output[1].Prop("Writes"));

            // One input fails inside the job with its own error; the rest are created, each with its result.
            _emulator.InjectFaults(new { kind = "RecordError", count = 1, pathContains = "jobs/ingest", method = "PATCH", recordField = "Username", recordValues = new[] { "user7@at.example.com" }, statusCode = "FIELD_CUSTOM_VALIDATION_EXCEPTION", message = "Blocked by a validation rule" });
            var at = ps.Run(Users(2500, "at.example.com") + "$results = $users | Sync-SfUser -Profile 'Standard User' -BulkApiThreshold 2000 -InformationVariable info; " +
                "$results.Count; ($results | Where-Object Action -eq 'Created').Count; ($results | Where-Object Action -eq 'Failed' | ForEach-Object { $_.Username + ' ' + $_.ErrorCode + ' ' + $_.Message }); " + Summary);
            Assert.Equal("2500", at.Output[0].ToString());
            Assert.Equal("2499", at.Output[1].ToString());
            Assert.StartsWith("user7@at.example.com FIELD_CUSTOM_VALIDATION_EXCEPTION Blocked by a validation rule", at.Output[2].ToString());
            Assert.Single(at.Errors);
            Assert.Equal(2499, UsersIn("at.example.com"));
            Assert.Equal(6, BulkCalls()); // create, upload, close, one poll, successfulResults, failedResults
            string writes = at.Output[3].Prop("Writes");
            Assert.Contains("2000 pending create(s) and update(s) reached the Bulk API threshold of 2000", writes); // the first window reached it
            Assert.Contains("job 750", writes);
        }

        [Fact]
        public void Bad_rows_in_early_windows_keep_the_load_on_one_job_unless_errors_stop_the_command()
        {
            using var ps = _emulator.NewSession();
            // A duplicate of user 5 in the first window and of user 2200 in the second: each fails alone.
            string input = Users(2500, "dup.example.com") + "$users = @($users[0..9]) + @($users[4]) + @($users[10..2199]) + @($users[2199]) + @($users[2200..2499]); ";
            var result = ps.Run(input + "$results = $users | Sync-SfUser -Profile 'Standard User' -BulkApiThreshold 2000 -ErrorAction SilentlyContinue; " + ActionCounts);
            Assert.Equal(new[] { "Created 2500", "Failed 2" }, result.Output.Select(o => o.ToString()).ToArray());
            Assert.Equal(5, BulkCalls()); // one job for all 2,500: the failures did not flush the held writes as composites

            // Under -ErrorAction Stop the first error ends the command, so what was planned before it is written first.
            long before = BulkCalls();
            var stopped = ps.Run(Users(2500, "dupstop.example.com") + "$users = @($users[0..9]) + @($users[4]) + @($users[10..2499]); $results = $users | Sync-SfUser -Profile 'Standard User' -BatchSize 1000 -BulkApiThreshold 2000 -ErrorAction Stop");
            Assert.NotEmpty(stopped.Errors);
            Assert.Equal(0, BulkCalls() - before);
            Assert.Equal(999, UsersIn("dupstop.example.com")); // the first window's creates (1,000 inputs, one a duplicate), never stranded
        }

        [Fact]
        public void Updates_go_through_the_job_too_and_clear_emptied_fields()
        {
            using var ps = _emulator.NewSession();
            ps.Run(Users(30, "upd.example.com", "'Analyst'") + "$null = $users | Sync-SfUser -Profile 'Standard User' -UseBulkApi Never");
            long bulkBefore = BulkCalls();
            var result = ps.Run(Users(30, "upd.example.com", "$(if ($_ -le 10) { '' } else { 'Lead' })") + @"
$map = New-SfAttributeMap -Mapping @{ Username = 'Username'; LastName = 'LastName'; Email = 'Email'; Title = 'Title' } -Update Title, LastName
$results = $users | Sync-SfUser -AttributeMap $map -UseBulkApi Always; " + ActionCounts);
            Assert.Empty(result.Errors);
            Assert.Equal(new[] { "Updated 30" }, result.Output.Select(o => o.ToString()).ToArray());
            Assert.Equal(5, BulkCalls() - bulkBefore);
            var titles = _emulator.Query("SELECT Username, Title FROM User WHERE Username LIKE '%@upd.example.com'");
            Assert.Equal(10, titles.Count(t => t["Title"] == null));
            Assert.Equal(20, titles.Count(t => t["Title"]?.ToString() == "Lead"));
        }

        [Fact]
        public void Locked_rows_of_a_user_insert_job_are_retried_alone_and_every_user_is_created_once()
        {
            using var ps = _emulator.NewSession();
            // "Organize Data to Minimize Lock Contention" (Bulk API 2.0 Developer Guide) names creating users among
            // the operations likely to meet lock contention: a fifth of the rows fail with UNABLE_TO_LOCK_ROW once.
            _emulator.InjectFaults(new { kind = "UnableToLockRow", count = 1, pathContains = "jobs/ingest", method = "PATCH", recordRate = 0.2, oncePerRecord = true });
            long written = _emulator.RecordsWritten;
            var result = ps.Run(Users(2500, "lock.example.com") + "$results = $users | Sync-SfUser -Profile 'Standard User' -BulkApiThreshold 2000; " + ActionCounts);
            Assert.Empty(result.Errors);
            Assert.Equal(new[] { "Created 2500" }, result.Output.Select(o => o.ToString()).ToArray());
            Assert.Equal(2500, UsersIn("lock.example.com"));
            Assert.Equal(6, BulkCalls()); // one job (its failed rows read once); the locked rows went again on their own, as a composite
            long usersAndLogins = _emulator.RecordsWritten - written;
            Assert.True(usersAndLogins <= 2 * 2500, $"{usersAndLogins} records written"); // nothing written twice
        }

        [Fact]
        public void WhatIf_says_which_path_the_changes_would_take_and_why_and_writes_nothing()
        {
            using var ps = _emulator.NewSession();
            long before = _emulator.ApiCalls;
            var bulk = ps.Run(Users(2500, "whatif.example.com") + "$null = $users | Sync-SfUser -Profile 'Standard User' -BulkApiThreshold 2000 -WhatIf -InformationVariable info; " + Summary);
            Assert.Empty(bulk.Errors);
            Assert.StartsWith("would use Bulk API 2.0: 2500 pending create(s) and update(s) reached the Bulk API threshold of 2000", bulk.Output[0].Prop("Writes"));
            var composite = ps.Run(Users(2500, "whatif.example.com") + "$null = $users | Sync-SfUser -Profile 'Standard User' -WhatIf -InformationVariable info; " + Summary);
            Assert.StartsWith("would use composite collections: 2500 pending create(s) and update(s), below the Bulk API threshold of 20000", composite.Output[0].Prop("Writes"));
            var never = ps.Run(Users(2500, "whatif.example.com") + "$null = $users | Sync-SfUser -Profile 'Standard User' -UseBulkApi Never -WhatIf -InformationVariable info; " + Summary);
            Assert.StartsWith("would use composite collections: -UseBulkApi Never", never.Output[0].Prop("Writes"));
            Assert.Equal(0, BulkCalls());
            Assert.Equal(0, UsersIn("whatif.example.com"));
        }

        /// <summary>
        /// A query job's result page is read as it arrives (issue 14). Cut off halfway by the network, it is a dropped
        /// connection, as before when the client received answers whole: read again, and the rows read twice count once.
        /// </summary>
        [Fact]
        public void A_query_job_result_page_cut_off_while_it_is_read_is_read_again_and_every_user_is_matched_once()
        {
            PadTheOrg();
            using var ps = _emulator.NewSession();
            var created = ps.Run(Users(3000, "cut.example.com") + "$results = $users | Sync-SfUser -Profile 'Standard User' -UseBulkApi Always; " + ActionCounts);
            Assert.Equal(new[] { "Created 3000" }, created.Output.Select(o => o.ToString()).ToArray());
            _emulator.InjectFaults(new[] { new { kind = "CutOffAnswer", count = 1, pathContains = "/results", method = "GET" } });
            var again = ps.Run(Users(3000, "cut.example.com") + "$results = $users | Sync-SfUser -UseBulkApi Always -InformationVariable info; " + ActionCounts + "; " + Summary);
            Assert.Empty(again.Errors);
            Assert.Equal("Unchanged 3000", again.Output[0].ToString());
            Assert.StartsWith("a Bulk API 2.0 query job", again.Output[1].Prop("Reads"));
            Assert.Contains(_emulator.Get("requests")["requests"].AsArray(), r => r["fault"]?.ToString() == "CutOffAnswer");
            Assert.Equal(3000, UsersIn("cut.example.com"));
        }

        /// <summary>
        /// The matcher's scan of every user under -UseBulkApi Always reads through one Bulk API 2.0 query job
        /// ("Create a Query Job", "Get Results for a Query Job": maxRecords pages followed by Sforce-Locator until
        /// 'null') instead of composite reads of five 2,000-record pages per call: fewer counted calls, the same results.
        /// </summary>
        [Fact]
        public void A_resync_under_Always_reads_every_user_through_a_query_job_with_fewer_calls_and_the_same_results()
        {
            using var ps = _emulator.NewSession();
            const int count = 60_000; // composite scan: 6 calls; query job: create, poll, two pages of 50,000
            var created = ps.Run(Users(count, "scan.example.com", "'Analyst'") + "$results = $users | Sync-SfUser -Profile 'Standard User' -UseBulkApi Always; " + ActionCounts);
            Assert.Empty(created.Errors);
            Assert.Equal(new[] { $"Created {count}" }, created.Output.Select(o => o.ToString()).ToArray());
            string map = "$map = New-SfAttributeMap -Mapping @{ Username = 'Username'; LastName = 'LastName'; Email = 'Email'; Title = 'Title' } -Update Title; ";

            long before = _emulator.ApiCalls;
            var composite = ps.Run(Users(count, "scan.example.com", "'Analyst'") + map + "$results = $users | Sync-SfUser -AttributeMap $map -UseBulkApi Never -InformationVariable info; " + ActionCounts + "; " + Summary);
            long compositeCalls = _emulator.ApiCalls - before;
            Assert.Empty(composite.Errors);
            Assert.Equal($"Unchanged {count}", composite.Output[0].ToString());
            Assert.Null(composite.Output[1].Prop("Reads")); // composite runs' summaries are unchanged

            long bulkBefore = BulkCalls();
            before = _emulator.ApiCalls;
            var bulk = ps.Run(Users(count, "scan.example.com", "'Analyst'") + map + "$results = $users | Sync-SfUser -AttributeMap $map -UseBulkApi Always -InformationVariable info; " + ActionCounts + "; " + Summary);
            long bulkCalls = _emulator.ApiCalls - before;
            Assert.Empty(bulk.Errors);
            Assert.Equal($"Unchanged {count}", bulk.Output[0].ToString());
            Assert.Equal(4, BulkCalls() - bulkBefore); // one query job: create, one poll, two result pages; nothing written
            Assert.True(bulkCalls < compositeCalls, $"{bulkCalls} counted calls through the query job against {compositeCalls} through composite reads");
            Assert.StartsWith("a Bulk API 2.0 query job: -UseBulkApi Always. (job 750", bulk.Output[1].Prop("Reads"));

            // One changed user is found changed and updated, the rest unchanged, as through composite reads.
            var changed = ps.Run(Users(count, "scan.example.com", "$(if ($_ -eq 4242) { 'Lead' } else { 'Analyst' })") + map + "$results = $users | Sync-SfUser -AttributeMap $map -UseBulkApi Always; " + ActionCounts + "; ($results | Where-Object Action -eq 'Updated').Username");
            Assert.Empty(changed.Errors);
            Assert.Equal(new[] { "Unchanged 59999", "Updated 1", "user4242@scan.example.com" }, changed.Output.Select(o => o.ToString()).ToArray());
            Assert.Equal("Lead", _emulator.Query("SELECT Title FROM User WHERE Username = 'user4242@scan.example.com'")[0]["Title"].ToString());

            // -WhatIf names the read path (in a What if line, which this host does not keep, and in the summary).
            var whatIf = ps.Run(Users(count, "scan.example.com", "'Analyst'") + map + "$null = $users | Sync-SfUser -AttributeMap $map -UseBulkApi Always -WhatIf -InformationVariable info; " + Summary);
            Assert.Empty(whatIf.Errors);
            Assert.StartsWith("a Bulk API 2.0 query job: -UseBulkApi Always.", whatIf.Output[0].Prop("Reads"));
        }

        /// <summary>
        /// A job that ends Aborted (or Failed) before reaching every row leaves the rest in unprocessedrecords ("Get Job
        /// Unprocessed Record Results": "unprocessed rows are not the same as failed rows",
        /// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/get_job_unprocessed_results.htm).
        /// The run gives each such row its result, Failed with NotProcessed, and does not write it: an aborted job is
        /// someone's decision (an admin's, here), not a fault to work around. The next run writes them, once.
        /// </summary>
        [Fact]
        public async System.Threading.Tasks.Task Rows_a_job_left_unprocessed_are_NotProcessed_in_that_run_and_written_by_the_next()
        {
            using var ps = _emulator.NewSession();
            _emulator.Post("bulk-hold", "{\"afterRows\":1000}");
            // An admin aborts the job while it is InProgress (as "Close or Abort a Job" allows), then Salesforce moves on.
            var admin = System.Threading.Tasks.Task.Run(() =>
            {
                for (var until = DateTime.UtcNow.AddMinutes(2); DateTime.UtcNow < until; System.Threading.Thread.Sleep(50))
                {
                    var job = _emulator.Bulk(HttpMethod.Get, "")["records"].AsArray().FirstOrDefault(j => j["state"]?.ToString() == "InProgress");
                    if (job == null) continue;
                    _emulator.Bulk(HttpMethod.Patch, "/" + job["id"], new { state = "Aborted" });
                    _emulator.Post("bulk-hold", "{\"afterRows\":null}");
                    return;
                }
            });
            long bulkBefore = BulkCalls();
            var first = ps.Run(Users(2500, "unprocessed.example.com") + "$results = $users | Sync-SfUser -Profile 'Standard User' -BulkApiThreshold 2000 -ErrorAction SilentlyContinue; " +
                "$results.Count; " + ActionCounts + "; @($results | Where-Object { $_.ErrorCode -eq 'NotProcessed' -and $_.Message -like 'Bulk API 2.0 job 750* ended Aborted before processing this record; it was not written.' }).Count");
            await admin;
            Assert.Equal(new[] { "2500", "Created 1000", "Failed 1500", "1500" }, first.Output.Select(o => o.ToString()).ToArray());
            Assert.Equal(1000, UsersIn("unprocessed.example.com"));
            Assert.Single(_emulator.Bulk(HttpMethod.Get, "")["records"].AsArray()); // not sent again in the same run
            var reads = _emulator.Get("requests")["requests"].AsArray().Select(r => r["path"].ToString()).ToList();
            Assert.Single(reads, r => r.Contains("/unprocessedrecords", StringComparison.Ordinal));

            var next = ps.Run(Users(2500, "unprocessed.example.com") + "$results = $users | Sync-SfUser -Profile 'Standard User' -BulkApiThreshold 2000; " + ActionCounts);
            Assert.Empty(next.Errors);
            Assert.Equal(new[] { "Created 1500", "Unchanged 1000" }, next.Output.Select(o => o.ToString()).ToArray());
            Assert.Equal(2500, UsersIn("unprocessed.example.com"));
        }

        /// <summary>
        /// The scan under -UseBulkApi Always goes as a query job; when the job cannot be run (here "Create a Query Job"
        /// answers 503 SERVER_UNAVAILABLE on every attempt) the users are read through composite reads instead, with the
        /// same results. Followed: "Create a Query Job" (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm).
        /// </summary>
        [Fact]
        public void A_scan_whose_query_job_fails_reads_the_users_through_composite_reads_with_the_same_results()
        {
            PadTheOrg();
            using var ps = _emulator.NewSession();
            var created = ps.Run(Users(3000, "fallback.example.com") + "$results = $users | Sync-SfUser -Profile 'Standard User' -UseBulkApi Always; " + ActionCounts);
            Assert.Equal(new[] { "Created 3000" }, created.Output.Select(o => o.ToString()).ToArray());
            var counts = _emulator.Get("counts")["byEndpoint"];
            long compositeBefore = counts["composite"]?.GetValue<long>() ?? 0;
            long since = _emulator.Get("requests")["requests"].AsArray().Select(r => r["sequence"].GetValue<long>()).DefaultIfEmpty(0).Max();
            _emulator.InjectFaults(new { kind = "Http503", count = 100, pathContains = "jobs/query", method = "POST" });
            var again = ps.Run(Users(3000, "fallback.example.com") + "$results = $users | Sync-SfUser -UseBulkApi Always -InformationVariable info; " + ActionCounts + "; " + Summary);
            _emulator.ClearFaults();
            Assert.Empty(again.Errors);
            Assert.Equal("Unchanged 3000", again.Output[0].ToString());
            Assert.Null(again.Output[1].Prop("Reads")); // not read through a query job
            var log = _emulator.Get("requests")["requests"].AsArray().Where(r => r["sequence"].GetValue<long>() > since).ToList();
            Assert.Contains(log, r => r["fault"]?.ToString() == "Http503" && r["path"].ToString().Contains("jobs/query", StringComparison.Ordinal));
            Assert.DoesNotContain(log, r => r["path"].ToString().Contains("jobs/query/", StringComparison.Ordinal)); // no query job was ever polled or read
            long compositeReads = (_emulator.Get("counts")["byEndpoint"]["composite"]?.GetValue<long>() ?? 0) - compositeBefore;
            Assert.True(compositeReads >= 1, $"{compositeReads} composite calls"); // every user of the org, in 2,000-record pages, five per call
            Assert.Equal(3000, UsersIn("fallback.example.com"));
        }

        /// <summary>
        /// Under Always the scan of a small org goes as one composite read, not as a query job (create, poll, a page:
        /// three calls, "Create a Query Job", "Get Results for a Query Job"): an initial load into a small org then
        /// costs the reads Auto's costs. Before, the job's three calls also made the scan wait two windows (the reads
        /// by key cost one call each until they reached three): four calls more for the same load.
        /// </summary>
        [Fact]
        public void An_initial_load_under_Always_reads_a_small_org_through_one_composite_call_not_a_query_job()
        {
            using var ps = _emulator.NewSession();
            long before = _emulator.ApiCalls;
            long since = _emulator.Get("requests")["requests"].AsArray().Select(r => r["sequence"].GetValue<long>()).DefaultIfEmpty(0).Max();
            var result = ps.Run(Users(6000, "small.example.com") + "$results = $users | Sync-SfUser -Profile 'Standard User' -UseBulkApi Always -InformationVariable info; " + ActionCounts + "; " + Summary);
            Assert.Empty(result.Errors);
            Assert.Equal("Created 6000", result.Output[0].ToString());
            Assert.Null(result.Output[1].Prop("Reads"));
            var log = _emulator.Get("requests")["requests"].AsArray().Where(r => r["sequence"].GetValue<long>() > since).ToList();
            Assert.DoesNotContain(log, r => r["path"].ToString().Contains("jobs/query", StringComparison.Ordinal));
            // The preflight, one composite read of every user, one job (a bulk run holds up to 50,000 writes per job) of
            // five calls. Before: the preflight, two windows read by key, the query job's three calls, the job: 11.
            Assert.Equal(1 + 1 + 5, _emulator.ApiCalls - before);
        }

        /// <summary>
        /// The job's CSV is written into the upload request as it goes out ("Upload Job Data": one PUT of the CSV per job,
        /// https://developer.salesforce.com/docs/platform/api-asynch/guide/upload-job-data.html), its length
        /// counted in UTF-8 bytes beforehand; an upload answered 503 is sent again, written afresh from the writes, and the
        /// job gets every row once, non-ASCII values intact.
        /// </summary>
        [Fact]
        public void An_upload_answered_503_is_streamed_again_whole()
        {
            using var ps = _emulator.NewSession();
            _emulator.InjectFaults(new { kind = "Http503", count = 1, pathContains = "/batches", method = "PUT" });
            var result = ps.Run("$users = 1..2500 | ForEach-Object { [pscustomobject]@{ Username = \"user$_@stream.example.com\"; LastName = \"Ångström-Ñúñez $_, \"\"Jr.\"\"\"; Email = \"user$_@stream.example.com\" } }; " +
                "$results = $users | Sync-SfUser -Profile 'Standard User' -BulkApiThreshold 2000; " + ActionCounts);
            Assert.Empty(result.Errors);
            Assert.Equal(new[] { "Created 2500" }, result.Output.Select(o => o.ToString()).ToArray());
            var uploads = _emulator.Get("requests")["requests"].AsArray().Where(r => r["path"].ToString().EndsWith("/batches", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, uploads.Count);
            Assert.Equal("Http503", uploads[0]["fault"]?.ToString());
            Assert.Equal(2500, UsersIn("stream.example.com"));
            Assert.Equal("Ångström-Ñúñez 2500, \"Jr.\"", _emulator.Query("SELECT LastName FROM User WHERE Username = 'user2500@stream.example.com'")[0]["LastName"].ToString());
        }

        private string SaveConnectionAndRule()
        {
            string state = Path.Combine(_folder, "state.db");
            using var ps = _emulator.NewSession();
            var setup = ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; " +
                $"Save-SfProvisioningConnection -Name prod -Connection $c -StatePath '{state}' -Force; " +
                $"$null = New-SfProvisioningRule -Name bulk -ConnectionName prod -Profile 'Standard User' -StatePath '{state}'");
            Assert.Empty(setup.Errors);
            return state;
        }

        /// <summary>Runs a rule sync and stops it (Ctrl+C) while its ingest job is InProgress in the emulator (held by bulk-hold).</summary>
        private void StopWhileTheJobRuns(PowerShellHost ps, string state, string domain)
        {
            DateTime lastLook = DateTime.MinValue;
            bool InProgress()
            {
                if (DateTime.UtcNow - lastLook < TimeSpan.FromMilliseconds(200)) return false;
                lastLook = DateTime.UtcNow;
                return _emulator.Bulk(HttpMethod.Get, "")["records"].AsArray().Any(j => j["state"]?.ToString() == "InProgress");
            }
            bool stopped = ps.RunAndStop(Users(2500, domain) + $"$users | Sync-SfUser -Rule bulk -StatePath '{state}' -BulkApiThreshold 2000", InProgress, TimeSpan.FromMinutes(2));
            Assert.True(stopped, "the run ended before its job was InProgress");
        }

        private const string OneResultPerInput = "[System.Collections.Generic.HashSet[int]]::new([int[]]@($results | ForEach-Object InputIndex)).Count; ";

        /// <summary>
        /// Stopped (Ctrl+C) while Salesforce processes its job ("Job States": InProgress), a run cannot know what the
        /// job did; the job goes on. The next rule run follows it to its end and reads what it did to each record
        /// ("Get Job Successful Record Results": sf__Id, sf__Created and the uploaded columns; "Get Job Failed Record
        /// Results": sf__Error), so it reports the users the job created as Created, the row it failed as that
        /// record's failure, and counts them in its own record; the stopped run's record counts none of them and
        /// is noted with what its job did after the stop.
        /// </summary>
        [Fact]
        public void A_run_stopped_while_its_job_is_in_progress_is_reported_by_the_next_rule_run_as_the_job_left_each_record()
        {
            string state = SaveConnectionAndRule();
            using var ps = _emulator.NewSession();
            _emulator.Post("bulk-hold", "{\"afterRows\":1000}");
            _emulator.InjectFaults(new { kind = "RecordError", count = 1, pathContains = "jobs/ingest", method = "PATCH", recordField = "Username", recordValues = new[] { "user7@held.example.com" }, statusCode = "FIELD_CUSTOM_VALIDATION_EXCEPTION", message = "Blocked by a validation rule" });
            StopWhileTheJobRuns(ps, state, "held.example.com");
            _emulator.ClearFaults();
            Assert.Equal(999, UsersIn("held.example.com")); // the job's first 1,000 rows, one of them failed; the rest waits in Salesforce
            var stoppedRun = ps.Run($"Get-SfSyncStatus -Rule bulk -StatePath '{state}' -Last 1").Output.Single();
            Assert.Equal("Stopped", stoppedRun.Prop("Status"));
            Assert.Equal("0", stoppedRun.Prop("Impacted")); // the records are the job's: not counted as failed by the run that could not follow it
            Assert.Equal("0", stoppedRun.Prop("Failed"));

            _emulator.Post("bulk-hold", "{\"afterRows\":null}"); // Salesforce finishes the job meanwhile
            long bulkBefore = BulkCalls();
            var next = ps.Run(Users(2500, "held.example.com") + $"$results = $users | Sync-SfUser -Rule bulk -StatePath '{state}' -BulkApiThreshold 2000 -ErrorAction SilentlyContinue; " +
                "$results.Count; " + OneResultPerInput + ActionCounts + "; ($results | Where-Object Action -eq 'Failed' | ForEach-Object { $_.Username + ' ' + $_.ErrorCode + ' ' + $_.Message }); " +
                "@($results | Where-Object { $_.Action -eq 'Created' -and $_.Message -like 'Created by Bulk API 2.0 job 750* of run *, which did not see the job finish*' }).Count");
            Assert.Contains(next.Warnings, w => w.StartsWith("Resumed the Bulk API 2.0 insert User job 750", StringComparison.Ordinal) && w.Contains("JobComplete, 2500 processed, 1 failed"));
            var output = next.Output.Select(o => o.ToString()).ToArray();
            Assert.True(output.Length >= 6, string.Join(" | ", output.Concat(next.Errors.Select(e => e.ToString())).Take(10)));
            Assert.Equal("2500", output[0]);
            Assert.Equal("2500", output[1]); // every input exactly one result
            Assert.Equal(new[] { "Created 2499", "Failed 1" }, output.Skip(2).Take(2).ToArray());
            Assert.StartsWith("user7@held.example.com FIELD_CUSTOM_VALIDATION_EXCEPTION Blocked by a validation rule", output[4]);
            Assert.Contains("reported by Bulk API 2.0 job 750", output[4]);
            Assert.Equal("2499", output[5]);
            Assert.Equal(3, BulkCalls() - bulkBefore); // one look at the job (it finished meanwhile), successfulResults, failedResults; no new job
            Assert.Equal(2499, UsersIn("held.example.com")); // nothing created twice
            Assert.Single(_emulator.Bulk(HttpMethod.Get, "")["records"].AsArray());

            // Get-SfSyncStatus: the run that reported the records counts them; the stopped run's record says what became of its job.
            var runs = ps.Run($"Get-SfSyncStatus -Rule bulk -StatePath '{state}' -Last 2").Output;
            Assert.Equal(new[] { "CompletedWithErrors", "2500", "2499", "1" }, new[] { runs[0].Prop("Status"), runs[0].Prop("Impacted"), runs[0].Prop("Success"), runs[0].Prop("Failed") });
            Assert.Equal(new[] { "Stopped", "0", "0", "0" }, new[] { runs[1].Prop("Status"), runs[1].Prop("Impacted"), runs[1].Prop("Success"), runs[1].Prop("Failed") });
            Assert.Contains($"went on after the run stopped following it; run {runs[0].Prop("RunId")} followed it to its end, and reports and counts its records (2499 written, 1 failed", runs[1].Prop("Error"));
        }

        /// <summary>
        /// A resumed job may have created users whose input the run that follows it does not have (a delta feed, an
        /// offer withdrawn meanwhile): the job then leaves the journal, and nothing records those users for the rule,
        /// so the run says so, naming them; when their input comes back they are matched by Username, not created again.
        /// </summary>
        [Fact]
        public void Users_a_resumed_job_created_whose_input_the_following_run_lacks_are_named_in_a_warning_and_never_created_twice()
        {
            string state = SaveConnectionAndRule();
            using var ps = _emulator.NewSession();
            _emulator.Post("bulk-hold", "{\"afterRows\":1000}");
            StopWhileTheJobRuns(ps, state, "partial.example.com");
            _emulator.Post("bulk-hold", "{\"afterRows\":null}"); // Salesforce finishes the job meanwhile

            var next = ps.Run(Users(2400, "partial.example.com") + $"$results = $users | Sync-SfUser -Rule bulk -StatePath '{state}' -BulkApiThreshold 2000; $results.Count");
            Assert.Empty(next.Errors);
            Assert.Equal("2400", next.Output.Single().ToString());
            Assert.Contains(next.Warnings, w => w.StartsWith("Bulk API 2.0 insert User job 750", StringComparison.Ordinal)
                && w.Contains("created 100 user(s) whose input this run did not have (user2401@partial.example.com, user2402@partial.example.com, user2403@partial.example.com, user2404@partial.example.com, user2405@partial.example.com, ...)")
                && w.Contains("neither updates nor deprovisions them"));
            Assert.Equal(2500, UsersIn("partial.example.com"));

            var again = ps.Run(Users(2500, "partial.example.com") + $"$results = $users | Sync-SfUser -Rule bulk -StatePath '{state}' -BulkApiThreshold 2000; @($results | Where-Object Action -eq 'Created').Count");
            Assert.Empty(again.Errors);
            Assert.Equal("0", again.Output.Single().ToString());
            Assert.DoesNotContain(again.Warnings, w => w.Contains("whose input this run did not have"));
            Assert.Equal(2500, UsersIn("partial.example.com"));
        }

        /// <summary>
        /// Ctrl+C ends a run's output: the stopped run shows no result for the records its job was processing (each
        /// would say BulkJobInProgress) and records none of them; they are the job's, and the next rule run reports them.
        /// </summary>
        [Fact]
        public void A_run_stopped_while_its_job_is_in_progress_shows_and_records_no_result_for_the_jobs_records()
        {
            string state = SaveConnectionAndRule();
            using var ps = _emulator.NewSession();
            _emulator.Post("bulk-hold", "{\"afterRows\":1000}");
            DateTime lastLook = DateTime.MinValue;
            bool InProgress()
            {
                if (DateTime.UtcNow - lastLook < TimeSpan.FromMilliseconds(200)) return false;
                lastLook = DateTime.UtcNow;
                return _emulator.Bulk(HttpMethod.Get, "")["records"].AsArray().Any(j => j["state"]?.ToString() == "InProgress");
            }
            Assert.True(ps.RunAndStop(Users(2500, "shown.example.com") + $"$seen = [System.Collections.Generic.List[object]]::new(); $users | Sync-SfUser -Rule bulk -StatePath '{state}' -BulkApiThreshold 2000 | ForEach-Object {{ $seen.Add($_) }}", InProgress, TimeSpan.FromMinutes(2)));
            Assert.Equal("0", ps.Run("$seen.Count").Output.Single().ToString());
            var stopped = ps.Run($"Get-SfSyncStatus -Rule bulk -StatePath '{state}' -Last 1").Output.Single();
            Assert.Equal(new[] { "Stopped", "0" }, new[] { stopped.Prop("Status"), stopped.Prop("Impacted") });
        }

        /// <summary>
        /// What a resumed job did is the rule's only once the run that followed it has recorded it: a run stopped
        /// after reading the job's results ("Get Job Successful Record Results", "Get Job Failed Record Results")
        /// but before recording them, or one under -WhatIf (it records nothing), leaves the job in the journal, so
        /// the next run follows it again and reports the users it created as Created, counted once, by that run.
        /// Reading a job's results again is safe: a finished job keeps them until it is deleted, 7 days on
        /// ("Limits and Allocations", Results lifespan, https://developer.salesforce.com/docs/atlas.en-us.228.0.api_bulk_v2.meta/api_bulk_v2/bulk_api_2_limits.htm).
        /// </summary>
        [Fact]
        public void A_run_that_stops_after_reading_a_resumed_jobs_results_leaves_the_job_to_the_next_run()
        {
            string state = SaveConnectionAndRule();
            using var ps = _emulator.NewSession();
            _emulator.Post("bulk-hold", "{\"afterRows\":1000}");
            _emulator.InjectFaults(new { kind = "RecordError", count = 1, pathContains = "jobs/ingest", method = "PATCH", recordField = "Username", recordValues = new[] { "user7@lost.example.com" }, statusCode = "FIELD_CUSTOM_VALIDATION_EXCEPTION", message = "Blocked by a validation rule" });
            StopWhileTheJobRuns(ps, state, "lost.example.com");
            _emulator.ClearFaults();
            _emulator.Post("bulk-hold", "{\"afterRows\":null}");
            string run = $"$results = $users | Sync-SfUser -Rule bulk -StatePath '{state}' -BulkApiThreshold 2000 -ErrorAction SilentlyContinue";

            // -WhatIf follows the job and records nothing: the job stays for a run that records.
            var whatIf = ps.Run(Users(2500, "lost.example.com") + run + " -WhatIf");
            Assert.Contains(whatIf.Warnings, w => w.StartsWith("Resumed the Bulk API 2.0 insert User job 750", StringComparison.Ordinal));

            // Stopped once the job's results are read and the run reads its first window (each call slowed down).
            long since = _emulator.Get("requests")["requests"].AsArray().Select(r => r["sequence"].GetValue<long>()).DefaultIfEmpty(0).Max();
            _emulator.Post("latency", "{\"ms\":1000,\"perRecordMs\":0}");
            DateTime lastLook = DateTime.MinValue;
            bool ReadingAfterTheResults()
            {
                if (DateTime.UtcNow - lastLook < TimeSpan.FromMilliseconds(50)) return false;
                lastLook = DateTime.UtcNow;
                var log = _emulator.Get("requests")["requests"].AsArray().Where(r => r["sequence"].GetValue<long>() > since)
                    .OrderBy(r => r["sequence"].GetValue<long>()).Select(r => (Path: r["path"].ToString(), Endpoint: r["endpoint"].ToString())).ToList();
                int results = log.FindLastIndex(r => r.Path.Contains("/failedResults", StringComparison.Ordinal));
                return results >= 0 && log.Skip(results + 1).Any(r => r.Endpoint != "bulk");
            }
            Assert.True(ps.RunAndStop(Users(2500, "lost.example.com") + run, ReadingAfterTheResults, TimeSpan.FromMinutes(2)), "the run ended before it was stopped");
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":0}");
            var stopped = ps.Run($"Get-SfSyncStatus -Rule bulk -StatePath '{state}' -Last 1").Output.Single();
            Assert.Equal(new[] { "Stopped", "0" }, new[] { stopped.Prop("Status"), stopped.Prop("Impacted") });

            var next = ps.Run(Users(2500, "lost.example.com") + run + "; " + ActionCounts +
                "; @($results | Where-Object { $_.Action -eq 'Created' -and $_.Message -like 'Created by Bulk API 2.0 job 750* of run *' }).Count");
            Assert.Contains(next.Warnings, w => w.StartsWith("Resumed the Bulk API 2.0 insert User job 750", StringComparison.Ordinal) && w.Contains("JobComplete, 2500 processed, 1 failed"));
            Assert.Equal(new[] { "Created 2499", "Failed 1", "2499" }, next.Output.Select(o => o.ToString()).ToArray());
            Assert.Equal(2499, UsersIn("lost.example.com"));

            var runs = ps.Run($"Get-SfSyncStatus -Rule bulk -StatePath '{state}' -Last 10").Output;
            Assert.Equal(new[] { "2500", "2499", "1" }, new[] { runs[0].Prop("Impacted"), runs[0].Prop("Success"), runs[0].Prop("Failed") });
            // The run whose job it was is noted once, by the run that recorded the job's records.
            var notes = System.Text.RegularExpressions.Regex.Matches(runs.Last(r => r.Prop("Status") == "Stopped").Prop("Error"), "went on after the run stopped following it; run \\d+ followed it");
            Assert.Equal($"went on after the run stopped following it; run {runs[0].Prop("RunId")} followed it", Assert.Single(notes).Value);
            var third = ps.Run(Users(2500, "lost.example.com") + run);
            Assert.DoesNotContain(third.Warnings, w => w.StartsWith("Resumed", StringComparison.Ordinal));
        }

        /// <summary>
        /// A job aborted while InProgress (by an admin, "Job States": Aborted) leaves its rows not reached yet
        /// unprocessed: the run that follows it reports the users it created as Created and writes the rest itself,
        /// each exactly once.
        /// </summary>
        [Fact]
        public void Records_a_resumed_job_never_processed_are_written_by_the_run_that_follows_it_exactly_once()
        {
            string state = SaveConnectionAndRule();
            using var ps = _emulator.NewSession();
            _emulator.Post("bulk-hold", "{\"afterRows\":1000}");
            StopWhileTheJobRuns(ps, state, "aborted.example.com");
            string jobId = _emulator.Bulk(HttpMethod.Get, "")["records"].AsArray().Single()["id"].ToString();
            _emulator.Bulk(HttpMethod.Patch, "/" + jobId, new { state = "Aborted" });
            _emulator.Post("bulk-hold", "{\"afterRows\":null}");
            Assert.Equal(1000, UsersIn("aborted.example.com"));

            var next = ps.Run(Users(2500, "aborted.example.com") + $"$results = $users | Sync-SfUser -Rule bulk -StatePath '{state}' -BulkApiThreshold 2000; " +
                "$results.Count; " + OneResultPerInput + ActionCounts + "; @($results | Where-Object Message -like 'Created by Bulk API 2.0 job*').Count; " +
                "[System.Collections.Generic.HashSet[string]]::new([string[]]@($results | ForEach-Object SalesforceId)).Count");
            Assert.Empty(next.Errors);
            Assert.Contains(next.Warnings, w => w.Contains($"job {jobId}: Aborted, 1000 processed, 0 failed"));
            Assert.Equal(new[] { "2500", "2500", "Created 2500", "1000", "2500" }, next.Output.Select(o => o.ToString()).ToArray());
            Assert.Equal(2500, UsersIn("aborted.example.com")); // and 2,500 distinct Ids among the results: no user twice
            Assert.Single(_emulator.Bulk(HttpMethod.Get, "")["records"].AsArray()); // the 1,500 went as composite collections (below the threshold)

            var runs = ps.Run($"Get-SfSyncStatus -Rule bulk -StatePath '{state}' -Last 2").Output;
            Assert.Equal(new[] { "Succeeded", "2500", "2500" }, new[] { runs[0].Prop("Status"), runs[0].Prop("Impacted"), runs[0].Prop("Success") });
            Assert.Equal("0", runs[1].Prop("Impacted"));
        }

        /// <summary>Without -Rule no later run follows the job: a run whose polls all fail reads its creates back by Username, as for a lost answer.</summary>
        [Fact]
        public void Without_a_rule_the_creates_of_a_job_whose_polling_was_cut_off_are_read_back()
        {
            using var ps = _emulator.NewSession();
            _emulator.InjectFaults(new { kind = "DropConnection", count = 1000, pathContains = "/jobs/ingest/750", method = "GET" });
            var run = ps.Run(Users(2500, "noRule.example.com") + "$results = $users | Sync-SfUser -Profile 'Standard User' -BulkApiThreshold 2000 -ErrorAction SilentlyContinue; " + ActionCounts);
            _emulator.ClearFaults();
            Assert.Equal(new[] { "Created 2500" }, run.Output.Select(o => o.ToString()).ToArray());
            Assert.Equal(2500, UsersIn("noRule.example.com"));
            Assert.Single(_emulator.Bulk(HttpMethod.Get, "")["records"].AsArray()); // nothing sent again
        }

        /// <summary>
        /// A closed job goes on in Salesforce whether or not its polls ("Get Information About an Ingest Job") are
        /// answered ("Job States": UploadComplete, InProgress, then JobComplete, Failed or Aborted). A run whose polls
        /// all fail leaves its records to the job, as a stopped run does (BulkJobInProgress, not counted), rather than
        /// reading them back while the job may still write them: the next rule run follows the job to its end and
        /// reports and counts each record once.
        /// </summary>
        [Fact]
        public void A_job_whose_polling_was_cut_off_is_resumed_by_the_next_rule_run_and_nothing_is_sent_or_counted_twice()
        {
            using var ps = _emulator.NewSession();
            string state = Path.Combine(_folder, "state.db");
            var setup = ps.Run($"$env:SFPROVISIONING_KEY_PATH = '{Path.Combine(_folder, "key")}'; $state = '{state}'; " +
                "Save-SfProvisioningConnection -Name prod -Connection $c -StatePath $state -Force; " +
                "$null = New-SfProvisioningRule -Name bulk -ConnectionName prod -Profile 'Standard User' -StatePath $state");
            Assert.Empty(setup.Errors);

            // Every poll of the job loses its connection: the run cannot follow the job it closed.
            _emulator.InjectFaults(new { kind = "DropConnection", count = 1000, pathContains = "/jobs/ingest/750", method = "GET" });
            var first = ps.Run(Users(2500, "resume.example.com") + "$results = $users | Sync-SfUser -Rule bulk -StatePath $state -BulkApiThreshold 2000 -ErrorAction SilentlyContinue; " + ActionCounts +
                "; @($results | Where-Object { $_.ErrorCode -eq 'BulkJobInProgress' -and $_.Message -like 'Bulk API 2.0 job 750* was closed, but following it failed (*); it goes on in Salesforce. The next run of the rule follows the job*' }).Count");
            _emulator.ClearFaults();
            Assert.Equal(2500, UsersIn("resume.example.com")); // the job ran in Salesforce all the same, once
            // Left to the job: neither read back nor counted by this run.
            Assert.Equal(new[] { "Failed 2500", "2500" }, first.Output.Select(o => o.ToString()).ToArray());
            var firstRun = ps.Run("Get-SfSyncStatus -Rule bulk -StatePath $state -Last 1").Output.Single();
            Assert.Equal(new[] { "0", "0" }, new[] { firstRun.Prop("Impacted"), firstRun.Prop("Failed") });
            long bulkBefore = BulkCalls();

            var second = ps.Run(Users(2500, "resume.example.com") + "$results = $users | Sync-SfUser -Rule bulk -StatePath $state -BulkApiThreshold 2000; " + ActionCounts +
                "; @($results | Where-Object Message -like 'Created by Bulk API 2.0 job 750* of run *, which did not see the job finish; this run followed the job to its end and reports it*').Count");
            Assert.Empty(second.Errors);
            Assert.Contains(second.Warnings, w => w.StartsWith("Resumed the Bulk API 2.0 insert User job 750", StringComparison.Ordinal) && w.Contains("JobComplete, 2500 processed"));
            Assert.Equal(new[] { "Created 2500", "2500" }, second.Output.Select(o => o.ToString()).ToArray());
            Assert.Equal(2, BulkCalls() - bulkBefore); // one look at the resumed job and its successfulResults; no new job
            Assert.Equal(2500, UsersIn("resume.example.com"));
            var runs = ps.Run("Get-SfSyncStatus -Rule bulk -StatePath $state -Last 2").Output;
            Assert.Equal(new[] { "2500", "2500", "0" }, new[] { runs[0].Prop("Impacted"), runs[0].Prop("Success"), runs[1].Prop("Impacted") }); // counted once, by the run that knew

            // Resumed once: the next run has nothing left to follow.
            var third = ps.Run(Users(2500, "resume.example.com") + "$null = $users | Sync-SfUser -Rule bulk -StatePath $state");
            Assert.DoesNotContain(third.Warnings, w => w.StartsWith("Resumed", StringComparison.Ordinal));

            // A job left Open (the run stopped before closing it) processed nothing: the next run aborts it.
            string open = _emulator.Bulk(HttpMethod.Post, "", new { @object = "User", operation = "insert" })["id"].ToString();
            var journal = ps.Run("$store = [Activator]::CreateInstance($c.GetType().Assembly.GetType('SalesforceProvisioning.SqliteStateStore'), [object[]]@($state)); " +
                $"try {{ $store.BulkJobs('prod').JobStarted('{open}', 'User', 'insert') }} finally {{ $store.Dispose() }}");
            Assert.Empty(journal.Errors);
            bulkBefore = BulkCalls();
            var fourth = ps.Run(Users(2500, "resume.example.com") + "$null = $users | Sync-SfUser -Rule bulk -StatePath $state");
            Assert.Empty(fourth.Errors);
            Assert.Contains(fourth.Warnings, w => w.Contains($"job {open}: Aborted, 0 processed"));
            Assert.Equal(3, BulkCalls() - bulkBefore); // a look, the abort ("Close or Abort a Job": state Aborted), a look; no results to read
            Assert.Equal("Aborted", _emulator.Bulk(HttpMethod.Get, "/" + open)["state"].ToString());
            var fifth = ps.Run(Users(2500, "resume.example.com") + "$null = $users | Sync-SfUser -Rule bulk -StatePath $state");
            Assert.DoesNotContain(fifth.Warnings, w => w.StartsWith("Resumed", StringComparison.Ordinal)); // aborted, it left the journal
        }
    }
}
