using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>
/// Composite (/composite: one counted call, one transaction, @{ref} references) and composite batch
/// (/composite/batch: one call and one transaction per subrequest).
/// </summary>
internal sealed partial class DataApi
{
    public const int MaxSubrequests = 25;
    public const int MaxQueryOrCollectionSubrequests = 5;
    private static readonly Regex ReferencePattern = new(@"@\{([^}]*)\}", RegexOptions.CultureInvariant);
    private static readonly Regex ReferenceIdPattern = new("^[A-Za-z][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);
    private const string RolledBackMessage = "The transaction was rolled back since another operation in the same transaction failed.";

    private ApiResponse Composite(CallContext context, string body)
    {
        var request = ParseObjectBody(body);
        if (request["compositeRequest"] is not JsonArray subrequests || subrequests.Count == 0)
            return ApiResponse.JsonParserError("The request body needs a non-empty \"compositeRequest\" array.");
        if (subrequests.Count > MaxSubrequests)
            return ApiResponse.Error(400, "LIMIT_EXCEEDED", $"A composite request can have at most {MaxSubrequests} subrequests; this one has {subrequests.Count}.");
        int heavy = subrequests.Count(s => IsQueryOrCollection(s?["url"]?.ToString()));
        if (heavy > MaxQueryOrCollectionSubrequests)
            return ApiResponse.Error(400, "LIMIT_EXCEEDED",
                $"A composite request can have at most {MaxQueryOrCollectionSubrequests} query or sObject Collections subrequests; this one has {heavy}.");
        if (SubrequestShapeError(subrequests) is { } shapeError) return shapeError;
        bool allOrNone = request["allOrNone"] is JsonValue flag && flag.TryGetValue(out bool value) && value;
        context.Entry.Subrequests += subrequests.Count;
        var (compositeResponse, _) = RunSubrequests(context, subrequests, allOrNone);
        return ApiResponse.Ok(new JsonObject { ["compositeResponse"] = compositeResponse });
    }

    /// <summary>Each subrequest needs method, url and a referenceId that is well-formed and unique in the request.</summary>
    private static ApiResponse SubrequestShapeError(JsonArray subrequests)
    {
        var referenceIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var subrequest in subrequests)
        {
            string referenceId = subrequest?["referenceId"]?.ToString();
            if (subrequest?["method"] == null || subrequest["url"] == null || referenceId == null)
                return ApiResponse.JsonParserError("Each subrequest needs method, url and referenceId.");
            if (!ReferenceIdPattern.IsMatch(referenceId) || !referenceIds.Add(referenceId))
                return ApiResponse.Error(400, "INVALID_INPUT", $"Invalid or duplicate referenceId: {referenceId}");
        }
        return null;
    }

    /// <summary>
    /// Runs subrequests one after another in the context's transaction, resolving @{ref} references. With
    /// allOrNone, the first failure rolls everything back and every other subrequest reports PROCESSING_HALTED.
    /// </summary>
    private (JsonArray CompositeResponse, bool Succeeded) RunSubrequests(CallContext context, JsonArray subrequests, bool allOrNone)
    {
        var responses = new List<(string ReferenceId, ApiResponse Response)>();
        var succeeded = new Dictionary<string, JsonNode>(StringComparer.OrdinalIgnoreCase);
        int failedIndex = -1;
        foreach (JsonObject subrequest in subrequests)
        {
            string referenceId = subrequest["referenceId"].ToString();
            if (failedIndex >= 0)
            {
                responses.Add((referenceId, ApiResponse.Error(400, "PROCESSING_HALTED", RolledBackMessage)));
                continue;
            }
            var response = RunSubrequest(context, subrequest, succeeded);
            responses.Add((referenceId, response));
            if (response.IsSuccess) succeeded[referenceId] = response.Body;
            else if (allOrNone)
            {
                failedIndex = responses.Count - 1;
                context.Transaction.RollbackAll();
            }
        }

        var compositeResponse = new JsonArray();
        for (int i = 0; i < responses.Count; i++)
        {
            var (referenceId, response) = responses[i];
            if (failedIndex >= 0 && i != failedIndex) response = ApiResponse.Error(400, "PROCESSING_HALTED", RolledBackMessage);
            var headers = new JsonObject();
            foreach (var (name, headerValue) in response.Headers) headers[name] = headerValue;
            compositeResponse.Add(new JsonObject
            {
                // A subresponse's own tree moves into the answer; only one that sits in another tree is copied.
                ["body"] = response.Body is { Parent: null } own ? own : response.Body?.DeepClone(),
                ["httpHeaders"] = headers,
                ["httpStatusCode"] = response.Status,
                ["referenceId"] = referenceId,
            });
        }
        return (compositeResponse, failedIndex < 0 && responses.All(r => r.Response.IsSuccess));
    }

    private ApiResponse RunSubrequest(CallContext context, JsonObject subrequest, Dictionary<string, JsonNode> succeeded)
    {
        string referenceId = subrequest["referenceId"].ToString();
        try
        {
            string url = ResolveReferences(subrequest["url"].ToString(), succeeded, referenceId, inJson: false);
            string body = subrequest["body"] is { } bodyNode ? ResolveReferences(bodyNode.ToJsonString(), succeeded, referenceId, inJson: true) : null;
            if (!url.StartsWith("/services/data/", StringComparison.Ordinal))
                return ApiResponse.Error(400, "INVALID_INPUT", $"The url of subrequest {referenceId} must start with /services/data/vNN.N/");
            return DispatchUrl(context, sameTransaction: true, subrequest["method"].ToString(), url, body);
        }
        catch (ApiException ex)
        {
            return ex.Response;
        }
    }

    /// <summary>
    /// Replaces @{refId.field}, @{refId.records[0].Id} and @{refId[0].id} with values from earlier successful
    /// subresponses. Inside a JSON body the value is escaped for the string it sits in.
    /// </summary>
    private static string ResolveReferences(string text, Dictionary<string, JsonNode> succeeded, string referenceId, bool inJson) =>
        ReferencePattern.Replace(text, match =>
        {
            string expression = match.Groups[1].Value;
            string value = Navigate(succeeded, expression)
                ?? throw new ApiException(ApiResponse.Error(400, "PROCESSING_HALTED",
                    $"Invalid reference specified. No value for {match.Value} found in {expression.Split('.', '[')[0]}. Provided referenceId ({referenceId}) ..."));
            return inJson ? JsonSerializer.Serialize(value, ApiResponse.JsonOptions)[1..^1] : value;
        });

    private static string Navigate(Dictionary<string, JsonNode> succeeded, string expression)
    {
        var steps = Regex.Matches(expression, @"[^.\[\]]+|\[(\d+)\]").Select(m => m.Value).ToList();
        if (steps.Count < 2 || !succeeded.TryGetValue(steps[0], out var node)) return null;
        foreach (var step in steps.Skip(1))
        {
            if (step.StartsWith('[')) node = node is JsonArray array && int.Parse(step[1..^1]) is int i && i < array.Count ? array[i] : null;
            else node = node is JsonObject obj ? obj[step] : null;
            if (node == null) return null;
        }
        return node is JsonValue scalar ? (scalar.TryGetValue(out string text) ? text : scalar.ToJsonString()) : null;
    }

    private static bool IsQueryOrCollection(string url) =>
        url != null && TrySplitVersion(url.Split('?')[0], out _, out var segments)
        && (segments is ["query" or "queryAll", ..] || segments is ["composite", "sobjects", ..]);

    private ApiResponse Batch(CallContext context, string body)
    {
        var request = ParseObjectBody(body);
        if (request["batchRequests"] is not JsonArray subrequests || subrequests.Count == 0)
            return ApiResponse.JsonParserError("The request body needs a non-empty \"batchRequests\" array.");
        if (subrequests.Count > MaxSubrequests)
            return ApiResponse.Error(400, "LIMIT_EXCEEDED", $"A batch request can have at most {MaxSubrequests} subrequests; this one has {subrequests.Count}.");
        bool haltOnError = request["haltOnError"] is JsonValue flag && flag.TryGetValue(out bool value) && value;
        context.Entry.Subrequests += subrequests.Count;

        var results = new JsonArray();
        bool hasErrors = false;
        foreach (var subrequest in subrequests)
        {
            ApiResponse response;
            if (hasErrors && haltOnError)
                response = ApiResponse.Error(412, "BATCH_PROCESSING_HALTED", "Batch processing halted per request");
            else if (subrequest?["method"] == null || subrequest["url"] == null)
                response = ApiResponse.JsonParserError("Each batch request needs method and url.");
            else
            {
                string url = subrequest["url"].ToString();
                if (!url.StartsWith('/')) url = "/services/data/" + url;
                response = DispatchUrl(context, sameTransaction: false, subrequest["method"].ToString(), url, subrequest["richInput"]?.ToJsonString());
            }
            hasErrors |= !response.IsSuccess;
            results.Add(new JsonObject { ["statusCode"] = response.Status, ["result"] = response.Body?.DeepClone() });
        }
        return ApiResponse.Ok(new JsonObject { ["hasErrors"] = hasErrors, ["results"] = results });
    }
}
