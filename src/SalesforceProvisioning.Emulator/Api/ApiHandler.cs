using System.Text;
using Microsoft.AspNetCore.Http;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>
/// The one HTTP entry point. Every non-control request goes: log and count the HTTP request, refuse over-long
/// URLs, read the body, wait the configured latency, apply a fault rule if one fires, route, answer.
/// </summary>
internal sealed class ApiHandler
{
    public const int MaxUrlLength = 16_384;
    private static readonly System.Text.RegularExpressions.Regex RepeatedSlashes = new("/{2,}", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    private readonly EmulatorState state;
    private readonly DataApi data;
    private readonly OAuthEndpoints oauth;
    private readonly ControlEndpoints control;
    private readonly SoapApi soap;

    public ApiHandler(EmulatorState state)
    {
        this.state = state;
        data = new DataApi(state);
        oauth = new OAuthEndpoints(state);
        control = new ControlEndpoints(state);
        soap = new SoapApi(state, data);
    }

    public async Task HandleAsync(HttpContext http)
    {
        // Salesforce answers "//services/data/..." as "/services/data/..." (the Salesforce CLI sends such paths).
        string path = RepeatedSlashes.Replace(http.Request.Path.Value ?? "/", "/");
        if (path == "/__emulator" || path.StartsWith("/__emulator/", StringComparison.Ordinal))
        {
            await control.HandleAsync(http);
            return;
        }

        string method = http.Request.Method;
        string rawQuery = http.Request.QueryString.Value ?? "";
        string endpoint = Classify(path);
        // The org's time for a request runs from its arrival: time the emulator spends waiting for its turn at the org
        // (see InTurnAsync) is part of the latency and per-record time below, not added to them.
        var sinceArrival = System.Diagnostics.Stopwatch.StartNew();
        var entry = await state.InTurnAsync(() =>
        {
            var started = state.Log.Start(method, path, rawQuery, endpoint);
            state.Usage.CountHttpRequest(endpoint);
            return started;
        }, http.RequestAborted);
        if (path.Length + rawQuery.Length > MaxUrlLength)
        {
            await WriteAsync(http, entry, ApiResponse.Error(414, "URI_TOO_LONG", $"The request URL is longer than {MaxUrlLength} characters."));
            return;
        }

        string body = await new StreamReader(http.Request.Body, Encoding.UTF8).ReadToEndAsync(http.RequestAborted);
        var latency = TimeSpan.FromMilliseconds(state.LatencyMilliseconds) - sinceArrival.Elapsed; // an int's read needs no lock
        if (latency > TimeSpan.Zero) await Task.Delay(latency, http.RequestAborted);

        var processing = System.Diagnostics.Stopwatch.StartNew();
        var fault = await state.InTurnAsync(() => state.Faults.Next(method, path, body, isTokenEndpoint: path.StartsWith("/services/oauth2/", StringComparison.Ordinal)), http.RequestAborted);
        entry.Fault = fault?.Kind.ToString();
        if (fault?.Kind == FaultKind.LateCommit)
        {
            await CommitLateAsync(http, method, path, rawQuery, body, entry);
            return;
        }
        if (fault?.Kind == FaultKind.DropConnection)
        {
            entry.ConnectionDropped = true;
            http.Abort();
            return;
        }

        bool isSoap = SoapApi.IsSoapPath(path);
        var response = isSoap ? fault?.Kind switch
        {
            FaultKind.Http503 => SoapApi.ServerUnavailable(),
            FaultKind.InvalidSession => SoapApi.InvalidSession(),
            FaultKind.RequestLimitExceeded => SoapApi.RequestLimitExceeded(),
            _ => null,
        } : fault?.Kind switch
        {
            FaultKind.Http503 => ApiResponse.Error(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable. Please retry your request later."),
            FaultKind.InvalidSession => ApiResponse.InvalidSession(),
            FaultKind.RequestLimitExceeded => ApiResponse.RequestLimitExceeded(),
            _ => null,
        };
        if (response == null)
        {
            var recordFault = fault is { IsRecordLevel: true } ? fault : null;
            response = await state.InTurnAsync(() =>
            {
                var routed = Route(http, method, path, rawQuery, body, recordFault, entry);
                ReleaseLateCommits();
                return routed;
            }, http.RequestAborted);
        }

        // Salesforce writes a request's records one after another, so each one adds to the time the answer takes.
        var writing = WritingDelay(state.LatencyPerRecordMilliseconds, entry.RecordsProcessed, processing.Elapsed);
        if (writing > TimeSpan.Zero) await Task.Delay(writing, http.RequestAborted);

        if (fault?.Kind == FaultKind.ErrorAfterCommit)
        {
            // Committed, but the answer the client gets is the edge's error: the outcome is unknown to it.
            int status = fault.HttpStatus ?? 502;
            response = status == 503
                ? ApiResponse.Error(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable. Please retry your request later.")
                : ApiResponse.Html(status, status == 502 ? "<html><body><h1>502 Bad Gateway</h1></body></html>" : "<html><body><h1>504 Gateway Time-out</h1></body></html>");
        }
        if (fault?.Kind == FaultKind.DropAfterCommit)
        {
            // The work is done and committed; the client just never hears about it.
            entry.Status = response.Status;
            entry.ConnectionDropped = true;
            http.Abort();
            return;
        }
        if (fault?.Kind == FaultKind.CutOffAnswer && response.BodyText != null)
        {
            entry.ConnectionDropped = true;
            await WriteHalfAsync(http, entry, response, cutOff: true);
            return;
        }
        if (fault?.Kind == FaultKind.GarbledAnswer && response.BodyText != null)
        {
            await WriteHalfAsync(http, entry, response, cutOff: false);
            return;
        }
        await WriteAsync(http, entry, response);
    }

    /// <summary>
    /// What is left of the time an org takes to write <paramref name="records"/> records once the emulator has spent
    /// <paramref name="spent"/> on the request (waiting for the org's lock and doing the work). An org processes
    /// concurrent requests in parallel (Salesforce limits only those running 20 s or longer: "There isn't a limit on the
    /// number of concurrent requests shorter than 20 seconds",
    /// https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html),
    /// while the emulator does one request's work at a time: the modelled time includes that work instead of adding
    /// to it, so requests in flight together are not answered one after another's work.
    /// </summary>
    internal static TimeSpan WritingDelay(int perRecordMilliseconds, int records, TimeSpan spent)
    {
        if (perRecordMilliseconds <= 0 || records <= 0) return TimeSpan.Zero;
        var modelled = TimeSpan.FromMilliseconds((double)perRecordMilliseconds * records);
        return modelled > spent ? modelled - spent : TimeSpan.Zero;
    }

    /// <summary>Requests a LateCommit fault dropped, each waiting for another request's work before doing its own.</summary>
    private readonly List<TaskCompletionSource> lateCommits = new();

    /// <summary>
    /// Drops the connection before any answer, then does the request's work once another request's work is done
    /// (or after 30 s without one): the client's read-back, if it comes next, does not see it yet.
    /// </summary>
    private async Task CommitLateAsync(HttpContext http, string method, string path, string rawQuery, string body, RequestLogEntry entry)
    {
        var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await state.InTurnAsync(() => { lateCommits.Add(turn); return turn; }, CancellationToken.None);
        entry.ConnectionDropped = true;
        http.Abort();
        await Task.WhenAny(turn.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        await state.InTurnAsync(() => entry.Status = Route(http, method, path, rawQuery, body, null, entry).Status, CancellationToken.None);
    }

    /// <summary>Lets the requests a LateCommit fault held back do their work (called under the state's lock, after a request's own).</summary>
    private void ReleaseLateCommits()
    {
        foreach (var turn in lateCommits) turn.TrySetResult();
        lateCommits.Clear();
    }

    /// <summary>
    /// The answer's status and headers and the first half of its body: cut off (the whole body's Content-Length,
    /// then a dropped connection) or garbled (the half's Content-Length: a complete answer whose body is broken).
    /// </summary>
    private async Task WriteHalfAsync(HttpContext http, RequestLogEntry entry, ApiResponse response, bool cutOff)
    {
        byte[] body = Encoding.UTF8.GetBytes(response.BodyText);
        await state.InTurnAsync(() => entry.Status = response.Status, http.RequestAborted);
        http.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers) http.Response.Headers[name] = value;
        http.Response.ContentType = response.ContentType;
        http.Response.ContentLength = cutOff ? body.Length : body.Length / 2;
        await http.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), http.RequestAborted);
        if (!cutOff) return;
        await http.Response.Body.FlushAsync(http.RequestAborted);
        http.Abort();
    }

    private ApiResponse Route(HttpContext http, string method, string path, string rawQuery, string body, FaultRule recordFault, RequestLogEntry entry)
    {
        string authorization = http.Request.Headers.Authorization.ToString();
        // Answers name the address the caller used: the http or the https listener.
        string origin = http.Request.IsHttps ? state.HttpsBaseUrl : state.BaseUrl;
        switch (path)
        {
            case "/services/oauth2/token":
                return method == "POST" ? oauth.Token(body, origin) : MethodNotAllowed(method);
            case "/services/oauth2/revoke":
                return method is "POST" or "GET" ? oauth.Revoke(body, rawQuery) : MethodNotAllowed(method);
            case "/services/data" or "/services/data/":
                return method == "GET" ? DataApi.Versions() : MethodNotAllowed(method);
        }
        if (path == "/services/oauth2/userinfo" || path.StartsWith("/id/", StringComparison.Ordinal))
        {
            if (method is not ("GET" or "POST")) return MethodNotAllowed(method);
            // The identity URL and userinfo take the token as a header or as ?oauth_token= ("Identity URLs", Salesforce Help).
            var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(rawQuery);
            var caller = string.IsNullOrEmpty(authorization)
                ? data.AuthenticateToken(query.GetValueOrDefault("oauth_token").ToString())
                : data.Authenticate(authorization);
            return path.StartsWith("/id/", StringComparison.Ordinal)
                ? oauth.Identity(path, caller, origin, query.GetValueOrDefault("version").ToString())
                : oauth.UserInfo(caller, origin);
        }
        if (path.StartsWith("/services/data/", StringComparison.Ordinal))
            return data.HandleTopLevel(method, path, rawQuery, body, authorization, recordFault, entry, origin,
                http.Request.Headers["Sforce-Query-Options"].ToString());
        if (SoapApi.IsSoapPath(path))
        {
            string soapAction = http.Request.Headers.TryGetValue("SOAPAction", out var action) ? action.ToString() : null;
            return soap.Handle(method, path, http.Request.ContentType, soapAction, authorization, body, recordFault, entry);
        }
        return ApiResponse.NotFound();
    }

    private static ApiResponse MethodNotAllowed(string method) =>
        ApiResponse.Error(405, "METHOD_NOT_ALLOWED", $"HTTP Method '{method}' not allowed.");

    /// <summary>The bucket a request is counted under in /__emulator/counts.</summary>
    private static string Classify(string path)
    {
        if (path.StartsWith("/services/oauth2/token", StringComparison.Ordinal)) return "token";
        if (path.StartsWith("/services/oauth2/revoke", StringComparison.Ordinal)) return "revoke";
        if (path.StartsWith("/services/oauth2/userinfo", StringComparison.Ordinal)) return "identity";
        if (path.StartsWith("/id/", StringComparison.Ordinal)) return "identity";
        if (SoapApi.IsSoapPath(path)) return "soap";
        if (!DataApi.TrySplitVersion(path, out _, out var segments))
            return path is "/services/data" or "/services/data/" ? "versions" : "other";
        return segments switch
        {
            [] => "resources",
            ["limits"] => "limits",
            ["query" or "queryAll", ..] => "query",
            ["composite"] => "composite",
            ["composite", "batch"] => "compositeBatch",
            ["composite", "graph"] => "compositeGraph",
            ["composite", "tree", _] => "compositeTree",
            ["composite", "sobjects", ..] => "collections",
            ["jobs", ..] => "bulk",
            ["sobjects"] or ["sobjects", _, "describe"] => "describe",
            ["sobjects", ..] => "sobject",
            _ => "other",
        };
    }

    private async Task WriteAsync(HttpContext http, RequestLogEntry entry, ApiResponse response)
    {
        string path = RepeatedSlashes.Replace(http.Request.Path.Value ?? "", "/");
        bool isApi = path.StartsWith("/services/data/", StringComparison.Ordinal) || path.StartsWith("/id/", StringComparison.Ordinal)
            || SoapApi.IsSoapPath(path);
        string limitInfo = await state.InTurnAsync(() =>
        {
            entry.Status = response.Status;
            return state.Usage.LimitInfoHeader;
        }, http.RequestAborted);
        if (isApi) http.Response.Headers["Sforce-Limit-Info"] = limitInfo;
        http.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers) http.Response.Headers[name] = value;
        if (response.BodyText == null) return;
        http.Response.ContentType = response.ContentType;
        await http.Response.WriteAsync(response.BodyText, http.RequestAborted);
    }
}
