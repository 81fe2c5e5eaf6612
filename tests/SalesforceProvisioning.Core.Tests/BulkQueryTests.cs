using System.Collections.Generic;
using System.Globalization;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// The Bulk API 2.0 query pieces that need no org: the scan's read-path decision (LifecyclePolicy), the result
    /// CSV ("Get Results for a Query Job": quoted fields that may hold commas, quotes and line breaks; an empty
    /// value is a null field) and its values typed as the composite reader's JSON types them, in any culture.
    /// </summary>
    public class BulkQueryTests
    {
        [Theory]
        [InlineData(SfBulkApiMode.Never, 20000, 100000, 10, 4, false)]
        [InlineData(SfBulkApiMode.Always, 20000, 10, 1, 3, false)]     // a small org: one composite call reads it
        [InlineData(SfBulkApiMode.Always, 20000, 25000, 3, 3, true)]   // as cheap: Always takes the job
        [InlineData(SfBulkApiMode.Always, 20000, 10, 10, 4, true)]
        [InlineData(SfBulkApiMode.Auto, 20000, 19999, 2, 3, false)]
        [InlineData(SfBulkApiMode.Auto, 20000, 20000, 2, 3, false)] // at the threshold, but the job would cost more calls
        [InlineData(SfBulkApiMode.Auto, 20000, 100000, 10, 4, true)]
        public void The_scan_reads_through_a_query_job_in_a_bulk_run_that_it_makes_cheaper(SfBulkApiMode mode, int threshold, long expected, long compositeCalls, long bulkCalls, bool bulk)
        {
            ReadPathDecision decision = LifecyclePolicy.ForUserScan(mode, threshold, expected, compositeCalls, bulkCalls);
            Assert.Equal(bulk, decision.IsBulk);
            Assert.False(string.IsNullOrEmpty(decision.Reason));
        }

        [Fact]
        public void A_query_job_costs_create_poll_and_a_call_per_page()
        {
            Assert.Equal(3, BulkQuery.CallsFor(0));
            Assert.Equal(3, BulkQuery.CallsFor(BulkQuery.RecordsPerPage));
            Assert.Equal(4, BulkQuery.CallsFor(100000));
        }

        [Fact]
        public void Result_rows_keep_quoted_commas_quotes_and_line_breaks()
        {
            var rows = new List<string[]>();
            BulkCsv.ReadRows("\"Id\",\"Title\",\"AboutMe\"\n\"005A\",\"Lead, Sales\",\"line one\nsaid \"\"hi\"\"\"\n\"005B\",\"\",\"\"\n", rows.Add);
            Assert.Equal(3, rows.Count);
            Assert.Equal(new[] { "005A", "Lead, Sales", "line one\nsaid \"hi\"" }, rows[1]);
            Assert.Equal(new[] { "005B", "", "" }, rows[2]);
        }

        /// <summary>A result page is read as it arrives, in blocks: a quoted field, an escaped quote or a line end may fall on a block's edge.</summary>
        [Fact]
        public void Rows_read_as_the_answer_arrives_are_the_rows_of_the_whole_text()
        {
            string csv = "\"Id\",\"Title\",\"AboutMe\"\n\"005A\",\"Lead, Sales\",\"line one\nsaid \"\"hi\"\"\"\"\"\n\"005B\",\"\",\"\"\r\n\"005C\",\"x\",\"\"\"\"";
            var whole = new List<string[]>();
            BulkCsv.ReadRows(csv, whole.Add);
            Assert.Equal(4, whole.Count);
            Assert.Equal(new[] { "005A", "Lead, Sales", "line one\nsaid \"hi\"\"" }, whole[1]);
            Assert.Equal(new[] { "005C", "x", "\"" }, whole[3]);

            var trickled = new List<string[]>();
            BulkCsv.ReadRows(new OneCharacterAtATime(csv), trickled.Add);
            Assert.Equal(whole, trickled);
        }

        private sealed class OneCharacterAtATime : System.IO.TextReader
        {
            private readonly string _text;
            private int _at;
            public OneCharacterAtATime(string text) { _text = text; }
            public override int Read(char[] buffer, int index, int count)
            {
                if (_at >= _text.Length || count == 0) return 0;
                buffer[index] = _text[_at++];
                return 1;
            }
        }

        [Fact]
        public void Values_are_typed_by_the_field_in_the_invariant_culture()
        {
            var culture = CultureInfo.CurrentCulture;
            try
            {
                foreach (string name in new[] { "tr-TR", "de-DE", "ar-SA" })
                {
                    CultureInfo.CurrentCulture = new CultureInfo(name);
                    Assert.Null(BulkQuery.Value("string", ""));
                    Assert.Equal(true, BulkQuery.Value("boolean", "true"));
                    Assert.Equal(false, BulkQuery.Value("boolean", "false"));
                    Assert.Equal(42L, BulkQuery.Value("int", "42"));
                    Assert.Equal(1234.5, BulkQuery.Value("currency", "1234.5"));
                    Assert.Equal("2027-03-31T15:00:00.000Z", BulkQuery.Value("datetime", "2027-03-31T15:00:00.000Z"));
                    Assert.Equal("Istanbul", BulkQuery.Value("string", "Istanbul"));
                }
            }
            finally
            {
                CultureInfo.CurrentCulture = culture;
            }
        }
    }
}
