using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// Where the bearer token may travel: URLs taken from answers (nextRecordsUrl, the identity URL,
    /// redirects) are followed only on the connection's own hosts. The identity URL's usual place is the
    /// login host, https://login.salesforce.com/id/ORG/USER (the token response's "id", as in
    /// https://jsforce.github.io/jsforce/types/oauth2.TokenResponse.html); /services/oauth2/userinfo on the
    /// instance answers the same question. Two tiny local servers stand in: the org, and another loopback host.
    /// </summary>
    public class TokenDestinationTests : IDisposable
    {
        private readonly FakeHost _org;
        private readonly FakeHost _other;

        public TokenDestinationTests()
        {
            _org = new FakeHost("127.0.0.1");
            _other = new FakeHost("127.0.0.2");
        }

        public void Dispose()
        {
            _org.Dispose();
            _other.Dispose();
        }

        private SfProvisioningConnection AccessTokenConnection() => SfProvisioningConnection.Create(new SfConnectionSettings
        {
            Domain = _org.BaseUrl, AccessToken = SecretText.ToSecureString("00Dtoken!secret"), MaxRetryCount = 0,
        });

        [Fact]
        public void A_nextRecordsUrl_on_another_host_is_refused_and_that_host_gets_no_token()
        {
            _org.Answer = (method, path) => (200, "{\"totalSize\":4000,\"done\":false,\"records\":[],\"nextRecordsUrl\":\"" + _other.BaseUrl + "/services/data/v62.0/query/01g-2000\"}", null);
            using var connection = AccessTokenConnection();
            var error = Assert.Throws<SalesforceException>(() => connection.Client.QueryAsync("SELECT Id FROM User", CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal(SalesforceFailure.UntrustedInstanceUrl, error.Failure);
            Assert.Contains("127.0.0.2", error.Message);
            Assert.Empty(_other.Requests);
        }

        [Fact]
        public void A_redirect_answer_is_a_clear_error_and_is_not_followed()
        {
            _org.Answer = (method, path) => (302, "", _other.BaseUrl + "/services/data/v62.0/query");
            using var connection = AccessTokenConnection();
            var error = Assert.Throws<SalesforceException>(() => connection.Client.QueryAsync("SELECT Id FROM User", CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal(SalesforceFailure.UnexpectedRedirect, error.Failure);
            Assert.Contains("HTTP 302", error.Message);
            Assert.Contains(_other.BaseUrl, error.Message);
            Assert.Empty(_other.Requests);
        }

        [Fact]
        public void An_identity_url_on_another_host_is_not_sent_the_token_and_userinfo_on_the_instance_answers()
        {
            _org.Answer = (method, path) => path.StartsWith("/services/oauth2/token")
                ? (200, "{\"access_token\":\"00Dfresh!token\",\"instance_url\":\"" + _org.BaseUrl + "\",\"id\":\"" + _other.BaseUrl + "/id/00D000000000001AAA/005000000000001AAA\",\"token_type\":\"Bearer\"}", null)
                : (200, "{\"user_id\":\"005000000000001AAA\",\"organization_id\":\"00D000000000001AAA\"}", null);
            using var connection = SfProvisioningConnection.Create(new SfConnectionSettings
            {
                Domain = _org.BaseUrl, ClientId = "key", ClientSecret = SecretText.ToSecureString("secret"), MaxRetryCount = 0,
            });
            var identity = connection.Client.GetIdentityAsync(CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal("005000000000001AAA", identity.Value<string>("user_id"));
            Assert.Contains(_org.Requests, r => r.StartsWith("GET /services/oauth2/userinfo"));
            Assert.Empty(_other.Requests);
        }

        /// <summary>A minimal HTTP/1.1 server on one loopback address: answers each request from <see cref="Answer"/>.</summary>
        private sealed class FakeHost : IDisposable
        {
            private readonly TcpListener _listener;
            private readonly CancellationTokenSource _stop = new CancellationTokenSource();

            public FakeHost(string address)
            {
                _listener = new TcpListener(IPAddress.Parse(address), 0);
                _listener.Start();
                BaseUrl = $"http://{address}:{((IPEndPoint)_listener.LocalEndpoint).Port}";
                Task.Run(Serve);
            }

            public string BaseUrl { get; }
            public ConcurrentQueue<string> Requests { get; } = new ConcurrentQueue<string>();
            public Func<string, string, (int Status, string Body, string Location)> Answer { get; set; } = (m, p) => (404, "[]", null);

            private async Task Serve()
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                    catch (Exception) { return; }
                    _ = Task.Run(() => Handle(client));
                }
            }

            private async Task Handle(TcpClient client)
            {
                using (client)
                using (var stream = client.GetStream())
                {
                    var buffer = new byte[65536];
                    var text = new StringBuilder();
                    int headerEnd;
                    while ((headerEnd = text.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
                    {
                        int n = await stream.ReadAsync(buffer);
                        if (n == 0) return;
                        text.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    }
                    string head = text.ToString(0, headerEnd);
                    int length = 0;
                    foreach (string line in head.Split("\r\n"))
                        if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(line.Substring(15).Trim());
                    while (text.Length - headerEnd - 4 < length)
                    {
                        int n = await stream.ReadAsync(buffer);
                        if (n == 0) break;
                        text.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    }
                    string[] requestLine = head.Split("\r\n")[0].Split(' ');
                    Requests.Enqueue(requestLine[0] + " " + requestLine[1]);
                    var (status, body, location) = Answer(requestLine[0], requestLine[1]);
                    byte[] content = Encoding.UTF8.GetBytes(body ?? "");
                    string response = $"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {content.Length}\r\nConnection: close\r\n"
                        + (location != null ? $"Location: {location}\r\n" : "") + "\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
                    await stream.WriteAsync(content);
                }
            }

            public void Dispose()
            {
                _stop.Cancel();
                _listener.Stop();
            }
        }
    }
}
