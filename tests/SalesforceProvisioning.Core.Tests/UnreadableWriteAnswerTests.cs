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
    /// A 2xx answer to a composite of sObject Collections that cannot be matched to its records says nothing of
    /// what was written. Salesforce documents the answer as a compositeResponse list with one subresponse per
    /// subrequest, each with its referenceId, httpStatusCode and body
    /// (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm), and
    /// a collection's body as one result per record, in the order of the request
    /// (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm),
    /// each a SaveResult whose id "contains a value" when the record was created
    /// (https://developer.salesforce.com/docs/atlas.en-us.api.meta/object_ref/sforce_api_calls_create_saveresult.htm).
    /// Anything else leaves each record's outcome unknown (it may have been written), never a definite failure,
    /// and a create nothing unique identifies (Contact) is not sent again blindly.
    /// </summary>
    public class UnreadableWriteAnswerTests : IDisposable
    {
        private readonly FakeWriteOrg _org = new FakeWriteOrg();

        public void Dispose() => _org.Dispose();

        private CompositeWriter Writer() => new CompositeWriter(SfProvisioningConnection.Create(new SfConnectionSettings
        {
            Domain = _org.BaseUrl,
            AccessToken = SecretText.ToSecureString("fake-token"),
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        }).Client, 1);

        private static List<RecordWrite> Contacts(int count) => Enumerable.Range(0, count)
            .Select(i => new RecordWrite(WriteKind.Create, "Contact", new JObject { ["LastName"] = "C" + i, ["Email"] = $"c{i}@example.com" })).ToList();

        private static JArray Results(int count) => new JArray(Enumerable.Range(0, count).Select(i => new JObject { ["id"] = $"003Fake{i:D8}", ["success"] = true, ["errors"] = new JArray() }));

        private static string Answer(params JObject[] subresponses) => new JObject { ["compositeResponse"] = new JArray(subresponses) }.ToString();

        private static JObject Sub(JToken body, int status = 200, string referenceId = "c0")
        {
            var sub = new JObject { ["body"] = body, ["httpHeaders"] = new JObject(), ["httpStatusCode"] = status };
            if (referenceId != null) sub["referenceId"] = referenceId;
            return sub;
        }

        public static TheoryData<string> Unreadable => new TheoryData<string> { "not json", "no compositeResponse", "no referenceId", "one result short", "create without id", "result without success" };

        private static string UnreadableAnswer(string kind) => kind switch
        {
            "not json" => "<html><body>Service temporarily unavailable</body></html>",
            "no compositeResponse" => "{\"results\":[]}",
            "no referenceId" => Answer(Sub(Results(3), referenceId: null)),
            "one result short" => Answer(Sub(Results(2))),
            "create without id" => Answer(Sub(new JArray(Results(3).Select((r, i) => { if (i == 1) ((JObject)r).Remove("id"); return r; })))),
            "result without success" => Answer(Sub(new JArray(Results(3).Select((r, i) => { if (i == 2) ((JObject)r).Remove("success"); return r; })))),
            _ => throw new ArgumentException(kind),
        };

        [Theory]
        [MemberData(nameof(Unreadable))]
        public async Task A_2xx_answer_that_cannot_be_matched_to_the_records_leaves_them_unknown_and_no_contact_is_sent_again(string kind)
        {
            _org.Answer = _ => UnreadableAnswer(kind);
            var writes = Contacts(3);

            var (outcomes, stopped) = await Writer().WriteWithRetriesAsync(writes, 2, TimeSpan.FromMilliseconds(10), CancellationToken.None);

            Assert.Null(stopped);
            Assert.Equal(3, outcomes.Count);
            Assert.Equal(writes.Count, outcomes.Select(o => o.Write).Distinct().Count());
            if (kind == "create without id" || kind == "result without success")
            {
                // The records whose own result is unreadable are unknown; the others are as Salesforce said.
                int bad = kind == "create without id" ? 1 : 2;
                Assert.True(outcomes.Single(o => o.Write == writes[bad]).OutcomeUnknown);
                Assert.All(outcomes.Where(o => o.Write != writes[bad]), o => Assert.True(o.Success));
            }
            else Assert.All(outcomes, o => Assert.True(o.OutcomeUnknown && o.MayHaveBeenWritten && !o.Success && !o.NotSent, o.ErrorCode + ": " + o.Message));
            Assert.All(outcomes.Where(o => !o.Success), o => Assert.Equal(CompositeWriter.UnreadableAnswerCode, o.ErrorCode));
            Assert.Equal(1, _org.Calls); // a Contact create in doubt goes back to its caller to be read back, never resent
        }

        [Fact]
        public async Task A_whole_collection_error_stays_the_records_definite_failure_and_a_readable_answer_their_success()
        {
            _org.Answer = request => Answer(
                Sub(new JArray { new JObject { ["errorCode"] = "INVALID_FIELD", ["message"] = "No such column 'Bogus__c' on sobject of type Contact" } }, 400, "c0"));
            var refused = (await Writer().WriteWithRetriesAsync(Contacts(2), 2, TimeSpan.FromMilliseconds(10), CancellationToken.None)).Outcomes;
            Assert.All(refused, o => Assert.True(!o.OutcomeUnknown && !o.MayHaveBeenWritten && o.ErrorCode == "INVALID_FIELD", o.ErrorCode));

            _org.Answer = request => Answer(Sub(Results(2)));
            var written = (await Writer().WriteWithRetriesAsync(Contacts(2), 2, TimeSpan.FromMilliseconds(10), CancellationToken.None)).Outcomes;
            Assert.All(written, o => Assert.True(o.Success && o.Id.StartsWith("003Fake", StringComparison.Ordinal)));
        }

        /// <summary>
        /// A failed record's error whose statusCode or message is an object (a proxy's or a changed API's answer) is
        /// still that record's failure, with the code unknown: it used to throw InvalidCastException out of the writer,
        /// and the written records of that call were then reported NotSent.
        /// </summary>
        [Fact]
        public async Task An_error_whose_code_and_message_are_not_text_is_that_records_failure_and_the_others_stay_written()
        {
            _org.Answer = request => Answer(Sub(new JArray(Results(3).Select((r, i) =>
            {
                if (i != 1) return r;
                return new JObject { ["success"] = false, ["errors"] = new JArray { new JObject { ["statusCode"] = new JObject { ["x"] = 1 }, ["message"] = new JArray { "a" } } } };
            })), status: 200) );
            var writes = Contacts(3);
            var (outcomes, stopped) = await Writer().WriteWithRetriesAsync(writes, 2, TimeSpan.FromMilliseconds(10), CancellationToken.None);
            Assert.Null(stopped);
            Assert.Equal(3, outcomes.Count);
            var failed = outcomes.Single(o => o.Write == writes[1]);
            Assert.True(!failed.Success && failed.ErrorCode == "UNKNOWN_ERROR" && failed.Message == "Salesforce reported a failure without a message.", failed.ErrorCode + ": " + failed.Message);
            Assert.All(outcomes.Where(o => o.Write != writes[1]), o => Assert.True(o.Success));
        }

        /// <summary>Answers every POST /composite with <see cref="Answer"/> (status 200), counting the calls.</summary>
        private sealed class FakeWriteOrg : IDisposable
        {
            private readonly HttpListener _listener = new HttpListener();

            public FakeWriteOrg()
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
            public Func<JObject, string> Answer { get; set; }

            private async Task ServeAsync()
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try { context = await _listener.GetContextAsync(); }
                    catch (Exception) { return; }
                    string body;
                    using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync();
                    string answer = "[]";
                    if (context.Request.Url.AbsolutePath.EndsWith("/composite", StringComparison.Ordinal))
                    {
                        Calls++;
                        answer = Answer(JObject.Parse(body));
                    }
                    byte[] bytes = Encoding.UTF8.GetBytes(answer);
                    context.Response.StatusCode = 200;
                    context.Response.ContentType = "application/json";
                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
            }

            public void Dispose() => _listener.Close();
        }
    }
}
