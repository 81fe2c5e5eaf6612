using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Polly;
using Polly.Retry;
using RestSharp;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The authenticated REST client of one connection: token grants and refresh, the trust rule for
    /// hosts, retries of transient failures, API usage tracking and Salesforce error decoding.
    /// Thread-safe: several requests may be in flight at once.
    /// </summary>
    public sealed class SalesforceClient : IDisposable
    {
        private static readonly ResiliencePropertyKey<bool> RepeatableKey = new ResiliencePropertyKey<bool>("sfprov.repeatable");
        private static readonly string[] TransientErrorCodes = { "UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE" };

        private readonly SfProvisioningConnection _connection;
        private readonly RestClient _rest;
        private readonly SemaphoreSlim _authLock = new SemaphoreSlim(1, 1);
        private readonly ResiliencePipeline<ApiResponse> _pipeline;
        private volatile string _accessToken;
        private Uri _identityUrl;

        internal SalesforceClient(SfProvisioningConnection connection)
        {
            _connection = connection;
            _rest = new RestClient(new RestClientOptions
            {
                Timeout = connection.Timeout,
                FollowRedirects = false,
                ThrowOnAnyError = false,
                UserAgent = "SalesforceProvisioning-PowerShell/" + typeof(SalesforceClient).Assembly.GetName().Version,
            });
            _pipeline = new ResiliencePipelineBuilder<ApiResponse>()
                .AddRetry(new RetryStrategyOptions<ApiResponse>
                {
                    MaxRetryAttempts = Math.Max(1, connection.MaxRetryCount),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = connection.RetryBaseDelay,
                    ShouldHandle = args => new ValueTask<bool>(connection.MaxRetryCount > 0 && IsWorthRetrying(args.Outcome, args.Context)),
                    OnRetry = args =>
                    {
                        string what = args.Outcome.Exception?.Message ?? $"HTTP {args.Outcome.Result?.Status} {args.Outcome.Result?.FirstErrorCode}";
                        Log($"Transient failure ({what}); retry {args.AttemptNumber + 1} in {args.RetryDelay.TotalMilliseconds:0} ms.");
                        return default;
                    },
                })
                .Build();
        }

        private long _apiCalls;

        /// <summary>
        /// Data API requests (REST and SOAP) this connection sent and Salesforce answered: what a run spent of the
        /// org's allowance, counted here because the Sforce-Limit-Info header also counts other clients' calls
        /// and is unknown before the first one. Token requests are not API calls.
        /// </summary>
        public long ApiCallCount => Interlocked.Read(ref _apiCalls);
        // Set once any host of this connection has answered over HTTP. Until then a timeout means an
        // unreachable or silent host, which a retry cannot fix: it would only multiply the wait.
        private volatile bool _hostHasAnswered;

        public Uri InstanceUrl { get; private set; }
        public SfApiUsage LastApiUsage { get; private set; }
        public string UserId { get; private set; }
        public string OrganizationId { get; private set; }

        /// <summary>Messages for Write-Verbose, queued because only the pipeline thread may write them.</summary>
        public ConcurrentQueue<string> Diagnostics { get; } = new ConcurrentQueue<string>();

        public string DataPath(string relative) => $"/services/data/v{_connection.ApiVersion}/{relative.TrimStart('/')}";

        /// <summary>Makes sure a usable access token exists; throws a <see cref="SalesforceException"/> with a remedy if not.</summary>
        public async Task EnsureAuthenticatedAsync(CancellationToken ct)
        {
            if (_accessToken != null) return;
            await _authLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (_accessToken != null) return;
                if (!SecretText.IsEmpty(_connection.AccessToken))
                {
                    _accessToken = SecretText.Reveal(_connection.AccessToken);
                    InstanceUrl = _connection.Domain;
                    Log("Using the supplied access token.");
                }
                else
                {
                    await GrantAsync(ct).ConfigureAwait(false);
                }
            }
            finally
            {
                _authLock.Release();
            }
        }

        /// <summary>GET a data-API path and return its JSON.</summary>
        public Task<JToken> GetAsync(string path, CancellationToken ct) => SendAsync(Method.Get, path, null, repeatable: true, ct);

        /// <summary>
        /// Sends one API request and returns its JSON body (null for 204). Error answers throw
        /// <see cref="SalesforceApiException"/>; transport failures throw <see cref="SalesforceException"/>.
        /// <paramref name="repeatable"/> says whether a request whose outcome is unknown (connection dropped
        /// after sending) may be sent again: true for reads, updates, and writes the caller reconciles.
        /// </summary>
        /// <paramref name="trace"/>, when given, learns what became of this one request's attempts, even when it
        /// ends in an exception or a stop.
        public Task<JToken> SendAsync(Method method, string path, JToken body, bool repeatable, CancellationToken ct, RequestTrace trace = null)
            => SendJsonAsync(method, path, body?.ToString(Formatting.None), repeatable, ct, trace);

        /// <summary>Like <see cref="SendAsync(Method, string, JToken, bool, CancellationToken, RequestTrace)"/>, for a JSON body already written as text.</summary>
        public async Task<JToken> SendJsonAsync(Method method, string path, string json, bool repeatable, CancellationToken ct, RequestTrace trace = null)
        {
            ApiResponse response = await SendRawAsync(method, path, json, ContentType.Json, "application/json", repeatable, null, ct, trace).ConfigureAwait(false);
            if (response.Status >= 400)
            {
                SalesforceApiException failure = ToApiException(response);
                failure.AnswerLost = response.AnswerLost;
                throw failure;
            }
            return response.Json;
        }

        /// <summary>Like <see cref="SendAsync"/> but returns error answers instead of throwing (except auth and limit failures).</summary>
        public Task<ApiResponse> SendRawAsync(Method method, string path, JToken body, bool repeatable, CancellationToken ct, RequestTrace trace = null)
            => SendRawAsync(method, path, body?.ToString(Formatting.None), ContentType.Json, "application/json", repeatable, null, ct, trace);

        /// <summary>
        /// Like <see cref="SendRawAsync(Method, string, JToken, bool, CancellationToken, RequestTrace)"/>, but a successful (2xx)
        /// answer's body goes to <paramref name="readSuccessBody"/> as text read from the answer, and the
        /// <see cref="ApiResponse"/> has an empty body: a large read is never held as one string (and its bytes).
        /// Error answers keep their body, as always.
        /// </summary>
        public Task<ApiResponse> SendRawAsync(Method method, string path, JToken body, bool repeatable, Action<TextReader> readSuccessBody, CancellationToken ct, RequestTrace trace = null)
            => SendRawAsync(method, path, body?.ToString(Formatting.None), ContentType.Json, "application/json", repeatable, readSuccessBody, ct, trace);

        /// <summary>
        /// Sends a request whose body (or answer) is text of another type, for example the CSV of a Bulk API 2.0
        /// job; error answers throw <see cref="SalesforceApiException"/> as for <see cref="SendAsync"/>.
        /// </summary>
        public Task<ApiResponse> SendTextAsync(Method method, string path, string body, string contentType, string accept, bool repeatable, CancellationToken ct)
            => SendTextAsync(method, path, body, contentType, accept, repeatable, null, ct);

        /// <summary>
        /// Like <see cref="SendTextAsync(Method, string, string, string, string, bool, CancellationToken)"/>, but a successful
        /// answer's body goes to <paramref name="readSuccessBody"/> as it arrives (the response keeps its headers, not its body).
        /// </summary>
        public async Task<ApiResponse> SendTextAsync(Method method, string path, string body, string contentType, string accept, bool repeatable, Action<TextReader> readSuccessBody, CancellationToken ct)
        {
            ApiResponse response = await SendRawAsync(method, path, body, contentType, accept, repeatable, readSuccessBody, ct, null).ConfigureAwait(false);
            if (response.Status >= 400)
            {
                SalesforceApiException failure = ToApiException(response);
                failure.AnswerLost = response.AnswerLost;
                throw failure;
            }
            return response;
        }

        /// <summary>
        /// Sends a request whose body <paramref name="content"/> makes afresh for each attempt (a retry sends it again), so a
        /// large body (a Bulk API 2.0 job's CSV) is written into the request as it goes out, never held whole; errors throw
        /// as for <see cref="SendAsync"/>.
        /// </summary>
        public async Task<ApiResponse> SendStreamedAsync(Method method, string path, Func<System.Net.Http.HttpContent> content, string accept, bool repeatable, CancellationToken ct)
        {
            ApiResponse response = await SendRawAsync(method, path, null, null, accept, repeatable, null, ct, null, content).ConfigureAwait(false);
            if (response.Status >= 400)
            {
                SalesforceApiException failure = ToApiException(response);
                failure.AnswerLost = response.AnswerLost;
                throw failure;
            }
            return response;
        }

        /// <summary>
        /// A bodiless request whose successful answer (text of another type, for example a Bulk API 2.0 result CSV)
        /// goes to <paramref name="readSuccessBody"/> as it is read, never held as one string; errors throw as for
        /// <see cref="SendAsync"/>.
        /// </summary>
        public Task SendTextAsync(Method method, string path, string accept, Action<TextReader> readSuccessBody, bool repeatable, CancellationToken ct)
            => SendTextAsync(method, path, null, null, accept, repeatable, readSuccessBody, ct);

        private async Task<ApiResponse> SendRawAsync(Method method, string path, string body, string contentType, string accept, bool repeatable, Action<TextReader> readSuccessBody, CancellationToken ct, RequestTrace trace, Func<System.Net.Http.HttpContent> streamedBody = null)
        {
            await EnsureAuthenticatedAsync(ct).ConfigureAwait(false);
            ResilienceContext context = ResilienceContextPool.Shared.Get(ct);
            context.Properties.Set(RepeatableKey, repeatable || method == Method.Get || method == Method.Patch);
            // Set once an attempt went out and its answer was lost: what a later attempt meets does not make
            // the request's outcome known.
            bool answerLost = false;
            try
            {
                ApiResponse response = await _pipeline.ExecuteAsync(async ctx =>
                {
                    string token = _accessToken;
                    ApiResponse first;
                    try
                    {
                        first = await SendOnceAsync(method, path, body, contentType, accept, token, readSuccessBody, ctx.CancellationToken, streamedBody).ConfigureAwait(false);
                    }
                    catch (SalesforceException lost) when (lost.Failure == SalesforceFailure.ConnectionDropped || lost.Failure == SalesforceFailure.Timeout)
                    {
                        answerLost = true;
                        throw;
                    }
                    if (first.Status == 502 || first.Status == 503 || first.Status == 504) answerLost = true;
                    if (!first.IsInvalidSession) return first;
                    Log("The access token expired or was revoked; refreshing it and replaying the request.");
                    await RefreshAsync(token, ctx.CancellationToken).ConfigureAwait(false);
                    ApiResponse replay = await SendOnceAsync(method, path, body, contentType, accept, _accessToken, readSuccessBody, ctx.CancellationToken, streamedBody).ConfigureAwait(false);
                    if (replay.IsInvalidSession)
                        throw new SalesforceException(SalesforceFailure.AccessTokenExpired,
                            "Salesforce refused a freshly issued access token (INVALID_SESSION_ID).",
                            "Check that the connected app's session policies allow API access for this user.");
                    return replay;
                }, context).ConfigureAwait(false);

                if (response.Status == 403 && response.FirstErrorCode == "REQUEST_LIMIT_EXCEEDED")
                    throw ToApiException(response);
                if (response.Status == 403 && (response.FirstErrorCode == "API_DISABLED_FOR_ORG" || response.FirstErrorCode == "API_CURRENTLY_DISABLED"))
                    throw ToApiException(response);
                response.AnswerLost = answerLost;
                return response;
            }
            catch (SalesforceException ex) when (answerLost)
            {
                ex.AnswerLost = true;
                throw;
            }
            finally
            {
                if (trace != null && answerLost) trace.AnswerLost = true;
                ResilienceContextPool.Shared.Return(context);
            }
        }

        /// <summary>Runs a SOQL query and hands every page of records to <paramref name="onPage"/>, following nextRecordsUrl.</summary>
        public async Task QueryPagesAsync(string soql, Action<IReadOnlyList<JObject>> onPage, CancellationToken ct)
        {
            string path = DataPath("query?q=" + Uri.EscapeDataString(soql));
            while (path != null)
            {
                JToken page = await GetAsync(path, ct).ConfigureAwait(false);
                onPage(((JArray)page["records"]).Cast<JObject>().ToList());
                path = page.Value<bool>("done") ? null : page.Value<string>("nextRecordsUrl");
            }
        }

        /// <summary>Runs a SOQL query and returns all records of all pages.</summary>
        public async Task<List<JObject>> QueryAsync(string soql, CancellationToken ct)
        {
            var all = new List<JObject>();
            await QueryPagesAsync(soql, page => all.AddRange(page), ct).ConfigureAwait(false);
            return all;
        }

        /// <summary>The Name field of every record a query returns (for tab completion).</summary>
        public async Task<string[]> QueryNamesAsync(string soql, CancellationToken ct)
            => (await QueryAsync(soql, ct).ConfigureAwait(false)).Select(r => r.Value<string>("Name")).Where(n => n != null).ToArray();

        /// <summary>Who this connection is: the identity URL's answer.</summary>
        public async Task<JObject> GetIdentityAsync(CancellationToken ct)
        {
            await EnsureAuthenticatedAsync(ct).ConfigureAwait(false);
            string path = _identityUrl != null ? _identityUrl.ToString() : "/services/oauth2/userinfo";
            var identity = (JObject)await SendAsync(Method.Get, path, null, repeatable: true, ct).ConfigureAwait(false);
            UserId = identity.Value<string>("user_id") ?? UserId;
            OrganizationId = identity.Value<string>("organization_id") ?? OrganizationId;
            return identity;
        }

        private async Task RefreshAsync(string failedToken, CancellationToken ct)
        {
            await _authLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (_accessToken != failedToken) return; // another request refreshed meanwhile
                if (_connection.AuthenticationMethod == SfAuthenticationMethod.AccessToken)
                    throw new SalesforceException(SalesforceFailure.AccessTokenExpired,
                        "The access token expired or was revoked, and the connection has no refresh token or client secret to get a new one.",
                        "Create the connection with -ClientId, -ClientSecret and -RefreshToken so the module can refresh access tokens itself.");
                await GrantAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                _authLock.Release();
            }
        }

        private async Task GrantAsync(CancellationToken ct)
        {
            var request = new RestRequest(new Uri(_connection.Domain, "/services/oauth2/token"), Method.Post);
            bool refresh = _connection.AuthenticationMethod == SfAuthenticationMethod.RefreshToken;
            bool jwt = _connection.AuthenticationMethod == SfAuthenticationMethod.JwtBearer;
            if (jwt)
            {
                // Signed afresh for every grant: an assertion lives three minutes and there is no refresh token.
                request.AddParameter("grant_type", JwtBearerAssertion.GrantType);
                request.AddParameter("assertion", JwtBearerAssertion.Create(_connection, DateTimeOffset.UtcNow));
            }
            else
            {
                request.AddParameter("grant_type", refresh ? "refresh_token" : "client_credentials");
                request.AddParameter("client_id", _connection.ClientId);
                request.AddParameter("client_secret", SecretText.Reveal(_connection.ClientSecret));
                if (refresh) request.AddParameter("refresh_token", SecretText.Reveal(_connection.RefreshToken));
            }

            ApiResponse response = await ExecuteWithTransientRetryAsync(request, "POST /services/oauth2/token", ct).ConfigureAwait(false);
            if (response.Status != 200) throw jwt ? JwtBearerAssertion.ToGrantException(response, _connection) : ToGrantException(response, refresh);

            var json = (JObject)response.Json;
            var instance = new Uri(json.Value<string>("instance_url") ?? _connection.Domain.ToString());
            string untrusted = SalesforceEndpoint.WhyUntrusted(instance);
            if (untrusted != null)
                throw new SalesforceException(SalesforceFailure.UntrustedInstanceUrl,
                    $"The token endpoint returned instance_url '{instance.GetLeftPart(UriPartial.Authority)}', which will not be sent a token: {untrusted}",
                    "Check -Domain: it must be the org's own My Domain; if it is, report this answer to Salesforce support.");
            string id = json.Value<string>("id");
            Uri identity = id != null ? new Uri(id) : null;
            LearnUserFromIdentityUrl(identity);
            // The identity URL usually sits on the login host (https://login.salesforce.com/id/ORG/USER): it gets the
            // token only when that is the connection's own domain or instance; otherwise /services/oauth2/userinfo is used.
            if (identity != null && !(SameOrigin(identity, instance) || SameOrigin(identity, _connection.Domain))) identity = null;

            InstanceUrl = instance;
            _identityUrl = identity;
            _accessToken = json.Value<string>("access_token");
            string rotated = json.Value<string>("refresh_token");
            if (refresh && !string.IsNullOrEmpty(rotated) && rotated != SecretText.Reveal(_connection.RefreshToken))
            {
                _connection.ReplaceRefreshToken(SecretText.ToSecureString(rotated));
                Log("Salesforce rotated the refresh token; the new one is kept in the connection.");
            }
            Log($"Authenticated ({(jwt ? "JWT bearer, certificate " + (_connection.CertificateThumbprint ?? "from a PEM key") : refresh ? "refresh token" : "client credentials")}); instance {instance.Host}.");
        }

        /// <summary>
        /// The token answer's identity URL ends in /id/{orgId}/{userId} (Salesforce Help, "Identity URLs"),
        /// so the connection's own user is known without another call.
        /// </summary>
        private void LearnUserFromIdentityUrl(Uri identity)
        {
            string[] segments = identity?.AbsolutePath.Trim('/').Split('/');
            if (segments == null || segments.Length < 3 || segments[segments.Length - 3] != "id") return;
            OrganizationId = segments[segments.Length - 2];
            UserId = segments[segments.Length - 1];
        }

        /// <summary>The connection's own user Id: from the token answer, else (a supplied access token) one identity call.</summary>
        public async Task<string> GetUserIdAsync(CancellationToken ct)
        {
            await EnsureAuthenticatedAsync(ct).ConfigureAwait(false);
            if (UserId == null) await GetIdentityAsync(ct).ConfigureAwait(false);
            return UserId;
        }

        private async Task<ApiResponse> ExecuteWithTransientRetryAsync(RestRequest request, string label, CancellationToken ct)
        {
            ResilienceContext context = ResilienceContextPool.Shared.Get(ct);
            context.Properties.Set(RepeatableKey, true);
            try
            {
                return await _pipeline.ExecuteAsync(ctx => new ValueTask<ApiResponse>(ExecuteAsync(request, label, ctx.CancellationToken)), context).ConfigureAwait(false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }

        /// <summary>
        /// Calls the SOAP partner API, for the few operations REST lacks (convertLead). The session id travels
        /// in the SOAP header, so an expired one is refreshed and the call replayed once, as for REST.
        /// Returns the body element of the answer; a SOAP fault throws <see cref="SalesforceApiException"/>.
        /// </summary>
        public async Task<System.Xml.Linq.XElement> SoapAsync(string operationXml, CancellationToken ct)
        {
            await EnsureAuthenticatedAsync(ct).ConfigureAwait(false);
            for (int attempt = 0; ; attempt++)
            {
                string token = _accessToken;
                var uri = new Uri(InstanceUrl, $"/services/Soap/u/{_connection.ApiVersion}");
                if (!SalesforceEndpoint.IsTrusted(uri))
                    throw new SalesforceException(SalesforceFailure.UntrustedInstanceUrl, $"Refusing to send a token to '{uri.GetLeftPart(UriPartial.Authority)}'.", "Only Salesforce https hosts (or loopback for the emulator) receive tokens.");
                var request = new RestRequest(uri, Method.Post);
                request.AddHeader("SOAPAction", "\"\"");
                request.AddStringBody(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:urn=\"urn:partner.soap.sforce.com\">"
                    + $"<soapenv:Header><urn:SessionHeader><urn:sessionId>{System.Security.SecurityElement.Escape(token)}</urn:sessionId></urn:SessionHeader></soapenv:Header>"
                    + $"<soapenv:Body>{operationXml}</soapenv:Body></soapenv:Envelope>", "text/xml");
                ct.ThrowIfCancellationRequested();
                ApiResponse response = await ExecuteAsync(request, "POST " + uri.AbsolutePath, CancellationToken.None).ConfigureAwait(false); // a sent write is waited for
                System.Xml.Linq.XDocument document;
                try
                {
                    document = System.Xml.Linq.XDocument.Parse(response.Body);
                }
                catch (System.Xml.XmlException)
                {
                    throw SalesforceClient.ToApiException(response);
                }
                var fault = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Fault");
                if (fault == null) return document.Descendants().First(e => e.Name.LocalName == "Body");
                string code = fault.Elements().FirstOrDefault(e => e.Name.LocalName == "faultcode")?.Value ?? "UNKNOWN_EXCEPTION";
                code = code.Contains(":") ? code.Substring(code.IndexOf(':') + 1) : code;
                if (code == "INVALID_SESSION_ID" && attempt == 0)
                {
                    await RefreshAsync(token, ct).ConfigureAwait(false);
                    continue;
                }
                string message = fault.Elements().FirstOrDefault(e => e.Name.LocalName == "faultstring")?.Value;
                throw new SalesforceApiException(code == "INVALID_SESSION_ID" ? SalesforceFailure.AccessTokenExpired : SalesforceFailure.ApiError, response.Status, code, message, null, Remedies.For(code));
            }
        }

        private Task<ApiResponse> SendOnceAsync(Method method, string path, string body, string contentType, string accept, string accessToken, Action<TextReader> readSuccessBody, CancellationToken ct, Func<System.Net.Http.HttpContent> streamedBody = null)
        {
            Uri uri = path.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? new Uri(path) : new Uri(InstanceUrl, path);
            if (!SalesforceEndpoint.IsTrusted(uri))
                throw new SalesforceException(SalesforceFailure.UntrustedInstanceUrl, $"Refusing to send a token to '{uri.GetLeftPart(UriPartial.Authority)}'.", "Only Salesforce https hosts (or loopback for the emulator) receive tokens.");
            // URLs from answers (nextRecordsUrl, identity) are followed only on the connection's own hosts.
            if (!SameOrigin(uri, InstanceUrl) && !SameOrigin(uri, _connection.Domain))
                throw new SalesforceException(SalesforceFailure.UntrustedInstanceUrl,
                    $"Salesforce's answer pointed to '{uri.GetLeftPart(UriPartial.Authority)}', which is not this connection's instance ({InstanceUrl.GetLeftPart(UriPartial.Authority)}); the token is not sent there.",
                    "Check -Domain is the org's own My Domain; if it is, report this answer to Salesforce support.");
            var request = new RestRequest(uri, method);
            request.AddHeader("Authorization", "Bearer " + accessToken);
            request.AddHeader("Accept", accept);
            if (body != null) request.AddStringBody(body, contentType);
            // Made for this attempt: the body is written as the request goes out, and written again by a retry.
            if (streamedBody != null) request.OnBeforeRequest = message => { message.Content = streamedBody(); return default; };
            if (readSuccessBody != null)
            {
                // The answer is read as it arrives (a scan's answer is megabytes of JSON or CSV), not received whole first.
                request.CompletionOption = System.Net.Http.HttpCompletionOption.ResponseHeadersRead;
                var started = Stopwatch.StartNew();
                request.AdvancedResponseWriter = (answer, sent) => ReadAnswer(answer, sent, readSuccessBody, _connection.Timeout - started.Elapsed, method == Method.Get ? ct : CancellationToken.None);
            }
            // A stop (Ctrl+C, SIGTERM) comes between requests: a write once sent is waited for, so its answer is
            // reported and recorded instead of being cut off with the write carried out and unknown.
            ct.ThrowIfCancellationRequested();
            return ExecuteAsync(request, $"{method.ToString().ToUpperInvariant()} {uri.AbsolutePath}", method == Method.Get ? ct : CancellationToken.None);
        }

        /// <summary>
        /// The answer as RestSharp would report it, except that a successful body is handed to the reader as it
        /// arrives instead of being kept as bytes and text. An answer cut off or stalled while it is read is
        /// reported as RestSharp reports one cut off before its headers (no status: a dropped connection, or a
        /// time-out once the request's time is up), so it is retried as that would be. The reader may by then
        /// have handed on part of the answer: what it fills must take the same records again (the scan's index
        /// does: a record read again replaces the first copy).
        /// </summary>
        private static RestResponse ReadAnswer(System.Net.Http.HttpResponseMessage answer, RestRequest request, Action<TextReader> readSuccessBody, TimeSpan timeLeft, CancellationToken ct)
        {
            var response = new RestResponse(request)
            {
                StatusCode = answer.StatusCode,
                StatusDescription = answer.ReasonPhrase,
                ResponseStatus = ResponseStatus.Completed,
                ResponseUri = answer.RequestMessage?.RequestUri,
                Headers = answer.Headers.Select(h => new HeaderParameter(h.Key, string.Join(", ", h.Value), false)).ToList(),
            };
            // A blocked read cannot be cancelled: closing the answer ends it with an exception.
            using (var deadline = new CancellationTokenSource(timeLeft > TimeSpan.Zero ? timeLeft : TimeSpan.FromMilliseconds(1)))
            using (deadline.Token.Register(answer.Dispose))
            using (ct.Register(answer.Dispose))
            {
                try
                {
                    using (Stream stream = answer.Content.ReadAsStreamAsync().GetAwaiter().GetResult())
                    using (var text = new StreamReader(stream, System.Text.Encoding.UTF8))
                    {
                        int status = (int)answer.StatusCode;
                        if (status >= 200 && status < 300)
                        {
                            readSuccessBody(text);
                            response.Content = "";
                        }
                        else response.Content = text.ReadToEnd();
                    }
                }
                catch (Exception cut) when (cut is IOException || cut is System.Net.Http.HttpRequestException || cut is ObjectDisposedException)
                {
                    bool timedOut = deadline.IsCancellationRequested && !ct.IsCancellationRequested;
                    return new RestResponse(request)
                    {
                        StatusCode = 0,
                        ResponseStatus = timedOut ? ResponseStatus.TimedOut : ResponseStatus.Error,
                        ErrorMessage = cut.Message,
                        ErrorException = timedOut ? new TimeoutException("The answer stopped arriving before it was complete.", cut) : cut,
                        ResponseUri = answer.RequestMessage?.RequestUri,
                    };
                }
            }
            return response;
        }

        private async Task<ApiResponse> ExecuteAsync(RestRequest request, string label, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            RestResponse response = await _rest.ExecuteAsync(request, ct).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            // RestSharp reports 4xx/5xx answers as ResponseStatus.Error too; only a missing status means no answer.
            if (response.StatusCode == 0)
                throw ToTransportException(response, label);
            _hostHasAnswered = true;
            if (label.IndexOf(" /services/data/", StringComparison.Ordinal) >= 0 || label.IndexOf(" /services/Soap/", StringComparison.Ordinal) >= 0)
                Interlocked.Increment(ref _apiCalls);

            int status = (int)response.StatusCode;
            if (status >= 300 && status < 400)
            {
                // Redirects are never followed: the token would travel with the request to wherever they point.
                string location = response.Headers?.FirstOrDefault(h => string.Equals(h.Name, "Location", StringComparison.OrdinalIgnoreCase))?.Value?.ToString();
                string target = Uri.TryCreate(location ?? "", UriKind.Absolute, out Uri to) ? to.GetLeftPart(UriPartial.Authority) : location ?? "nowhere";
                throw new SalesforceException(SalesforceFailure.UnexpectedRedirect,
                    $"{label} was answered with a redirect (HTTP {status} to {target}), which the module does not follow.",
                    "Check -Domain: use the org's current My Domain (an old or mistyped domain redirects), and that no proxy rewrites Salesforce's answers.");
            }
            var result = new ApiResponse(status, response.Content)
            {
                // Bulk API 2.0 query results page by this header ("Get Results for a Query Job").
                Locator = response.Headers?.FirstOrDefault(h => string.Equals(h.Name, "Sforce-Locator", StringComparison.OrdinalIgnoreCase))?.Value?.ToString(),
            };
            string usage = response.Headers?.FirstOrDefault(h => string.Equals(h.Name, "Sforce-Limit-Info", StringComparison.OrdinalIgnoreCase))?.Value?.ToString();
            UpdateApiUsage(usage);
            Log($"{label} -> {result.Status} ({watch.ElapsedMilliseconds} ms)");
            return result;
        }

        private void UpdateApiUsage(string header)
        {
            // api-usage=USED/MAX
            if (string.IsNullOrEmpty(header)) return;
            int eq = header.IndexOf("api-usage=", StringComparison.OrdinalIgnoreCase);
            if (eq < 0) return;
            string[] parts = header.Substring(eq + 10).Split(',', ';')[0].Split('/');
            if (parts.Length == 2 && long.TryParse(parts[0].Trim(), out long used) && long.TryParse(parts[1].Trim(), out long max))
                LastApiUsage = new SfApiUsage(used, max);
        }

        /// <summary>
        /// Transient failures only: a dropped connection or a timeout of a repeatable request, 502/503/504 and
        /// lock or availability errors. Not an unreachable host, a TLS failure, or a timeout before the host
        /// ever answered (a silent host stays silent): those fail at once with their remedy.
        /// </summary>
        private bool IsWorthRetrying(Outcome<ApiResponse> outcome, ResilienceContext context)
        {
            if (outcome.Exception is OperationCanceledException) return false;
            if (outcome.Exception is SalesforceException failure)
            {
                bool repeatable = context.Properties.GetValue(RepeatableKey, false);
                if (!repeatable) return false;
                if (failure.Failure == SalesforceFailure.ConnectionDropped) return true;
                return failure.Failure == SalesforceFailure.Timeout && _hostHasAnswered;
            }
            ApiResponse response = outcome.Result;
            if (response == null) return false;
            // A 502/503/504 may come after the work was done (the edge gave up waiting): resend only what is
            // safe to repeat; the caller reconciles the rest by reading back.
            if (response.Status == 502 || response.Status == 503 || response.Status == 504) return context.Properties.GetValue(RepeatableKey, false);
            return response.Status >= 400 && TransientErrorCodes.Contains(response.FirstErrorCode);
        }

        private SalesforceException ToTransportException(RestResponse response, string label)
        {
            Exception ex = response.ErrorException;
            if (response.ResponseStatus == ResponseStatus.TimedOut || Chain(ex).Any(e => e is TimeoutException))
                return new SalesforceException(SalesforceFailure.Timeout, $"{label} timed out after {_connection.Timeout.TotalSeconds:0} s.", "Check the network path to Salesforce, or raise -TimeoutSeconds.", ex);
            if (Chain(ex).Any(e => e is AuthenticationException) || Chain(ex).Any(e => e.Message.IndexOf("SSL", StringComparison.OrdinalIgnoreCase) >= 0))
                return new SalesforceException(SalesforceFailure.TlsFailure, $"{label}: the TLS handshake with {_connection.Domain.Host} failed ({Innermost(ex).Message}).", "Check that the host serves https with a valid certificate and that TLS 1.2 is enabled (on Windows PowerShell 5.1, .NET Framework 4.7.2 or later).", ex);
            var socket = Chain(ex).OfType<SocketException>().FirstOrDefault();
            if (socket != null && socket.SocketErrorCode != SocketError.ConnectionReset && socket.SocketErrorCode != SocketError.ConnectionAborted)
                return new SalesforceException(SalesforceFailure.HostUnreachable, $"{label}: cannot reach {HostOf(response)} ({socket.SocketErrorCode}).", "Check -Domain, DNS, proxy and firewall; for the emulator, check that it is running (Start-SfEmulator).", ex);
            return new SalesforceException(SalesforceFailure.ConnectionDropped, $"{label}: the connection was dropped before Salesforce answered ({Innermost(ex)?.Message}).", "Retry the run; the module reconciles writes whose outcome was unknown.", ex);
        }

        private static bool SameOrigin(Uri a, Uri b) => a != null && b != null
            && string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

        private static string HostOf(RestResponse response) => response.ResponseUri?.Host ?? response.Request?.Resource ?? "the host";

        private static IEnumerable<Exception> Chain(Exception ex)
        {
            for (Exception e = ex; e != null; e = e.InnerException) yield return e;
        }

        private static Exception Innermost(Exception ex) => Chain(ex).LastOrDefault();

        internal static SalesforceException ToGrantException(ApiResponse response, bool refresh)
        {
            string error = (response.Json as JObject)?.Value<string>("error") ?? $"HTTP {response.Status}";
            string description = (response.Json as JObject)?.Value<string>("error_description") ?? response.Body;
            string said = $"Salesforce refused the token request: {error} ({description}).";
            switch (error)
            {
                case "invalid_client_id":
                    return new SalesforceException(SalesforceFailure.InvalidClientId, said, "Check -ClientId: it must be the connected app's Consumer Key.");
                case "invalid_client":
                    return new SalesforceException(SalesforceFailure.InvalidClientSecret, said, "Check -ClientSecret: it must be the connected app's Consumer Secret.");
                case "inactive_user":
                    return new SalesforceException(SalesforceFailure.InactiveUser, said, "The integration user is inactive or frozen: reactivate it in Setup > Users.");
                case "invalid_grant" when refresh:
                    return new SalesforceException(SalesforceFailure.RefreshTokenExpiredOrRevoked, said, "The refresh token is expired or revoked (or was rotated and the newer one not kept): authorize the connected app again to get a new refresh token, then create the connection again.");
                case "invalid_grant":
                    return new SalesforceException(SalesforceFailure.AuthenticationFailed, said, "Enable the client credentials flow on the connected app and choose its run-as user, or use a refresh token.");
                default:
                    if (response.Status >= 500)
                        return new SalesforceException(SalesforceFailure.ServerUnavailable, said, "Salesforce is unavailable; try again later.");
                    return new SalesforceException(SalesforceFailure.AuthenticationFailed, said, "Check the connected app's OAuth settings and the credentials given to New-SfProvisioningConnection.");
            }
        }

        internal static SalesforceApiException ToApiException(ApiResponse response)
        {
            string code = response.FirstErrorCode ?? $"HTTP_{response.Status}";
            string message = response.FirstErrorMessage ?? response.Body;
            var fields = response.FirstErrorFields;
            switch (code)
            {
                case "REQUEST_LIMIT_EXCEEDED":
                    return new SalesforceApiException(SalesforceFailure.RequestLimitExceeded, response.Status, code, message, fields, "The org's daily API allowance is used up: wait until it resets (a rolling 24 hours) or ask Salesforce for a higher limit. Nothing more was sent.");
                case "API_DISABLED_FOR_ORG":
                case "API_CURRENTLY_DISABLED":
                    return new SalesforceApiException(SalesforceFailure.ApiDisabled, response.Status, code, message, fields, "Give the integration user the 'API Enabled' permission (profile or permission set), and check the org's edition allows API access.");
                default:
                    var failure = response.Status == 503 ? SalesforceFailure.ServerUnavailable : SalesforceFailure.ApiError;
                    return new SalesforceApiException(failure, response.Status, code, message, fields, Remedies.For(code));
            }
        }

        private void Log(string message)
        {
            Diagnostics.Enqueue(message);
            while (Diagnostics.Count > 10_000 && Diagnostics.TryDequeue(out _)) { }
        }

        public void Dispose()
        {
            _rest.Dispose();
            _authLock.Dispose();
        }
    }

    /// <summary>
    /// What became of one request's attempts, kept per request (not per client) so that one request's retries
    /// never say anything about another request in flight at the same time.
    /// </summary>
    public sealed class RequestTrace
    {
        /// <summary>An attempt went out and its answer was lost (dropped, timed out, 502/503/504): it may have been carried out.</summary>
        public bool AnswerLost { get; internal set; }
    }

    /// <summary>One HTTP answer: status and parsed JSON body.</summary>
    public sealed class ApiResponse
    {
        internal ApiResponse(int status, string body)
        {
            Status = status;
            Body = body ?? string.Empty;
        }

        public int Status { get; }
        public string Body { get; }

        /// <summary>The body as JSON (null when empty or not JSON), parsed when first asked for: a large read that streams its body never builds the tree.</summary>
        public JToken Json
        {
            get
            {
                if (_parsed) return _json;
                if (!string.IsNullOrWhiteSpace(Body))
                {
                    try { _json = SalesforceJson.Parse(Body); }
                    catch (JsonReaderException) { _json = null; }
                }
                _parsed = true;
                return _json;
            }
        }

        private JToken _json;
        private bool _parsed;

        /// <summary>An earlier attempt of this request lost its answer, so it may have been carried out before this one.</summary>
        public bool AnswerLost { get; internal set; }

        /// <summary>The Sforce-Locator header of a Bulk API 2.0 query result page (the text 'null' on the last page), or null when absent.</summary>
        public string Locator { get; internal set; }

        private JObject FirstError => (Json as JArray)?.FirstOrDefault() as JObject;
        public string FirstErrorCode => FirstError?.Value<string>("errorCode");
        public string FirstErrorMessage => FirstError?.Value<string>("message");
        public IReadOnlyList<string> FirstErrorFields => (FirstError?["fields"] as JArray)?.Select(f => f.ToString()).ToList();
        internal bool IsInvalidSession => Status == 401;
    }
}
