using System.Linq;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// Writes wait until they fill more whole 1,000-record calls than go out at once (-MaxConcurrentRequests),
    /// then go out together (issue 14: a request takes about as long beside others as alone, so a burst costs
    /// one request's time). Seen from the pipeline: the first result comes out when the input that completes
    /// the burst has been read. Counted calls are the same either way. (-UseBulkApi Never: under Auto a run holds
    /// its writes until they reach the Bulk API threshold or the input ends.)
    /// </summary>
    public class WriteBurstTests : IClassFixture<EmulatorFixture>
    {
        private readonly EmulatorFixture _emulator;

        public WriteBurstTests(EmulatorFixture emulator)
        {
            _emulator = emulator;
            _emulator.Reset();
        }

        /// <summary>How many inputs had gone into the pipeline when the first result came out, and the calls the writes took.</summary>
        private (int FedAtFirstResult, long Calls, int Created) Run(string domain, int inFlight)
        {
            using var ps = _emulator.NewSession();
            long before = _emulator.ApiCalls;
            var run = ps.Run($@"$n = @{{ Fed = 0; AtFirst = $null; Created = 0 }}
1..2500 | ForEach-Object {{ $n.Fed++; [pscustomobject]@{{ Username = ""b$_@{domain}""; LastName = ""B$_""; Email = ""b$_@{domain}"" }} }} |
    Sync-SfUser -Profile 'Standard User' -BatchSize 500 -MaxConcurrentRequests {inFlight} -UseBulkApi Never |
    ForEach-Object {{ if ($null -eq $n.AtFirst) {{ $n.AtFirst = $n.Fed }}; if ($_.Action -eq 'Created') {{ $n.Created++ }} }}
[pscustomobject]@{{ AtFirst = $n.AtFirst; Created = $n.Created }}");
            Assert.Empty(run.Errors);
            var outcome = run.Output.Single();
            return (int.Parse(outcome.Prop("AtFirst")), _emulator.ApiCalls - before, int.Parse(outcome.Prop("Created")));
        }

        [Fact]
        public void Writes_wait_for_a_full_burst_of_calls_and_cost_the_same_calls()
        {
            // One request at a time: 1,500 carried users need two calls, so the first 1,000 go out with the third window.
            var single = Run("burst-one.example.com", inFlight: 1);
            Assert.Equal(2500, single.Created);
            Assert.Equal(1500, single.FedAtFirstResult);

            // Three at a time: 2,500 users need three calls, no more than go out at once, so all wait for the end of the input.
            var three = Run("burst-three.example.com", inFlight: 3);
            Assert.Equal(2500, three.Created);
            Assert.Equal(2500, three.FedAtFirstResult);
            Assert.Equal(single.Calls, three.Calls);
        }
    }
}
