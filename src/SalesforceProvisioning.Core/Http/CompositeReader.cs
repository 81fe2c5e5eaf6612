using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
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
            await ReadPagesAsync(statements.ToList(), (_, page) => records.AddRange(page.Records), ct).ConfigureAwait(false);
            return records;
        }

        /// <summary>
        /// Runs every statement and returns each one's records, in the order of the statements: independent
        /// reads given together share composite calls (five queries or follow-on pages to a call).
        /// </summary>
        public async Task<QueryResult[]> QueryEachAsync(IReadOnlyList<string> statements, CancellationToken ct)
        {
            var results = statements.Select(_ => new QueryResult()).ToArray();
            await ReadPagesAsync(statements, (statement, page) =>
            {
                results[statement].Records.AddRange(page.Records);
                results[statement].TotalSize ??= page.TotalSize;
            }, ct).ConfigureAwait(false);
            return results;
        }

        /// <summary>Where one statement's reading stands: the next page's address and the pages it is expected to have left.</summary>
        private sealed class Cursor
        {
            public int Statement;
            public string Url;
            public int Read;
            /// <summary>Pages still to read, from the first page's totalSize and the page size seen; 1 when not known yet.</summary>
            public int PagesLeft = 1;
        }

        /// <summary>
        /// Five query subrequests to a composite call (Salesforce counts the call once and allows at most five
        /// queries in it, Query More requests for the next batch included:
        /// https://developer.salesforce.com/docs/atlas.ja-jp.210.0.api_rest.meta/api_rest/resources_composite_composite.htm,
        /// https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-composite-post.html).
        /// A query whose first page says more remain (totalSize) gets as many follow-on pages in one call as it
        /// has left, chained with <c>@{ref.nextRecordsUrl}</c>, beside the other statements' pages, so no call goes
        /// out with an empty slot while pages are known to remain. A page may hold fewer than 2,000 records
        /// (https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.md): the estimate uses
        /// the size of the pages seen, and a chain that runs past the last page (its reference fails) or breaks
        /// continues from the last locator read.
        /// </summary>
        private async Task ReadPagesAsync(IReadOnlyList<string> statements, Action<int, QueryAnswer> onPage, CancellationToken ct)
        {
            var pending = new Queue<Cursor>(statements.Select((s, i) => new Cursor { Statement = i, Url = _client.DataPath("query?q=" + Uri.EscapeDataString(s)) }));
            while (pending.Count > 0)
            {
                var chains = new List<(Cursor Cursor, int Pages)>();
                var subrequests = new JArray();
                while (subrequests.Count < QueriesPerComposite && pending.Count > 0)
                {
                    Cursor cursor = pending.Dequeue();
                    int pages = Math.Min(cursor.PagesLeft, QueriesPerComposite - subrequests.Count);
                    for (int i = 0; i < pages; i++)
                    {
                        string reference = "q" + subrequests.Count;
                        string url = i == 0 ? cursor.Url : "@{q" + (subrequests.Count - 1) + ".nextRecordsUrl}";
                        subrequests.Add(new JObject { ["method"] = "GET", ["url"] = url, ["referenceId"] = reference });
                    }
                    chains.Add((cursor, pages));
                }
                var answers = await SendAsync(subrequests, ct).ConfigureAwait(false);
                int at = 0;
                foreach (var (cursor, pages) in chains)
                {
                    string next = cursor.Url;
                    bool broke = false;
                    for (int i = 0; i < pages; i++)
                    {
                        QueryAnswer page = at + i < answers.Count ? answers[at + i] : null;
                        if (i == 0)
                        {
                            if (page == null) throw new SalesforceException(SalesforceFailure.ApiError, "Salesforce answered a composite read with fewer subrequest answers than were sent.", Remedies.For("ConnectionDropped"));
                            page.EnsureSuccess(); // the first page of a chain was asked for by address: its failure is the query's
                        }
                        else if (page == null || page.Status >= 300) { broke = true; break; } // go on from the last locator read, unchained
                        onPage(cursor.Statement, page);
                        cursor.Read += page.Records.Count;
                        next = page.Done ? null : page.NextRecordsUrl;
                        if (next == null) break;
                        cursor.PagesLeft = page.TotalSize is int total && page.Records.Count > 0
                            ? Math.Max(1, (total - cursor.Read + page.Records.Count - 1) / page.Records.Count)
                            : 1;
                    }
                    at += pages;
                    if (next == null) continue;
                    if (broke) cursor.PagesLeft = 1;
                    cursor.Url = next;
                    pending.Enqueue(cursor);
                }
            }
        }

        /// <summary>Reads a whole (large) query result, five pages of 2,000 records per counted call.</summary>
        public Task ScanAsync(string statement, Action<IReadOnlyList<JObject>> onPage, CancellationToken ct)
            => ScanAsync(statement, onPage, onRecord: null, ct);

        /// <summary>
        /// Like <see cref="ScanAsync(string, Action{IReadOnlyList{JObject}}, CancellationToken)"/>, but hands each
        /// record to <paramref name="onRecord"/> straight from the answer's text (the reader at the record's
        /// StartObject; it must read the whole record), so no record becomes a JSON object at all.
        /// </summary>
        public Task ScanRecordsAsync(string statement, Action<JsonReader> onRecord, CancellationToken ct)
            => ScanAsync(statement, onPage: null, onRecord, ct);

        private async Task ScanAsync(string statement, Action<IReadOnlyList<JObject>> onPage, Action<JsonReader> onRecord, CancellationToken ct)
        {
            string next = _client.DataPath("query?q=" + Uri.EscapeDataString(statement));
            while (next != null)
            {
                var subrequests = new JArray { new JObject { ["method"] = "GET", ["url"] = next, ["referenceId"] = "p0" } };
                for (int i = 1; i < QueriesPerComposite; i++)
                    subrequests.Add(new JObject { ["method"] = "GET", ["url"] = "@{p" + (i - 1) + ".nextRecordsUrl}", ["referenceId"] = "p" + i });
                var pages = await SendAsync(subrequests, ct, onRecord).ConfigureAwait(false);

                next = null;
                if (pages.Count == 0) throw new SalesforceException(SalesforceFailure.ApiError, "Salesforce answered a composite read with no subrequest answers.", Remedies.For("ConnectionDropped"));
                pages[0].EnsureSuccess(); // the first page of each request must succeed
                foreach (QueryAnswer page in pages)
                {
                    // The chain broke (a page without a successor, or references unsupported): continue from
                    // the last locator we know, if the previous page was not the last one.
                    if (page.Status >= 300) break;
                    onPage?.Invoke(page.Records);
                    next = page.Done ? null : page.NextRecordsUrl;
                    if (next == null) break;
                }
            }
        }

        private async Task<List<QueryAnswer>> SendAsync(JArray subrequests, CancellationToken ct, Action<JsonReader> onRecord = null)
        {
            var body = new JObject { ["allOrNone"] = false, ["compositeRequest"] = subrequests };
            List<QueryAnswer> answers = null;
            ApiResponse answer = await _client.SendRawAsync(Method.Post, _client.DataPath("composite"), body, repeatable: true,
                text => answers = QueryAnswer.ReadComposite(text, onRecord), ct).ConfigureAwait(false);
            if (answer.Status >= 400)
            {
                SalesforceApiException failure = SalesforceClient.ToApiException(answer);
                failure.AnswerLost = answer.AnswerLost;
                throw failure;
            }
            return answers ?? QueryAnswer.ReadComposite(answer.Body, onRecord);
        }

    }

    /// <summary>One statement's records, and its record count as Salesforce gave it (a <c>SELECT COUNT()</c> has only that).</summary>
    public sealed class QueryResult
    {
        public List<JObject> Records { get; } = new List<JObject>();
        public int? TotalSize { get; internal set; }
    }

    /// <summary>
    /// One query subrequest's answer in a composite response, read straight from the response text: each
    /// record becomes a small object of its own and the answer as a whole is never built as one JSON tree
    /// (five pages of 2,000 users would be a tree ten times the size of their text, all kept at once).
    /// </summary>
    internal sealed class QueryAnswer
    {
        public int Status { get; private set; }
        public List<JObject> Records { get; } = new List<JObject>();
        public bool Done { get; private set; } = true;
        public string NextRecordsUrl { get; private set; }

        /// <summary>The query's record count from its answer (every page carries it), or null when not given.</summary>
        public int? TotalSize { get; private set; }

        /// <summary>The body of an answer that is not a page of records (an error list).</summary>
        private JToken _otherBody;

        public void EnsureSuccess()
        {
            if (Status < 300 && _otherBody == null) return;
            throw SalesforceClient.ToApiException(new ApiResponse(Status, _otherBody?.ToString(Formatting.None)));
        }

        /// <summary>The subrequest answers of a composite response, in order.</summary>
        /// <param name="onRecord">Given, each record goes to it (the reader at its StartObject) instead of <see cref="Records"/>.
        /// Only a query page has records, so they are handed on before the answer's status is read.</param>
        public static List<QueryAnswer> ReadComposite(string body, Action<JsonReader> onRecord = null)
            => ReadComposite(new StringReader(body ?? ""), onRecord);

        /// <summary>The subrequest answers of a composite response read from its text, in order.</summary>
        public static List<QueryAnswer> ReadComposite(TextReader body, Action<JsonReader> onRecord = null)
        {
            var answers = new List<QueryAnswer>();
            using (var reader = new JsonTextReader(body) { DateParseHandling = DateParseHandling.None, CloseInput = false })
            {
                if (!reader.Read() || reader.TokenType != JsonToken.StartObject)
                    throw new SalesforceException(SalesforceFailure.ApiError, "Salesforce answered a composite read with something other than a JSON object.", Remedies.For("ConnectionDropped"));
                while (reader.Read() && reader.TokenType == JsonToken.PropertyName)
                {
                    string name = (string)reader.Value;
                    reader.Read();
                    if (name != "compositeResponse" || reader.TokenType != JsonToken.StartArray) { reader.Skip(); continue; }
                    while (reader.Read() && reader.TokenType == JsonToken.StartObject) answers.Add(ReadOne(reader, onRecord));
                }
            }
            return answers;
        }

        private static QueryAnswer ReadOne(JsonReader reader, Action<JsonReader> onRecord)
        {
            var answer = new QueryAnswer();
            while (reader.Read() && reader.TokenType == JsonToken.PropertyName)
            {
                string name = (string)reader.Value;
                reader.Read();
                switch (name)
                {
                    case "httpStatusCode": answer.Status = Convert.ToInt32(reader.Value, CultureInfo.InvariantCulture); break;
                    case "body":
                        if (reader.TokenType == JsonToken.StartObject) answer.ReadPage(reader, onRecord);
                        else answer._otherBody = JToken.Load(reader);
                        break;
                    default: reader.Skip(); break;
                }
            }
            return answer;
        }

        private void ReadPage(JsonReader reader, Action<JsonReader> onRecord)
        {
            bool hasRecords = false;
            var rest = new JObject();
            while (reader.Read() && reader.TokenType == JsonToken.PropertyName)
            {
                string name = (string)reader.Value;
                reader.Read();
                switch (name)
                {
                    case "records" when reader.TokenType == JsonToken.StartArray:
                        hasRecords = true;
                        while (reader.Read() && reader.TokenType == JsonToken.StartObject)
                        {
                            if (onRecord == null) { Records.Add(JObject.Load(reader)); continue; }
                            int depth = reader.Depth;
                            onRecord(reader);
                            if (reader.TokenType != JsonToken.EndObject || reader.Depth != depth)
                                throw new InvalidOperationException("A record reader must read its whole record.");
                        }
                        break;
                    case "done": Done = reader.Value is bool done ? done : true; break;
                    case "nextRecordsUrl": NextRecordsUrl = reader.Value as string; break;
                    case "totalSize":
                        if (reader.TokenType == JsonToken.Integer) TotalSize = Convert.ToInt32(reader.Value, CultureInfo.InvariantCulture);
                        rest[name] = JToken.Load(reader);
                        break;
                    default: rest[name] = JToken.Load(reader); break;
                }
            }
            if (!hasRecords) _otherBody = rest; // not a query page: reported as the answer it was
        }
    }
}
