using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// The Bulk API 2.0 pieces that need no org: the write-path decision (LifecyclePolicy), the job CSV as
    /// "Prepare CSV Files" and "Valid CSV Record Rows" describe it, and sf__Error as Get Job Failed Record
    /// Results gives it (Bulk API 2.0 and Bulk API Developer Guide).
    /// </summary>
    public class BulkIngestTests
    {
        [Theory]
        [InlineData(SfBulkApiMode.Never, 20000, 500000, false, 500000, WritePath.Composite)]
        [InlineData(SfBulkApiMode.Always, 20000, 3, false, 3, WritePath.Bulk)]
        [InlineData(SfBulkApiMode.Auto, 20000, 19999, false, 0, WritePath.Composite)]
        [InlineData(SfBulkApiMode.Auto, 20000, 20000, false, 0, WritePath.Bulk)]
        [InlineData(SfBulkApiMode.Auto, 20000, 300, true, 300, WritePath.Composite)]   // a retry of a few locked rows after the switch
        [InlineData(SfBulkApiMode.Auto, 20000, 2000, true, 2000, WritePath.Bulk)]
        [InlineData(SfBulkApiMode.Auto, 50, 60, false, 60, WritePath.Bulk)]            // a low threshold is the admin's word
        [InlineData(SfBulkApiMode.Auto, 50, 10, true, 10, WritePath.Composite)]
        public void The_policy_chooses_the_write_path_from_the_mode_the_threshold_and_the_batch(SfBulkApiMode mode, int threshold, long pending, bool switched, int batch, WritePath expected)
        {
            WritePathDecision decision = LifecyclePolicy.ForUserWrites(mode, threshold, pending, switched, batch);
            Assert.Equal(expected, decision.Path);
            Assert.False(string.IsNullOrEmpty(decision.Reason));
        }

        [Fact]
        public void The_reason_names_the_count_and_the_threshold()
        {
            Assert.Contains("25000", LifecyclePolicy.ForUserWrites(SfBulkApiMode.Auto, 20000, 25000, false, 0).Reason);
            Assert.Contains("20000", LifecyclePolicy.ForUserWrites(SfBulkApiMode.Auto, 20000, 120, false, 0).Reason);
        }

        [Fact]
        public void Csv_quotes_every_value_doubles_quotes_keeps_line_breaks_and_clears_with_na()
        {
            var writes = new List<RecordWrite>
            {
                new RecordWrite(WriteKind.Create, "User", new JObject { ["Username"] = "sean.o'brien@example.com", ["LastName"] = "O\"Brien, Jr.", ["Title"] = "line1\nline2", ["IsActive"] = true }),
                new RecordWrite(WriteKind.Create, "User", new JObject { ["Username"] = "zoe@example.com", ["LastName"] = "Ångström", ["Phone"] = JValue.CreateNull(), ["Title"] = "" }),
            };
            string csv = BulkIngest.ToCsv(writes, new[] { "Username", "LastName", "Title", "IsActive", "Phone" });
            Assert.Equal(
                "\"Username\",\"LastName\",\"Title\",\"IsActive\",\"Phone\"\n" +
                "\"sean.o'brien@example.com\",\"O\"\"Brien, Jr.\",\"line1\nline2\",\"true\",\"\"\n" +
                "\"zoe@example.com\",\"Ångström\",\"#N/A\",\"\",\"#N/A\"\n", csv);

            List<string[]> rows = BulkCsv.Parse(csv.Replace("\"\n", "\"\r\n"));
            Assert.Equal(3, rows.Count);
            Assert.Equal(new[] { "sean.o'brien@example.com", "O\"Brien, Jr.", "line1\nline2", "true", "" }, rows[1]);
        }

        [Fact]
        public void Csv_values_are_invariant_whatever_the_culture()
        {
            var previous = System.Globalization.CultureInfo.CurrentCulture;
            try
            {
                System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
                Assert.Equal("1.5", BulkIngest.CsvValue(new JValue(1.5), ""));
                Assert.Equal("2026-03-01T10:00:00.000Z", BulkIngest.CsvValue(new JValue(new System.DateTimeOffset(2026, 3, 1, 11, 0, 0, System.TimeSpan.FromHours(1))), ""));
            }
            finally
            {
                System.Globalization.CultureInfo.CurrentCulture = previous;
            }
        }

        /// <summary>
        /// Polling backs off ("Get Information About an Ingest Job" is one counted call per look; the guide's walkthrough
        /// polls until the state is JobComplete, Failed or Aborted, "Job States",
        /// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_bulk_v2/bulk_api_2_job_states.htm):
        /// the first look after the connection's retry delay, then twice as long after each answer, at most a minute
        /// apart. Timed by an injected clock, never the wall.
        /// </summary>
        [Fact]
        public void Polls_wait_twice_as_long_after_each_answer_up_to_a_minute_until_the_job_is_finished()
        {
            var waits = new List<System.TimeSpan>();
            int looks = 0;
            System.Threading.Tasks.Task<BulkJobInfo> Look(System.Threading.CancellationToken ct)
            {
                looks++;
                string state = looks < 10 ? (looks < 3 ? "UploadComplete" : "InProgress") : "JobComplete";
                return System.Threading.Tasks.Task.FromResult(new BulkJobInfo(new JObject { ["id"] = "750x", ["state"] = state }));
            }
            System.Threading.Tasks.Task Wait(System.TimeSpan delay, System.Threading.CancellationToken ct) { waits.Add(delay); return System.Threading.Tasks.Task.CompletedTask; }
            int polls = 0;
            BulkJobInfo info = BulkIngest.PollJobAsync(Look, System.TimeSpan.FromSeconds(2), Wait, () => polls++, default).GetAwaiter().GetResult();
            Assert.Equal("JobComplete", info.State);
            Assert.Equal(10, looks);
            Assert.Equal(10, polls);
            Assert.Equal(new[] { 2, 4, 8, 16, 32, 60, 60, 60, 60, 60 }, waits.Select(w => (int)w.TotalSeconds).ToArray());

            // An ingest job still Open was never closed: it will not progress, so polling it ends at once.
            looks = 0;
            var open = Assert.Throws<SalesforceException>(() => BulkIngest.PollJobAsync(
                ct => { looks++; return System.Threading.Tasks.Task.FromResult(new BulkJobInfo(new JObject { ["id"] = "750y", ["state"] = "Open" })); },
                System.TimeSpan.Zero, Wait, null, default).GetAwaiter().GetResult());
            Assert.Equal(1, looks);
            Assert.Contains("still Open", open.Message);
        }

        [Theory]
        [InlineData("REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --", "REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", "LastName")]
        [InlineData("UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: 005xx:--", "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record or 1 records: 005xx", "")]
        [InlineData("DUPLICATE_USERNAME:Duplicate Username.<br>The username already exists in this or another Salesforce organization.:Username --", "DUPLICATE_USERNAME", "Duplicate Username.<br>The username already exists in this or another Salesforce organization.", "Username")]
        public void Sf_error_splits_into_code_message_and_fields(string error, string code, string message, string fields)
        {
            var parsed = BulkIngest.ParseError(error);
            Assert.Equal(code, parsed.Code);
            Assert.Equal(message, parsed.Message);
            Assert.Equal(fields, string.Join(",", parsed.Fields ?? new string[0]));
        }
    }
}
