using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>
/// Composite graph (POST /composite/graph, API 50.0+; "Composite Graph" and "Composite Graph Limits", REST API Developer
/// Guide): up to 75 graphs and 500 nodes in all; each graph runs in its own transaction, all or nothing, and reports
/// isSuccessful; the whole request is one counted call. After 14 failed graphs the rest are not run.
/// </summary>
internal sealed partial class DataApi
{
    public const int MaxGraphs = 75, MaxGraphNodes = 500, MaxGraphFailures = 14;
    private const int FirstGraphVersion = 50;

    private ApiResponse Graph(CallContext context, string body)
    {
        if (int.Parse(context.ApiVersion.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture) < FirstGraphVersion)
            return ApiResponse.NotFound();
        var request = ParseObjectBody(body);
        if (request["graphs"] is not JsonArray graphs || graphs.Count == 0)
            return ApiResponse.JsonParserError("The request body needs a non-empty \"graphs\" array.");
        if (graphs.Count > MaxGraphs)
            return ApiResponse.Error(400, "LIMIT_EXCEEDED", $"A composite graph request can have at most {MaxGraphs} graphs; this one has {graphs.Count}.");
        int nodes = graphs.Sum(g => (g?["compositeRequest"] as JsonArray)?.Count ?? 0);
        if (nodes > MaxGraphNodes)
            return ApiResponse.Error(400, "LIMIT_EXCEEDED", $"A composite graph request can have at most {MaxGraphNodes} nodes; this one has {nodes}.");
        var graphIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var graph in graphs)
        {
            if (graph?["graphId"]?.ToString() is not { Length: > 0 } graphId || !graphIds.Add(graphId))
                return ApiResponse.Error(400, "INVALID_INPUT", "Each graph needs a graphId that is unique in the request.");
            if (graph["compositeRequest"] is not JsonArray subrequests || subrequests.Count == 0)
                return ApiResponse.JsonParserError($"Graph {graph["graphId"]} needs a non-empty \"compositeRequest\" array.");
            if (SubrequestShapeError(subrequests) is { } shapeError) return shapeError;
        }
        context.Entry.Subrequests += nodes;

        var answers = new JsonArray();
        int failures = 0;
        foreach (JsonObject graph in graphs)
        {
            var subrequests = (JsonArray)graph["compositeRequest"];
            JsonArray compositeResponse;
            bool succeeded;
            if (failures >= MaxGraphFailures)
            {
                compositeResponse = new JsonArray(subrequests.Select(s => (JsonNode)new JsonObject
                {
                    ["body"] = ApiResponse.Error(400, "PROCESSING_HALTED", "Processing was halted: the request has too many failed graphs.").Body,
                    ["httpHeaders"] = new JsonObject(),
                    ["httpStatusCode"] = 400,
                    ["referenceId"] = s["referenceId"]!.ToString(),
                }).ToArray());
                succeeded = false;
            }
            else
            {
                (compositeResponse, succeeded) = RunSubrequests(context.InNewTransaction(context.ApiVersion), subrequests, allOrNone: true);
                if (!succeeded) failures++;
            }
            answers.Add(new JsonObject
            {
                ["graphId"] = graph["graphId"]!.ToString(),
                ["graphResponse"] = new JsonObject { ["compositeResponse"] = compositeResponse },
                ["isSuccessful"] = succeeded,
            });
        }
        return ApiResponse.Ok(new JsonObject { ["graphs"] = answers });
    }
}
