using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>What an endpoint answers, before it is written to the wire (composite subrequests read it directly).</summary>
internal sealed class ApiResponse
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        // Keep messages such as "Duplicate Username.<br>..." readable; the body is JSON, not HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public ApiResponse(int status, JsonNode body)
    {
        Status = status;
        Body = body;
    }

    private ApiResponse(int status, string text, string contentType)
    {
        Status = status;
        Text = text;
        ContentType = contentType;
    }

    public int Status { get; }
    /// <summary>The JSON body of REST answers; null for empty answers and for text answers (SOAP).</summary>
    public JsonNode Body { get; }
    /// <summary>A body that is not JSON (SOAP envelopes), written as is.</summary>
    public string Text { get; }
    public string ContentType { get; } = "application/json;charset=UTF-8";
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
    public bool IsSuccess => Status is >= 200 and < 300;

    public static ApiResponse Json(int status, JsonNode body) => new(status, body);

    public static ApiResponse Ok(JsonNode body) => new(200, body);

    public static ApiResponse NoContent() => new(204, null);

    public static ApiResponse Xml(int status, string xml) => new(status, xml, "text/xml;charset=UTF-8");

    public static ApiResponse Csv(int status, string csv) => new(status, csv, "text/csv;charset=UTF-8");

    /// <summary>Salesforce's error body: [{"message":"...","errorCode":"...","fields":[...]}] (fields only when given).</summary>
    public static ApiResponse Error(int status, string errorCode, string message, IReadOnlyList<string> fields = null)
    {
        var error = new JsonObject { ["message"] = message, ["errorCode"] = errorCode };
        if (fields != null) error["fields"] = new JsonArray(fields.Select(f => (JsonNode)f).ToArray());
        return new ApiResponse(status, new JsonArray(error));
    }

    public static ApiResponse Error(int status, SalesforceError error) => Error(status, error.StatusCode, error.Message, error.Fields);

    public static ApiResponse NotFound() => Error(404, "NOT_FOUND", "The requested resource does not exist");

    public static ApiResponse InvalidSession() => Error(401, "INVALID_SESSION_ID", "Session expired or invalid");

    public static ApiResponse RequestLimitExceeded() => Error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");

    public static ApiResponse JsonParserError(string detail) => Error(400, "JSON_PARSER_ERROR", detail);

    public string BodyText => Text ?? Body?.ToJsonString(JsonOptions);
}

/// <summary>Thrown inside an endpoint to answer with an error straight away.</summary>
internal sealed class ApiException : Exception
{
    public ApiException(ApiResponse response) : base(response.BodyText) => Response = response;

    public ApiResponse Response { get; }
}

/// <summary>Per-record results of collections: note statusCode here where single-record errors say errorCode.</summary>
internal static class SaveResultJson
{
    public static JsonObject ToJson(SaveResult result, string idOnFailure = null) => new()
    {
        ["id"] = result.Success ? result.Id : idOnFailure,
        ["success"] = result.Success,
        ["errors"] = new JsonArray(result.Errors.Select(e => (JsonNode)new JsonObject
        {
            ["statusCode"] = e.StatusCode,
            ["message"] = e.Message,
            ["fields"] = new JsonArray(e.Fields.Select(f => (JsonNode)f).ToArray()),
        }).ToArray()),
    };
}
