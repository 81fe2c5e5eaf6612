using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RestSharp;

namespace SalesforceProvisioning
{
    /// <summary>
    /// Reads with as few counted API calls as Salesforce allows: up to five queries (or pages of one
    /// query, chained with <c>@{ref.nextRecordsUrl}</c>) in one composite request, which counts as one call.
    /// </summary>
    public sealed class CompositeReader
    {
        public const int QueriesPerComposite = 5;

        private readonly SalesforceClient _client;

        public CompositeReader(SalesforceClient client) { _client = client; }

        /// <summary>Runs every statement and returns all their records, following paging.</summary>
        public async Task<List<JObject>> QueryManyAsync(IEnumerable<string> statements, CancellationToken ct)
        {
            var records = new List<JObject>();
            var pending = new Queue<string>(statements.Select(s => _client.DataPath("query?q=" + Uri.EscapeDataString(s))));
            while (pending.Count > 0)
            {
                var batch = new List<string>();
                while (batch.Count < QueriesPerComposite && pending.Count > 0) batch.Add(pending.Dequeue());
                var subrequests = new JArray(batch.Select((url, i) => new JObject { ["method"] = "GET", ["url"] = url, ["referenceId"] = "q" + i }));
                var responses = await SendAsync(subrequests, ct).ConfigureAwait(false);
                foreach (JObject response in responses)
                {
                    JObject page = EnsureQueryPage(response);
                    records.AddRange(((JArray)page["records"]).Cast<JObject>());
                    if (!page.Value<bool>("done")) pending.Enqueue(page.Value<string>("nextRecordsUrl"));
                }
            }
            return records;
        }

        /// <summary>Reads a whole (large) query result, five pages of 2,000 records per counted call.</summary>
        public async Task ScanAsync(string statement, Action<IReadOnlyList<JObject>> onPage, CancellationToken ct)
        {
            string next = _client.DataPath("query?q=" + Uri.EscapeDataString(statement));
            while (next != null)
            {
                var subrequests = new JArray { new JObject { ["method"] = "GET", ["url"] = next, ["referenceId"] = "p0" } };
                for (int i = 1; i < QueriesPerComposite; i++)
                    subrequests.Add(new JObject { ["method"] = "GET", ["url"] = "@{p" + (i - 1) + ".nextRecordsUrl}", ["referenceId"] = "p" + i });
                var responses = await SendAsync(subrequests, ct).ConfigureAwait(false);

                next = null;
                EnsureQueryPage(responses[0]); // the first page of each request must succeed
                foreach (JObject response in responses)
                {
                    int status = response.Value<int>("httpStatusCode");
                    if (status >= 300)
                    {
                        // The chain broke (a page without a successor, or references unsupported): continue from
                        // the last locator we know, if the previous page was not the last one.
                        break;
                    }
                    JObject page = (JObject)response["body"];
                    onPage(((JArray)page["records"]).Cast<JObject>().ToList());
                    next = page.Value<bool>("done") ? null : page.Value<string>("nextRecordsUrl");
                    if (next == null) break;
                }
            }
        }

        private async Task<List<JObject>> SendAsync(JArray subrequests, CancellationToken ct)
        {
            var body = new JObject { ["allOrNone"] = false, ["compositeRequest"] = subrequests };
            JToken answer = await _client.SendAsync(Method.Post, _client.DataPath("composite"), body, repeatable: true, ct).ConfigureAwait(false);
            return ((JArray)answer["compositeResponse"]).Cast<JObject>().ToList();
        }

        private static JObject EnsureQueryPage(JObject response)
        {
            int status = response.Value<int>("httpStatusCode");
            if (status < 300 && response["body"] is JObject page) return page;
            var apiResponse = new ApiResponse(status, response["body"]?.ToString(Newtonsoft.Json.Formatting.None));
            throw SalesforceClient.ToApiException(apiResponse);
        }
    }
}
