using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// A scan's answer is read as it arrives (issue 14), so the request's time limit (-TimeoutSeconds) must
    /// also cover the part of the answer still to come: an answer that stops halfway, the connection left
    /// open, ends as a time-out (as it did when the client received answers whole), never as a wait without
    /// end. A tiny local server stands in for the org.
    /// </summary>
    public class StreamedAnswerTests : IDisposable
    {
        private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private int _requests;

        public StreamedAnswerTests()
        {
            _listener.Start();
            Task.Run(ServeAsync);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }

        private static string Answer()
        {
            var records = string.Join(",", Enumerable.Range(0, 500).Select(i => $"{{\"Id\":\"005{i:D15}\",\"Username\":\"user{i}@example.com\"}}"));
            return "{\"compositeResponse\":[{\"body\":{\"totalSize\":500,\"done\":true,\"records\":[" + records + "]},\"httpHeaders\":{},\"httpStatusCode\":200,\"referenceId\":\"p0\"}]}";
        }

        /// <summary>Answers every request with the whole answer's length, sends its first half, then says nothing more.</summary>
        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception) { return; }
                _ = Task.Run(async () =>
                {
                    using (client)
                    using (NetworkStream stream = client.GetStream())
                    {
                        var buffer = new byte[65536];
                        var request = new StringBuilder();
                        while (!request.ToString().Contains("\r\n\r\n"))
                        {
                            int n = await stream.ReadAsync(buffer);
                            if (n == 0) return;
                            request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                        }
                        Interlocked.Increment(ref _requests);
                        byte[] body = Encoding.UTF8.GetBytes(Answer());
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"));
                        await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
                        await stream.FlushAsync();
                        try { await Task.Delay(Timeout.Infinite, _stop.Token); } catch (OperationCanceledException) { }
                    }
                });
            }
        }

        [Fact]
        public async Task An_answer_that_stops_arriving_halfway_is_a_time_out_after_the_records_it_brought()
        {
            using var connection = SfProvisioningConnection.Create(new SfConnectionSettings
            {
                Domain = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}",
                AccessToken = SecretText.ToSecureString("00Dtoken!secret"),
                Timeout = TimeSpan.FromSeconds(2),
                MaxRetryCount = 0,
            });
            int read = 0;
            var reader = new CompositeReader(connection.Client);
            Task scan = reader.ScanRecordsAsync("SELECT Id, Username FROM User", record => { Newtonsoft.Json.Linq.JObject.Load(record); read++; }, CancellationToken.None);
            // A safety net so a regression fails instead of hanging the test run; the time limit under test is 2 s.
            var error = await Assert.ThrowsAsync<SalesforceException>(() => scan.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal(SalesforceFailure.Timeout, error.Failure);
            Assert.Contains("-TimeoutSeconds", error.Remedy);
            Assert.InRange(read, 1, 499); // the records that arrived were read as they came
            Assert.Equal(1, _requests);
        }
    }
}
