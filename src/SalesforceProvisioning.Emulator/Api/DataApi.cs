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
    /// <summary>
    /// The oldest version served: 21.0 to 30.0 were retired in Summer '25 and answer 410 GONE ("Salesforce Platform
    /// API Versions 21.0 through 30.0 Retirement", Salesforce Help 000354473; "API End-of-Life", REST API Developer Guide).
    /// </summary>
    public const int MinimumVersion = 31;
    /// <summary>The newest version served (Summer '26); anything newer answers 404 NOT_FOUND as it does in a real org.</summary>
    public const int LatestMajorVersion = 67;
    public static readonly string LatestVersion = $"{LatestMajorVersion}.0";
    private static readonly Regex VersionPattern = new(@"^v(\d+)\.(\d)$", RegexOptions.CultureInvariant);
    private readonly EmulatorState state;

    public DataApi(EmulatorState state) => this.state = state;

    private EmulatorOrg Org => state.Org;

    /// <summary>A request to the REST API as it arrived over HTTP. Runs under the state lock.</summary>
    public ApiResponse HandleTopLevel(string method, string path, string rawQuery, string body, string authorization,
        FaultRule recordFault, RequestLogEntry entry, string origin, string queryOptions = null)
    {
        if (!TrySplitVersion(path, out string version, out string[] segments))
            return IsRetiredVersion(path)
                ? ApiResponse.Error(410, "GONE", $"API versions below {MinimumVersion}.0 are retired. Use a version from {MinimumVersion}.0 to {LatestVersion}.")
                : ApiResponse.NotFound();
        var user = Authenticate(authorization);
        if (user == null) return ApiResponse.InvalidSession();

        int calls = CountedCalls(method, segments, body);
        if (calls > 0 && !state.Usage.TryConsume(calls)) return ApiResponse.RequestLimitExceeded();
        entry.CountedCalls = calls;

        // Closing an ingest job processes its rows, so a record fault fails chosen rows of the job, not the close.
        bool isMultiRecord = segments is ["composite", ..] || (method == "PATCH" && segments is ["jobs", "ingest", _]);
        if (recordFault != null && !isMultiRecord)
            return ApiResponse.Error(400, recordFault.RecordErrorFor(null));

        var context = new CallContext(version, user, entry, recordFault, BatchSize(queryOptions)) { Origin = origin };
        var response = Dispatch(context, method, segments, QueryHelpers.ParseQuery(rawQuery), body);
        state.Usage.AddRecordsWritten(context.RecordsWritten);
        entry.RecordsProcessed = context.RecordsProcessed;
        return response;
    }

    /// <summary>
    /// The user behind a live access token ("Bearer" or Salesforce's older "OAuth" scheme), if active and not
    /// frozen: freezing or deactivating a user ends the sessions already open.
    /// </summary>
    public SObjectRecord Authenticate(string authorization) => AuthenticateToken(authorization switch
    {
        null => null,
        _ when authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) => authorization[7..].Trim(),
        _ when authorization.StartsWith("OAuth ", StringComparison.OrdinalIgnoreCase) => authorization[6..].Trim(),
        _ => null,
    });

    public SObjectRecord AuthenticateToken(string token)
    {
        var user = Org.FindUserByUsername(state.Tokens.UserOfAccessToken(token));
        return user != null && Org.CanSignIn(user) ? user : null;
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

    /// <summary>Splits "/services/data/v62.0/sobjects/User" into "62.0" and ["sobjects","User"]; false for versions not served.</summary>
    public static bool TrySplitVersion(string path, out string version, out string[] segments)
    {
        version = null;
        segments = null;
        if (MajorVersion(path) is not (>= MinimumVersion and <= LatestMajorVersion) || !path.Split('/')[3].EndsWith(".0", StringComparison.Ordinal))
            return false;
        var parts = path["/services/data/".Length..].Split('/');
        version = parts[0][1..];
        segments = parts.Skip(1).Where(p => p.Length > 0).Select(Uri.UnescapeDataString).ToArray();
        return true;
    }

    /// <summary>The NN of "/services/data/vNN.N/...", or null when the path names no version.</summary>
    private static int? MajorVersion(string path)
    {
        const string prefix = "/services/data/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var match = VersionPattern.Match(path[prefix.Length..].Split('/')[0]);
        return match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int major) ? major : null;
    }

    public static bool IsRetiredVersion(string path) => MajorVersion(path) is < MinimumVersion;

    private ApiResponse Dispatch(CallContext context, string method, string[] segments, Dictionary<string, StringValues> query, string body)
    {
        try
        {
            return segments switch
            {
                [] => Only(method, "GET", () => Resources(context)),
                ["limits"] => Only(method, "GET", Limits),
                ["query" or "queryAll"] when query.GetValueOrDefault("columns") == "true" =>
                    Only(method, "GET", () => QueryColumns(context, segments[0], query.GetValueOrDefault("q").ToString())),
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
                ["composite", "graph"] => Only(method, "POST", () => Graph(context, body)),
                ["composite", "tree", var type] => Only(method, "POST", () => Tree(context, type, body)),
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
                ["jobs", "ingest" or "query", ..] => Bulk(context, method, segments, query, body),
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

    /// <summary>
    /// GET /services/data/vNN.N/: the resources this emulator serves, named as Salesforce names them ("Resources by
    /// Version", REST API Developer Guide); identity is the caller's identity URL, the rest are relative URLs.
    /// </summary>
    private ApiResponse Resources(CallContext context)
    {
        string root = $"/services/data/v{context.ApiVersion}";
        var resources = new JsonObject
        {
            ["identity"] = $"{context.Origin}/id/{Org.OrganizationId}/{context.User.Id}",
        };
        foreach (var name in ServedResources)
            resources[name] = $"{root}/{name}";
        return ApiResponse.Ok(resources);
    }

    /// <summary>Every resource under /services/data/vNN.N/ that Dispatch answers (besides identity).</summary>
    internal static readonly string[] ServedResources = { "composite", "limits", "query", "queryAll", "recent", "sobjects" };

    private ApiResponse Limits()
    {
        var limits = new JsonObject
        {
            ["DailyApiRequests"] = new JsonObject { ["Max"] = state.Usage.Max, ["Remaining"] = state.Usage.Remaining },
        };
        foreach (var (name, max, used) in new (string, long, long)[]
                 {
                     ("DailyAsyncApexExecutions", 250000, 0), ("DailyBulkApiBatches", ApiUsage.DailyBulkApiBatches, state.Usage.BulkBatchesUsed),
                     ("DailyBulkV2QueryFileStorageMB", 976562, 0), ("DailyBulkV2QueryJobs", ApiUsage.DailyBulkV2QueryJobs, state.Usage.BulkQueryJobsUsed),
                     ("DataStorageMB", 1024, 0), ("FileStorageMB", 1024, 0), ("SingleEmail", 5000, 0),
                 })
            limits[name] = new JsonObject { ["Max"] = max, ["Remaining"] = max - used };
        return ApiResponse.Ok(limits);
    }

    /// <summary>GET /services/data/: every version served, oldest first, with its release name.</summary>
    public static ApiResponse Versions()
    {
        var versions = new JsonArray();
        for (int version = MinimumVersion; version <= LatestMajorVersion; version++)
        {
            // 41.0 was Winter '18, with three releases a year: Winter, Spring, Summer.
            int releasesSince41 = version - 41;
            string label = $"{new[] { "Winter", "Spring", "Summer" }[((releasesSince41 % 3) + 3) % 3]} '{18 + (int)Math.Floor(releasesSince41 / 3.0)}";
            versions.Add(new JsonObject { ["label"] = label, ["url"] = $"/services/data/v{version}.0", ["version"] = $"{version}.0" });
        }
        return ApiResponse.Ok(versions);
    }
}
