using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace SalesforceProvisioning.ModuleTests
{
    /// <summary>
    /// A host that accepts TCP connections and never answers (a silent load balancer, a blackholed
    /// proxy). It counts the connections it accepted, so a test can count attempts instead of timing them.
    /// </summary>
    public sealed class SilentHost : IDisposable
    {
        private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly List<TcpClient> _held = new List<TcpClient>();
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private int _accepted;

        public SilentHost()
        {
            _listener.Start();
            Task.Run(AcceptAsync);
        }

        public string Domain => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public int Accepted => Volatile.Read(ref _accepted);

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception) { return; }
                lock (_held) _held.Add(client); // held open, never read, never answered
                Interlocked.Increment(ref _accepted);
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_held) _held.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Failures that a retry cannot fix end at once, with their remedy (issue 15, failing fast).</summary>
    public class FailFastTests
    {
        private const string Secret = "$s = [System.Net.NetworkCredential]::new('', 'TOPSECRET-9f8e').SecurePassword; ";

        [Fact]
        public void Test_SfConnection_against_a_silent_host_makes_one_attempt_even_with_retries_allowed()
        {
            using var silent = new SilentHost();
            using var host = new PowerShellHost();
            // Default -MaxRetryCount (4): before the fix, each timeout was retried, five connections in all.
            var result = host.Run(Secret + $"$c = New-SfProvisioningConnection -Domain {silent.Domain} -ClientId 3MVG9x -ClientSecret $s -TimeoutSeconds 1 -RetryDelayMilliseconds 0 -NoDefault; " +
                "Test-SfConnection -Connection $c");
            Assert.Empty(result.Errors);
            var test = result.Output.Single();
            Assert.Equal("False", test.Prop("Success"));
            Assert.Equal("Timeout", test.Prop("Failure"));
            Assert.Contains("-TimeoutSeconds", test.Prop("Remedy"));
            Assert.Equal(1, silent.Accepted);
        }

        [Fact]
        public void A_provisioning_cmdlet_against_a_silent_host_stops_with_the_remedy_after_one_attempt()
        {
            using var silent = new SilentHost();
            using var host = new PowerShellHost();
            var result = host.Run(Secret + $"$null = New-SfProvisioningConnection -Domain {silent.Domain} -ClientId 3MVG9x -ClientSecret $s -TimeoutSeconds 1 -RetryDelayMilliseconds 0; " +
                "[pscustomobject]@{ Username = 'ann@example.com'; LastName = 'Lee'; Email = 'ann@example.com' } | Sync-SfUser -Profile 'Standard User'");
            Assert.Empty(result.Output);
            var error = Assert.Single(result.Errors);
            Assert.Equal("Timeout,SalesforceProvisioning.Commands.SyncSfUserCommand", error.FullyQualifiedErrorId);
            Assert.Contains("-TimeoutSeconds", error.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain("TOPSECRET", result.AllText());
            Assert.Equal(1, silent.Accepted);
        }
    }
}
