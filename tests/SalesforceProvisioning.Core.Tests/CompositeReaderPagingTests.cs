using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// The composite reader chains a query's follow-on pages (<c>@{ref.nextRecordsUrl}</c>) as many as its first
    /// page's totalSize says remain, five query subrequests to a call. Salesforce may return pages of fewer
    /// than 2,000 records, and of varying size ("the returned batch can include fewer records than the limit",
    /// https://developer.salesforce.com/docs/platform/api-rest/guide/resources-query.md), so the estimate can be
    /// short (one more call) or long (a chained page after the last one: its reference fails); and a chain can
    /// break. Whatever happens, every record is read exactly once, under its own statement. A local fake org
    /// serves pages of set sizes and resolves references as the composite resource does.
    /// </summary>
    public class CompositeReaderPagingTests : IDisposable
    {
        private readonly FakeQueryOrg _org = new FakeQueryOrg();

        public void Dispose() => _org.Dispose();

        private CompositeReader Reader() => new CompositeReader(SfProvisioningConnection.Create(new SfConnectionSettings
        {
            Domain = _org.BaseUrl,
            AccessToken = SecretText.ToSecureString("fake-token"),
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        }).Client);

        [Fact]
        public void Pages_shorter_and_longer_than_estimated_are_each_read_once_in_full_calls()
        {
            // B: 1,000 then 1,500 (the estimate of two more pages is one too many). A: 1,000 then 700s (short).
            _org.Add("SELECT Id FROM B", 2500, 1000, 1500);
            _org.Add("SELECT Id FROM A", 4500, 1000, 700, 700, 700, 700, 700);

            QueryResult[] results = Reader().QueryEachAsync(new[] { "SELECT Id FROM B", "SELECT Id FROM A" }, CancellationToken.None).GetAwaiter().GetResult();

            AssertEachOnce(results[0], "B", 2500);
            AssertEachOnce(results[1], "A", 4500);
            Assert.Equal(2500, results[0].TotalSize);
            // 1: both first pages. 2: B's two chained (the second runs past its end), A's next three. 3: A's last two.
            Assert.Equal(3, _org.Calls);
            Assert.All(_org.SubrequestsPerCall, n => Assert.True(n <= CompositeReader.QueriesPerComposite));
        }

        [Fact]
        public void A_broken_chain_goes_on_from_the_last_page_read()
        {
            _org.RefuseReferences = true;
            _org.Add("SELECT Id FROM C", 3000, 1000, 1000, 1000);

            var records = Reader().QueryManyAsync(new[] { "SELECT Id FROM C" }, CancellationToken.None).GetAwaiter().GetResult();

            Assert.Equal(3000, records.Count);
            Assert.Equal(3000, records.Select(r => r.Value<string>("Id")).Distinct().Count());
            Assert.Equal(3, _org.Calls);
        }

        private static void AssertEachOnce(QueryResult result, string name, int total)
        {
            var ids = result.Records.Select(r => r.Value<string>("Id")).ToList();
            Assert.Equal(total, ids.Count);
            Assert.Equal(total, ids.Distinct().Count());
            Assert.All(ids, id => Assert.StartsWith(name + "-", id));
        }

        /// <summary>Answers POST /composite with query pages of set sizes; a page's locator is its statement and page number.</summary>
        private sealed class FakeQueryOrg : IDisposable
        {
            private readonly HttpListener _listener = new HttpListener();
            private readonly Dictionary<string, (string Name, int Total, int[] Pages)> _statements = new Dictionary<string, (string, int, int[])>();
            private readonly Dictionary<string, (string Name, int Total, int[] Pages)> _byName = new Dictionary<string, (string, int, int[])>();

            public FakeQueryOrg()
            {
                var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                int port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
                BaseUrl = $"http://127.0.0.1:{port}";
                _listener.Prefixes.Add(BaseUrl + "/");
                _listener.Start();
                Task.Run(ServeAsync);
            }

            public string BaseUrl { get; }
            public int Calls { get; private set; }
            public List<int> SubrequestsPerCall { get; } = new List<int>();

            /// <summary>Referenced subrequests fail, as if the chain broke.</summary>
            public bool RefuseReferences { get; set; }

            public void Add(string statement, int total, params int[] pages)
            {
                string name = statement.Substring(statement.LastIndexOf(' ') + 1);
                _statements[statement] = (name, total, pages);
                _byName[name] = (name, total, pages);
            }

            private async Task ServeAsync()
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try { context = await _listener.GetContextAsync(); }
                    catch (Exception) { return; }
                    string body;
                    using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync();
                    string answer = context.Request.Url.AbsolutePath.EndsWith("/composite", StringComparison.Ordinal) ? Composite(JObject.Parse(body)) : "[]";
                    byte[] bytes = Encoding.UTF8.GetBytes(answer);
                    context.Response.StatusCode = 200;
                    context.Response.ContentType = "application/json";
                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
            }

            private string Composite(JObject request)
            {
                Calls++;
                var subrequests = ((JArray)request["compositeRequest"]).Cast<JObject>().ToList();
                SubrequestsPerCall.Add(subrequests.Count);
                var answers = new Dictionary<string, JObject>();
                var responses = new JArray();
                foreach (JObject sub in subrequests)
                {
                    string url = sub.Value<string>("url");
                    JObject page = null;
                    if (url.StartsWith("@{", StringComparison.Ordinal))
                    {
                        string reference = url.Substring(2, url.IndexOf('.') - 2);
                        string next = answers.TryGetValue(reference, out JObject earlier) ? earlier?.Value<string>("nextRecordsUrl") : null;
                        if (next != null && !RefuseReferences) page = Locator(next);
                    }
                    else if (url.Contains("/query?q=", StringComparison.Ordinal))
                        page = Page(_statements[Uri.UnescapeDataString(url.Substring(url.IndexOf("?q=", StringComparison.Ordinal) + 3))], 0);
                    else page = Locator(url);
                    answers[sub.Value<string>("referenceId")] = page;
                    responses.Add(page != null
                        ? new JObject { ["body"] = page, ["httpStatusCode"] = 200, ["referenceId"] = sub["referenceId"] }
                        : new JObject
                        {
                            ["body"] = new JArray { new JObject { ["errorCode"] = "INVALID_REFERENCE", ["message"] = $"Invalid reference specified: {url}" } },
                            ["httpStatusCode"] = 400,
                            ["referenceId"] = sub["referenceId"],
                        });
                }
                return new JObject { ["compositeResponse"] = responses }.ToString();
            }

            private JObject Locator(string url)
            {
                string[] parts = url.Substring(url.LastIndexOf('/') + 1).Split('-');
                return Page(_byName[parts[0]], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            }

            private static JObject Page((string Name, int Total, int[] Pages) statement, int index)
            {
                int start = statement.Pages.Take(index).Sum();
                int size = statement.Pages[index];
                bool done = index == statement.Pages.Length - 1;
                var page = new JObject
                {
                    ["totalSize"] = statement.Total,
                    ["done"] = done,
                    ["records"] = new JArray(Enumerable.Range(start, size).Select(i => new JObject { ["attributes"] = new JObject { ["type"] = statement.Name }, ["Id"] = $"{statement.Name}-{i}" })),
                };
                if (!done) page["nextRecordsUrl"] = $"/services/data/v62.0/query/{statement.Name}-{index + 1}";
                return page;
            }

            public void Dispose() => _listener.Close();
        }
    }
}
