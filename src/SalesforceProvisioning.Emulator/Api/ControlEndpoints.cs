using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>
/// /__emulator/...: test controls (reset, seed, request log, counters, latency, limits, tokens, faults).
/// Never counted, never logged, no bearer token: the server listens on loopback only.
/// </summary>
internal sealed class ControlEndpoints
{
    private readonly EmulatorState state;

    public ControlEndpoints(EmulatorState state) => this.state = state;

    public async Task HandleAsync(HttpContext http)
    {
        string body = await new StreamReader(http.Request.Body, Encoding.UTF8).ReadToEndAsync(http.RequestAborted);
        string action = http.Request.Path.Value!["/__emulator".Length..].Trim('/');
        (int status, JsonNode answer) result;
        try
        {
            result = await state.InTurnAsync(() => Handle(http.Request.Method, action, body), http.RequestAborted);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or FormatException or InvalidOperationException)
        {
            result = (400, new JsonObject { ["error"] = ex.Message });
        }
        http.Response.StatusCode = result.status;
        http.Response.ContentType = "application/json;charset=UTF-8";
        await http.Response.WriteAsync(result.answer?.ToJsonString(ApiResponse.JsonOptions) ?? "{}", http.RequestAborted);
    }

    private (int, JsonNode) Handle(string method, string action, string body)
    {
        switch (method, action)
        {
            case ("GET", "info"):
                return (200, JsonNode.Parse(state.Info.ToJsonLine()));
            case ("POST", "reset"):
                state.Reset();
                return Ok();
            case ("GET", "seed"):
                return (200, JsonNode.Parse(state.Org.SeedJson));
            case ("POST", "seed"):
                state.Org.LoadSeed(body);
                state.Cursors.Clear();
                return Ok();
            case ("GET", "requests"):
                return (200, new JsonObject { ["requests"] = state.Log.ToJson() });
            case ("DELETE", "requests"):
                state.Log.Clear();
                return Ok();
            case ("GET", "counts"):
                return (200, Counts());
            case ("POST", "unlink-portal-user"):
            {
                // What Salesforce's "Disable Customer User" does: the user stays, inactive, without its contact.
                var user = state.Org.FindUserByUsername(Read(body)["username"]?.GetValue<string>() ?? "");
                if (user == null) return (404, new JsonObject { ["error"] = "no such user" });
                user.Values["ContactId"] = null;
                user.Values["IsActive"] = false;
                return Ok();
            }
            case ("POST", "instance-url"):
                state.InstanceUrlOverride = Read(body)["url"]?.GetValue<string>();
                return Ok();
            case ("POST", "sandbox"):
                state.Org.IsSandbox = Read(body)["enabled"]?.GetValue<bool>() ?? true;
                return Ok();
            case ("POST", "jwt-approval"):
            {
                var approval = Read(body);
                string username = approval["username"]?.GetValue<string>() ?? throw new JsonException("Give \"username\".");
                if (approval["approved"]?.GetValue<bool>() ?? true) state.JwtUnapprovedUsers.Remove(username);
                else state.JwtUnapprovedUsers.Add(username);
                return Ok();
            }
            case ("POST", "latency"):
            {
                var latency = Read(body);
                state.LatencyMilliseconds = Math.Max(0, latency["ms"]?.GetValue<int>() ?? 0);
                if (latency["perRecordMs"] is { } perRecord) state.LatencyPerRecordMilliseconds = Math.Max(0, perRecord.GetValue<int>());
                return Ok();
            }
            case ("POST", "limits"):
            {
                var limits = Read(body);
                state.Usage.SetLimits(limits["max"]?.GetValue<long>(), limits["remaining"]?.GetValue<long>());
                return (200, new JsonObject { ["max"] = state.Usage.Max, ["remaining"] = state.Usage.Remaining });
            }
            case ("POST", "expire-access-tokens"):
                state.Tokens.ExpireAllAccessTokens();
                return Ok();
            case ("POST", "revoke-refresh-tokens"):
                state.Tokens.RevokeAllRefreshTokens();
                return Ok();
            case ("POST", "rotate-refresh-tokens"):
                state.Tokens.RotateRefreshTokens = Read(body)["enabled"]?.GetValue<bool>() ?? true;
                return Ok();
            case ("POST", "bulk-hold"):
                // {"afterRows": N} holds every closed ingest job InProgress after N processed rows; {"afterRows": null} lifts it.
                state.BulkHoldAfterRows = Read(body)["afterRows"]?.GetValue<int>() is int rows ? Math.Max(0, rows) : null;
                return Ok();
            case ("GET", "faults"):
                return (200, new JsonObject { ["faults"] = state.Faults.ToJson() });
            case ("POST", "faults"):
                state.Faults.Add(FaultInjector.ParseRules(body));
                return (200, new JsonObject { ["faults"] = state.Faults.ToJson() });
            case ("DELETE", "faults"):
                state.Faults.Clear();
                return Ok();
            default:
                return (404, new JsonObject { ["error"] = $"No control endpoint {method} /__emulator/{action}" });
        }
    }

    private static (int, JsonNode) Ok() => (200, new JsonObject { ["ok"] = true });

    private static JsonObject Read(string body) =>
        string.IsNullOrWhiteSpace(body) ? new JsonObject() : JsonNode.Parse(body) as JsonObject ?? throw new JsonException("Expected a JSON object.");

    private JsonObject Counts()
    {
        var byEndpoint = new JsonObject();
        foreach (var (endpoint, count) in state.Usage.ByEndpoint.OrderBy(p => p.Key, StringComparer.Ordinal))
            byEndpoint[endpoint] = count;
        return new JsonObject
        {
            ["apiCalls"] = state.Usage.CallsCounted,
            ["httpRequests"] = state.Usage.HttpRequests,
            ["byEndpoint"] = byEndpoint,
            ["recordsWritten"] = state.Usage.RecordsWritten,
            ["dailyApiLimit"] = state.Usage.Max,
            ["remaining"] = state.Usage.Remaining,
        };
    }
}
