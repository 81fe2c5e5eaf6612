using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>
/// The REST API under /services/data/vNN.N: authentication, call counting and routing to the resources.
/// Composite requests route their subrequests through <see cref="Dispatch"/> as well.
/// </summary>
internal sealed partial class DataApi
{
    public const int MinimumVersion = 40;
    private static readonly Regex VersionPattern = new(@"^v(\d+)\.(\d)$", RegexOptions.CultureInvariant);
    private readonly EmulatorState state;

    public DataApi(EmulatorState state) => this.state = state;

    private EmulatorOrg Org => state.Org;

    /// <summary>A request to the REST API as it arrived over HTTP. Runs under the state lock.</summary>
    public ApiResponse HandleTopLevel(string method, string path, string rawQuery, string body, string authorization,
        FaultRule recordFault, RequestLogEntry entry, string queryOptions = null)
    {
        if (!TrySplitVersion(path, out string version, out string[] segments)) return ApiResponse.NotFound();
        var user = Authenticate(authorization);
        if (user == null) return ApiResponse.InvalidSession();

        int calls = CountedCalls(method, segments, body);
        if (calls > 0 && !state.Usage.TryConsume(calls)) return ApiResponse.RequestLimitExceeded();
        entry.CountedCalls = calls;

        bool isMultiRecord = segments is ["composite", ..];
        if (recordFault != null && !isMultiRecord)
            return ApiResponse.Error(400, recordFault.RecordErrorFor(null));

        var context = new CallContext(version, user, entry, recordFault, BatchSize(queryOptions));
        var response = Dispatch(context, method, segments, QueryHelpers.ParseQuery(rawQuery), body);
        state.Usage.AddRecordsWritten(context.RecordsWritten);
        entry.RecordsProcessed = context.RecordsProcessed;
        return response;
    }

    /// <summary>The user behind a live access token ("Bearer" or Salesforce's older "OAuth" scheme), if active.</summary>
    public SObjectRecord Authenticate(string authorization)
    {
        if (authorization == null) return null;
        string token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim()
            : authorization.StartsWith("OAuth ", StringComparison.OrdinalIgnoreCase) ? authorization[6..].Trim()
            : null;
        var user = Org.FindUserByUsername(state.Tokens.UserOfAccessToken(token));
        return user != null && user.GetBool("IsActive") ? user : null;
    }

    /// <summary>Composite is one call, composite batch one per subrequest, limits none, everything else one.</summary>
    private static int CountedCalls(string method, string[] segments, string body)
    {
        if (segments is ["limits"]) return 0;
        if (segments is ["composite", "batch"] && method == "POST")
        {
            try
            {
                return Math.Max(1, (JsonNode.Parse(body)?["batchRequests"] as JsonArray)?.Count ?? 1);
            }
            catch (JsonException)
            {
                return 1;
            }
        }
        return 1;
    }

    /// <summary>Splits "/services/data/v62.0/sobjects/User" into "62.0" and ["sobjects","User"]; false for versions below 40.</summary>
    public static bool TrySplitVersion(string path, out string version, out string[] segments)
    {
        version = null;
        segments = null;
        const string prefix = "/services/data/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var parts = path[prefix.Length..].Split('/');
        var match = VersionPattern.Match(parts[0]);
        if (!match.Success || int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) < MinimumVersion) return false;
        version = parts[0][1..];
        segments = parts.Skip(1).Where(p => p.Length > 0).Select(Uri.UnescapeDataString).ToArray();
        return true;
    }

    private ApiResponse Dispatch(CallContext context, string method, string[] segments, Dictionary<string, StringValues> query, string body)
    {
        try
        {
            return segments switch
            {
                [] => Only(method, "GET", () => Resources(context)),
                ["limits"] => Only(method, "GET", Limits),
                ["query" or "queryAll"] => Only(method, "GET", () => Query(context, segments[0], query.GetValueOrDefault("q").ToString())),
                ["query" or "queryAll", var locator] => Only(method, "GET", () => NextPage(context, segments[0], locator)),
                ["sobjects"] => Only(method, "GET", () => GlobalDescribe(context)),
                ["sobjects", var type] => method switch
                {
                    "GET" => ObjectInfo(context, type),
                    "POST" => CreateOne(context, type, body),
                    _ => MethodNotAllowed(method, "GET, POST"),
                },
                ["sobjects", var type, "describe"] => Only(method, "GET", () => Describe(context, type)),
                ["sobjects", var type, "deleted"] => Only(method, "GET", () => GetDeleted(type, query)),
                ["sobjects", var type, "updated"] => Only(method, "GET", () => GetUpdated(type, query)),
                ["sobjects", var type, var field, var value] => method switch
                {
                    "GET" => GetByExternalId(context, type, field, value, query.GetValueOrDefault("fields").ToString()),
                    "PATCH" => UpsertOne(context, type, field, value, body),
                    _ => MethodNotAllowed(method, "GET, PATCH"),
                },
                ["recent"] => Only(method, "GET", () => Recent(context, query)),
                ["sobjects", var type, var id] => method switch
                {
                    "GET" => GetOne(context, type, id, query.GetValueOrDefault("fields").ToString()),
                    "PATCH" => UpdateOne(context, type, id, body),
                    "DELETE" => DeleteOne(context, type, id),
                    _ => MethodNotAllowed(method, "GET, PATCH, DELETE"),
                },
                ["composite"] => Only(method, "POST", () => Composite(context, body)),
                ["composite", "batch"] => Only(method, "POST", () => Batch(context, body)),
                ["composite", "sobjects"] => method switch
                {
                    "POST" => SaveCollection(context, body, isCreate: true),
                    "PATCH" => SaveCollection(context, body, isCreate: false),
                    "DELETE" => DeleteCollection(context, query),
                    _ => MethodNotAllowed(method, "POST, PATCH, DELETE"),
                },
                ["composite", "sobjects", var type] => method switch
                {
                    "GET" => RetrieveCollection(context, type, query),
                    "POST" => RetrieveCollectionByPost(context, type, body),
                    _ => MethodNotAllowed(method, "GET, POST"),
                },
                ["composite", "sobjects", var type, var field] => Only(method, "PATCH", () => UpsertCollection(context, type, field, body)),
                _ => ApiResponse.NotFound(),
            };
        }
        catch (ApiException ex)
        {
            return ex.Response;
        }
        catch (Soql.SoqlException ex)
        {
            return ApiResponse.Error(400, ex.ErrorCode, ex.Message);
        }
    }

    /// <summary>Runs a subrequest given by URL (composite and batch): "/services/data/v62.0/..." with an optional query.</summary>
    private ApiResponse DispatchUrl(CallContext parent, bool sameTransaction, string method, string url, string body)
    {
        int question = url.IndexOf('?');
        string path = question < 0 ? url : url[..question];
        string rawQuery = question < 0 ? "" : url[question..];
        if (!TrySplitVersion(path, out string version, out string[] segments)) return ApiResponse.NotFound();
        var context = sameTransaction ? parent.InSameTransaction(version) : parent.InNewTransaction(version);
        return Dispatch(context, method.ToUpperInvariant(), segments, QueryHelpers.ParseQuery(rawQuery), body);
    }

    private static ApiResponse Only(string method, string allowed, Func<ApiResponse> handler) =>
        method == allowed ? handler() : MethodNotAllowed(method, allowed);

    private static ApiResponse MethodNotAllowed(string method, string allowed) =>
        ApiResponse.Error(405, "METHOD_NOT_ALLOWED", $"HTTP Method '{method}' not allowed. Allowed are {allowed}");

    /// <summary>Parses a request body; malformed JSON answers JSON_PARSER_ERROR as Salesforce does.</summary>
    private static JsonNode ParseBody(string body)
    {
        try
        {
            return string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new ApiException(ApiResponse.JsonParserError($"Unexpected character in the request body: {ex.Message}"));
        }
    }

    private static JsonObject ParseObjectBody(string body) =>
        ParseBody(body) as JsonObject ?? throw new ApiException(ApiResponse.JsonParserError("The request body must be a JSON object."));

    private ApiResponse Resources(CallContext context)
    {
        string root = $"/services/data/v{context.ApiVersion}";
        var resources = new JsonObject();
        foreach (var name in new[] { "limits", "query", "queryAll", "sobjects", "composite" })
            resources[name] = $"{root}/{name}";
        return ApiResponse.Ok(resources);
    }

    private ApiResponse Limits()
    {
        var limits = new JsonObject
        {
            ["DailyApiRequests"] = new JsonObject { ["Max"] = state.Usage.Max, ["Remaining"] = state.Usage.Remaining },
        };
        foreach (var (name, max) in new (string, long)[]
                 {
                     ("DailyAsyncApexExecutions", 250000), ("DailyBulkApiBatches", 15000), ("DailyBulkV2QueryFileStorageMB", 976562),
                     ("DailyBulkV2QueryJobs", 10000), ("DataStorageMB", 1024), ("FileStorageMB", 1024), ("SingleEmail", 5000),
                 })
            limits[name] = new JsonObject { ["Max"] = max, ["Remaining"] = max };
        return ApiResponse.Ok(limits);
    }

    /// <summary>GET /services/data/: every version from 40.0 to 64.0 with its release name.</summary>
    public static ApiResponse Versions()
    {
        var versions = new JsonArray();
        for (int version = MinimumVersion; version <= 64; version++)
        {
            // 41.0 was Winter '18, then three releases a year: Winter, Spring, Summer.
            string label = version == 40 ? "Summer '17"
                : $"{new[] { "Winter", "Spring", "Summer" }[(version - 41) % 3]} '{18 + (version - 41) / 3}";
            versions.Add(new JsonObject { ["label"] = label, ["url"] = $"/services/data/v{version}.0", ["version"] = $"{version}.0" });
        }
        return ApiResponse.Ok(versions);
    }
}
