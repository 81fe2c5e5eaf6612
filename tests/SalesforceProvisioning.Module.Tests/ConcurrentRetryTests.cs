using System;
using System.Collections;
using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// One request's retry says nothing about another request in flight at the same time: whether a create
    /// "may have been written" by an earlier attempt is known per request. A user someone else created a moment
    /// before our create (DUPLICATE_USERNAME, found on reading back) stays theirs, even while a neighbouring
    /// request of the same run is retried after a 503.
    /// </summary>
    public class ConcurrentRetryTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public ConcurrentRetryTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        [Fact]
        public void A_retry_of_one_request_never_makes_another_requests_duplicate_our_own_create()
        {
            using var ps = _emulator.NewSession();
            using var admin = _emulator.NewSession();
            const string person = "[pscustomobject]@{ Username = \"c$i@concurrent.example.com\"; LastName = \"C$i\"; Email = \"c$i@concurrent.example.com\" }";
            // Someone else creates c2000 after this run read it as missing: its create is carried (writes fill whole
            // calls of 1,000 records) into the next window's write.
            Action someoneElse = () => Assert.Empty(admin.Run("$i = 2000; " + person + " | Sync-SfUser -Profile 'Standard User'").Errors);

            // The second window writes two composite requests at once: c1001..c2000, and c2001..c3000, whose first
            // attempt meets a 503 (not carried out) and is retried while the first request is still being answered.
            _emulator.InjectFaults(new[] { new { kind = "Http503", count = 1, pathContains = "/composite", method = "POST", bodyContains = "\"Username\":\"c2001@concurrent.example.com\"" } });
            _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":2}");
            ScriptResult result;
            try
            {
                result = ps.Run("& { foreach ($i in 1..4000) { if ($i -eq 2001) { $someoneElse.Invoke() }; " + person + " } } | Sync-SfUser -Profile 'Standard User' -BatchSize 2000 -MaxConcurrentRequests 2",
                    new Hashtable { ["someoneElse"] = someoneElse });
            }
            finally
            {
                _emulator.Post("latency", "{\"ms\":0,\"perRecordMs\":0}");
            }
            Assert.Contains(_emulator.Get("requests")["requests"].AsArray(), r => r["fault"]?.ToString() == "Http503");
            Assert.Equal(4000, result.Output.Count);
            var theirs = result.Output.Single(o => o.Prop("Username") == "c2000@concurrent.example.com");
            Assert.Equal("Unchanged", theirs.Prop("Action"));
            Assert.Contains("someone else", theirs.Prop("Message"));
            Assert.Equal(3999, result.Output.Count(o => o.Prop("Action") == "Created"));
            Assert.Equal(4000, _emulator.QueryTotal("SELECT COUNT() FROM User WHERE Username LIKE '%@concurrent.example.com'"));
        }
    }
}
