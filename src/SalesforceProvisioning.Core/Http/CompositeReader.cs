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
            var pending = new Queue<string>(statements.Select(s => _client.DataPath("query?q=" + Uri.EscapeDataString(s))));
            while (pending.Count > 0)
            {
                var batch = new List<string>();
                while (batch.Count < QueriesPerComposite && pending.Count > 0) batch.Add(pending.Dequeue());
                var subrequests = new JArray(batch.Select((url, i) => new JObject { ["method"] = "GET", ["url"] = url, ["referenceId"] = "q" + i }));
                foreach (QueryAnswer page in await SendAsync(subrequests, ct).ConfigureAwait(false))
                {
                    page.EnsureSuccess();
                    records.AddRange(page.Records);
                    if (!page.Done) pending.Enqueue(page.NextRecordsUrl);
                }
            }
            return records;
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

    /// <summary>
    /// Property names read once per answer instead of once per record: an answer of 10,000 records repeats the
    /// same forty field names, and the reader would otherwise make a string of each every time.
    /// </summary>
    internal sealed class RepeatedNames : JsonNameTable
    {
        private readonly DefaultJsonNameTable _names = new DefaultJsonNameTable();

        public override string Get(char[] key, int start, int length)
        {
            string name = _names.Get(key, start, length);
            if (name == null) _names.Add(name = new string(key, start, length));
            return name;
        }
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
            using (var reader = new JsonTextReader(body) { DateParseHandling = DateParseHandling.None, CloseInput = false, PropertyNameTable = new RepeatedNames() })
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
                    default: rest[name] = JToken.Load(reader); break;
                }
            }
            if (!hasRecords) _otherBody = rest; // not a query page: reported as the answer it was
        }
    }
}
