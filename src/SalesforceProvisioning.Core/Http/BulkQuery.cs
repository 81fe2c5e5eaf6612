using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RestSharp;

namespace SalesforceProvisioning
{
    /// <summary>
    /// Reads a large SOQL result through a Bulk API 2.0 query job: create the job (operation query), poll it
    /// with back-off until JobComplete, then get its results page by page (maxRecords per page), following the
    /// Sforce-Locator header until it says 'null'. Each page is CSV with its own header row.
    /// </summary>
    /// <remarks>
    /// Followed: Salesforce's "Bulk API 2.0 and Bulk API Developer Guide": Create a Query Job and its walkthrough
    /// (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_walkthrough.htm: POST
    /// jobs/query with operation and query; the job answers UploadComplete and runs on its own; poll until JobComplete), Get Information About a Query Job
    /// (the state: UploadComplete, InProgress, JobComplete, Failed, Aborted) and Get Results for a Query Job
    /// (https://developer.salesforce.com/docs/platform/api-asynch/guide/query-get-job-results.html: GET
    /// jobs/query/{id}/results?locator=&amp;maxRecords=, "the job must have the state JobComplete", the
    /// Sforce-Locator response header names the next set of results and is the text 'null' on the last one;
    /// maxRecords splits very large results so a request does not time out).
    /// </remarks>
    public sealed class BulkQuery
    {
        /// <summary>Records per result page: few pages (each a counted call), each well inside a request's time.</summary>
        public const int RecordsPerPage = 50000;

        private readonly SalesforceClient _client;
        private readonly TimeSpan _firstPollDelay;

        public BulkQuery(SalesforceClient client, TimeSpan firstPollDelay)
        {
            _client = client;
            _firstPollDelay = firstPollDelay;
        }

        /// <summary>Ids of the query jobs this instance ran (for the summary).</summary>
        public List<string> JobIds { get; } = new List<string>();

        /// <summary>Counted calls a query job of about this many records costs: create, one poll, then one call per page.</summary>
        public static long CallsFor(long records) => 2 + Math.Max(1, (records + RecordsPerPage - 1) / RecordsPerPage);

        /// <summary>
        /// A CSV value as the composite reader's JSON would give it, by the field's describe type, invariant culture:
        /// empty is null, booleans are 'true'/'false', numbers as numbers; date-times stay ISO instants as text.
        /// </summary>
        public static object Value(string fieldType, string text)
        {
            if (string.IsNullOrEmpty(text)) return null;
            switch (fieldType)
            {
                case "boolean":
                    if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase)) return true;
                    if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase)) return false;
                    return text;
                case "int":
                    return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long whole) ? (object)whole : text;
                case "double":
                case "currency":
                case "percent":
                    return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) ? (object)number : text;
                default:
                    return text;
            }
        }

        /// <summary>
        /// Runs the query and hands every record to <paramref name="onRow"/> with its page's header (field names as
        /// Salesforce wrote them) and its values as text; an empty value is a null field.
        /// </summary>
        public async Task RunAsync(string soql, Action<string[], string[]> onRow, CancellationToken ct)
        {
            // A query job created twice (a retry after a lost answer) reads twice and writes nothing: repeatable.
            var request = new JObject { ["operation"] = "query", ["query"] = soql, ["contentType"] = "CSV", ["columnDelimiter"] = "COMMA", ["lineEnding"] = "LF" };
            JToken created = await _client.SendAsync(Method.Post, _client.DataPath("jobs/query"), request, repeatable: true, ct).ConfigureAwait(false);
            string jobId = created.Value<string>("id");
            JobIds.Add(jobId);
            string jobPath = _client.DataPath("jobs/query/" + jobId);

            BulkJobInfo info = await BulkIngest.PollJobAsync(_client, jobPath, _firstPollDelay, null, ct).ConfigureAwait(false);
            if (info.State != "JobComplete")
                throw new SalesforceException(SalesforceFailure.ApiError,
                    $"The Bulk API 2.0 query job {jobId} ended {info.State}" + (info.ErrorMessage != null ? $": {info.ErrorMessage}" : "") + "; the users could not be read.",
                    "Run again; if it keeps failing, run with -UseBulkApi Never to read through composite requests.");

            string locator = null;
            do
            {
                string path = jobPath + "/results?maxRecords=" + RecordsPerPage.ToString(CultureInfo.InvariantCulture)
                    + (locator != null ? "&locator=" + Uri.EscapeDataString(locator) : "");
                // Each page (up to 50,000 records) is read as it arrives. A page cut off and read again hands its
                // first rows on twice: the scan's index keeps one copy of each record.
                ApiResponse page = await _client.SendTextAsync(Method.Get, path, null, null, "text/csv", repeatable: true, csv =>
                {
                    string[] header = null;
                    BulkCsv.ReadRows(csv, row =>
                    {
                        if (header == null) header = row;
                        else onRow(header, row);
                    });
                }, ct).ConfigureAwait(false);
                locator = page.Locator;
            }
            while (!string.IsNullOrEmpty(locator) && !string.Equals(locator, "null", StringComparison.OrdinalIgnoreCase));
        }
    }
}
