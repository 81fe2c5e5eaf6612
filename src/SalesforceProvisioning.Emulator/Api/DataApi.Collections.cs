using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>sObject Collections (/composite/sobjects): up to 200 records, 200 OK with a result per record, in order.</summary>
internal sealed partial class DataApi
{
    public const int MaxCollectionRecords = 200;

    private static ApiResponse TooManyRecords() =>
        ApiResponse.Error(400, "EXCEEDED_ID_LIMIT", $"Maximum number of records allowed is {MaxCollectionRecords}");

    private ApiResponse SaveCollection(CallContext context, string body, bool isCreate)
    {
        var request = ParseObjectBody(body);
        if (request["records"] is not JsonArray records)
            return ApiResponse.JsonParserError("The request body needs a \"records\" array.");
        if (records.Count > MaxCollectionRecords) return TooManyRecords();
        bool allOrNone = request["allOrNone"] is JsonValue flag && flag.TryGetValue(out bool value) && value;
        context.Entry.Records += records.Count;

        return RunCollection(context, allOrNone, records.Count, index =>
        {
            if (records[index] is not JsonObject record)
                return (SaveResult.Failed("JSON_PARSER_ERROR", "Each record must be a JSON object."), null);
            string typeName = record["attributes"]?["type"]?.ToString();
            if (string.IsNullOrEmpty(typeName))
                return (SaveResult.Failed("INVALID_TYPE", "sObject type not specified: each record needs attributes.type"), null);
            if (isCreate)
                return (context.FaultFor(index, record, null) is { } createFault
                    ? SaveResult.Failed(createFault)
                    : Org.CreateRecord(context.Transaction, typeName, record, WriteMode.Api), null);

            string id = record.FirstOrDefault(p => string.Equals(p.Key, "Id", StringComparison.OrdinalIgnoreCase)).Value?.ToString();
            if (string.IsNullOrEmpty(id))
                return (SaveResult.Failed("MISSING_ARGUMENT", "Id not specified in an update call"), null);
            return (context.FaultFor(index, record, Org.FindById(id)) is { } updateFault
                ? SaveResult.Failed(updateFault)
                : Org.UpdateRecord(context.Transaction, typeName, id, record, WriteMode.Api), id);
        });
    }

    private ApiResponse DeleteCollection(CallContext context, Dictionary<string, StringValues> query)
    {
        var ids = query.GetValueOrDefault("ids").ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length == 0) return ApiResponse.Error(400, "MISSING_ARGUMENT", "The ids parameter is required.");
        if (ids.Length > MaxCollectionRecords) return TooManyRecords();
        bool allOrNone = string.Equals(query.GetValueOrDefault("allOrNone").ToString(), "true", StringComparison.OrdinalIgnoreCase);
        context.Entry.Records += ids.Length;

        return RunCollection(context, allOrNone, ids.Length, index =>
        {
            string id = ids[index];
            return (context.FaultFor(index, null, Org.FindById(id)) is { } fault
                ? SaveResult.Failed(fault)
                : Org.DeleteRecord(context.Transaction, null, id, WriteMode.Api), id);
        });
    }

    /// <summary>
    /// Writes each record in turn. With allOrNone, one failure rolls the whole collection back and the records
    /// that had succeeded report ALL_OR_NONE_OPERATION_ROLLED_BACK.
    /// </summary>
    private static ApiResponse RunCollection(CallContext context, bool allOrNone, int count, Func<int, (SaveResult Result, string Id)> write,
        bool reportCreated = false)
    {
        var savepoint = context.Transaction.CreateSavepoint();
        var results = Enumerable.Range(0, count).Select(write).ToList();
        bool rollBack = allOrNone && results.Any(r => !r.Result.Success);
        if (rollBack) context.Transaction.RollbackTo(savepoint);

        var body = new JsonArray();
        foreach (var (result, id) in results)
        {
            var shown = rollBack && result.Success
                ? SaveResult.Failed("ALL_OR_NONE_OPERATION_ROLLED_BACK", "Record rolled back because not all records were valid and the request was using AllOrNone header")
                : result;
            var json = SaveResultJson.ToJson(shown, rollBack ? null : id);
            if (reportCreated) json["created"] = shown.Success && shown.Created;
            body.Add(json);
        }
        return ApiResponse.Ok(body);
    }
}
