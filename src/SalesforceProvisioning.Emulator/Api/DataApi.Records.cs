using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>
/// Replication and convenience resources of the REST API Developer Guide: sObject Get Deleted / Get Updated,
/// sObject Rows by External ID (upsert), sObject Collections upsert and retrieve by POST, Recently Viewed Items.
/// </summary>
internal sealed partial class DataApi
{
    /// <summary>GET sobjects/{Type}/deleted/?start=..&amp;end=..: the recycle bin's records of the type deleted in the span.</summary>
    private ApiResponse GetDeleted(string typeName, Dictionary<string, StringValues> query)
    {
        var type = FindType(typeName);
        var (start, end) = ReplicationSpan(query);
        var deleted = Org.RecycleBin(type).Where(d => d.DeletedDate >= start && d.DeletedDate < end).OrderBy(d => d.DeletedDate).ToList();
        var all = Org.RecycleBin(type).Select(d => d.DeletedDate).DefaultIfEmpty(start).Min();
        return ApiResponse.Ok(new JsonObject
        {
            ["deletedRecords"] = new JsonArray(deleted.Select(d => (JsonNode)new JsonObject
            {
                ["id"] = d.Record.Id, ["deletedDate"] = FieldValues.FormatDateTime(d.DeletedDate),
            }).ToArray()),
            ["earliestDateAvailable"] = FieldValues.FormatDateTime(TruncateToMinute(all)),
            ["latestDateCovered"] = FieldValues.FormatDateTime(end),
        });
    }

    /// <summary>GET sobjects/{Type}/updated/?start=..&amp;end=..: ids of live records created or changed in the span (SystemModstamp).</summary>
    private ApiResponse GetUpdated(string typeName, Dictionary<string, StringValues> query)
    {
        var type = FindType(typeName);
        var (start, end) = ReplicationSpan(query);
        var ids = Org.Scan(type).Where(r => r.Get("SystemModstamp") is DateTime stamp && stamp >= start && stamp < end).Select(r => (JsonNode)r.Id);
        return ApiResponse.Ok(new JsonObject { ["ids"] = new JsonArray(ids.ToArray()), ["latestDateCovered"] = FieldValues.FormatDateTime(end) });
    }

    /// <summary>start and end are required UTC date-times; Salesforce ignores their seconds, and so does the emulator.</summary>
    private (DateTime Start, DateTime End) ReplicationSpan(Dictionary<string, StringValues> query)
    {
        DateTime Read(string name)
        {
            string text = query.GetValueOrDefault(name).ToString();
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment))
                throw new ApiException(ApiResponse.Error(400, "MISSING_ARGUMENT", $"The {name} parameter needs a date-time such as 2024-05-01T00:00:00Z; '{text}' is not one."));
            return TruncateToMinute(moment.UtcDateTime);
        }
        var start = Read("start");
        var end = Read("end");
        if (end < start)
            throw new ApiException(ApiResponse.Error(400, "INVALID_REPLICATION_DATE", "The end date must be after the start date"));
        return (start, end);
    }

    private static DateTime TruncateToMinute(DateTime moment) =>
        new(moment.Year, moment.Month, moment.Day, moment.Hour, moment.Minute, 0, DateTimeKind.Utc);

    /// <summary>The external id field an upsert names: 404 when the object has no such field, 400 when it is not an external id.</summary>
    private static FieldDefinition ExternalIdField(ObjectDefinition type, string fieldName)
    {
        var field = type.FindField(fieldName) ?? throw new ApiException(ApiResponse.NotFound());
        if (!field.ExternalId && field.Type != FieldType.Id)
            throw new ApiException(ApiResponse.Error(400, "INVALID_FIELD", $"Field {field.Name} is not an External ID or indexed field for {type.Name}"));
        return field;
    }

    /// <summary>The live records whose external id equals the value (text compares case-insensitively, as by default in Salesforce).</summary>
    private List<SObjectRecord> MatchExternalId(ObjectDefinition type, FieldDefinition field, string value)
    {
        if (field.Type == FieldType.Id) return Org.FindById(value) is { } byId && byId.Type == type ? new() { byId } : new();
        if (field.Unique) return Org.FindByUniqueField(type, field.Name, value) is { } unique ? new() { unique } : new();
        return Org.Scan(type).Where(r => r.Get(field.Name) is { } v && string.Equals(FieldValues.ToDisplayString(v), value, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    /// <summary>One upsert: no match creates (with the external id set), one match updates, more are a conflict.</summary>
    private (SaveResult Result, List<SObjectRecord> Conflicts) UpsertRecord(CallContext context, int index, ObjectDefinition type, FieldDefinition field, string value, JsonObject input)
    {
        var matches = string.IsNullOrEmpty(value) ? new List<SObjectRecord>() : MatchExternalId(type, field, value);
        if (matches.Count > 1) return (SaveResult.Failed("DUPLICATE_EXTERNAL_ID", $"{field.Name}: more than one record found for external id field: [{string.Join(", ", matches.Select(m => m.Id))}]", field.Name), matches);
        var body = (JsonObject)input.DeepClone();
        foreach (var name in body.Select(p => p.Key).Where(k => string.Equals(k, field.Name, StringComparison.OrdinalIgnoreCase) || k == "attributes").ToList())
            body.Remove(name);
        if (matches.Count == 1)
            return (context.FaultFor(index, input, matches[0]) is { } updateFault
                ? SaveResult.Failed(updateFault)
                : Org.UpdateRecord(context.Transaction, type.Name, matches[0].Id, body, WriteMode.Api), null);
        if (field.Type != FieldType.Id) body[field.Name] = value;
        return (context.FaultFor(index, input, null) is { } createFault
            ? SaveResult.Failed(createFault)
            : Org.CreateRecord(context.Transaction, type.Name, body, WriteMode.Api), null);
    }

    /// <summary>GET sobjects/{Type}/{field}/{value}: the record with that external id.</summary>
    private ApiResponse GetByExternalId(CallContext context, string typeName, string fieldName, string value, string fields)
    {
        var type = FindType(typeName);
        var matches = MatchExternalId(type, ExternalIdField(type, fieldName), value);
        if (matches.Count == 0) return ApiResponse.NotFound();
        if (matches.Count > 1) return MultipleChoices(context, matches);
        return ApiResponse.Ok(RecordJson.ToJson(matches[0], context.ApiVersion, SelectFields(type, fields)));
    }

    /// <summary>PATCH sobjects/{Type}/{field}/{value}: 201 created, 200 updated (with "created" from API 46.0), 300 when several match.</summary>
    private ApiResponse UpsertOne(CallContext context, string typeName, string fieldName, string value, string body)
    {
        var type = FindType(typeName);
        var field = ExternalIdField(type, fieldName);
        var (result, conflicts) = UpsertRecord(context, 0, type, field, value, ParseObjectBody(body));
        if (conflicts != null) return MultipleChoices(context, conflicts);
        if (!result.Success) return ApiResponse.Error(400, result.Errors[0]);
        var answer = new JsonObject { ["id"] = result.Id, ["success"] = true, ["errors"] = new JsonArray() };
        if (ApiVersionNumber(context) >= 46) answer["created"] = result.Created;
        return ApiResponse.Json(result.Created ? 201 : 200, answer);
    }

    private static ApiResponse MultipleChoices(CallContext context, List<SObjectRecord> matches) =>
        ApiResponse.Json(300, new JsonArray(matches.Select(m => (JsonNode)$"/services/data/v{context.ApiVersion}/sobjects/{m.Type.Name}/{m.Id}").ToArray()));

    private static double ApiVersionNumber(CallContext context) => double.Parse(context.ApiVersion, CultureInfo.InvariantCulture);

    /// <summary>PATCH composite/sobjects/{Type}/{field}: up to 200 upserts, a result per record with "created".</summary>
    private ApiResponse UpsertCollection(CallContext context, string typeName, string fieldName, string body)
    {
        var type = FindType(typeName);
        var field = ExternalIdField(type, fieldName);
        if (field.Type == FieldType.Id) // "Only external ids are supported. Don't use record ids."
            return ApiResponse.Error(400, "INVALID_FIELD", $"Field {field.Name} is not an External ID field for {type.Name}; sObject Collections upsert takes external ids only");
        var request = ParseObjectBody(body);
        if (request["records"] is not JsonArray records)
            return ApiResponse.JsonParserError("The request body needs a \"records\" array.");
        if (records.Count > MaxCollectionRecords) return TooManyRecords();
        bool allOrNone = request["allOrNone"] is JsonValue flag && flag.TryGetValue(out bool value) && value;
        context.Entry.Records += records.Count;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return RunCollection(context, allOrNone, records.Count, index =>
        {
            if (records[index] is not JsonObject record)
                return (SaveResult.Failed("JSON_PARSER_ERROR", "Each record must be a JSON object."), null);
            string declared = record["attributes"]?["type"]?.ToString();
            if (declared != null && !string.Equals(declared, type.Name, StringComparison.OrdinalIgnoreCase))
                return (SaveResult.Failed("INVALID_TYPE", $"The record's type {declared} is not {type.Name}, the object of this upsert."), null);
            string key = record.FirstOrDefault(p => string.Equals(p.Key, field.Name, StringComparison.OrdinalIgnoreCase)).Value?.ToString();
            if (string.IsNullOrEmpty(key) && field.Type != FieldType.Id)
                return (SaveResult.Failed("MISSING_ARGUMENT", $"{field.Name} not specified", field.Name), null);
            if (!string.IsNullOrEmpty(key) && !seen.Add(key))
                return (SaveResult.Failed("DUPLICATE_EXTERNAL_ID", $"Duplicate external id specified: {key}", field.Name), null);
            return (UpsertRecord(context, index, type, field, key, record).Result, null);
        }, reportCreated: true);
    }

    /// <summary>POST composite/sobjects/{Type} with {"ids":[..],"fields":[..]}: retrieve, for id lists too long for a URL.</summary>
    private ApiResponse RetrieveCollectionByPost(CallContext context, string typeName, string body)
    {
        var request = ParseObjectBody(body);
        string Join(string name) => string.Join(',', (request[name] as JsonArray ?? new JsonArray()).Select(n => n?.ToString()));
        // A POST retrieves up to 2,000 records ("Get Records With a Request Body Using sObject Collections").
        return RetrieveCollection(context, typeName, new Dictionary<string, StringValues> { ["ids"] = Join("ids"), ["fields"] = Join("fields") }, maxIds: 2000);
    }

    /// <summary>GET recent?limit=n: what this user marked viewed or referenced (SOQL FOR VIEW / FOR REFERENCE), newest first.</summary>
    private ApiResponse Recent(CallContext context, Dictionary<string, StringValues> query)
    {
        int limit = int.TryParse(query.GetValueOrDefault("limit").ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : RecentItems.Capacity;
        var items = state.Recent.For(context.User.Id).Select(id => Org.FindById(id)).Where(r => r != null).Take(limit)
            .Select(r => (JsonNode)new JsonObject
            {
                ["attributes"] = RecordJson.Attributes(r.Type, r.Id, context.ApiVersion),
                ["Id"] = r.Id,
                [r.Type.NameField.Name] = FieldValues.ToJson(r.Get(r.Type.NameField.Name)),
            });
        return ApiResponse.Ok(new JsonArray(items.ToArray()));
    }
}

/// <summary>Each user's recently viewed records (RecentlyViewed holds at most 200), newest first.</summary>
internal sealed class RecentItems
{
    public const int Capacity = 200;
    private readonly Dictionary<string, LinkedList<string>> byUser = new(StringComparer.Ordinal);

    public void Mark(string userId, IEnumerable<string> recordIds)
    {
        if (!byUser.TryGetValue(userId, out var list)) byUser[userId] = list = new LinkedList<string>();
        foreach (var id in recordIds)
        {
            list.Remove(id);
            list.AddFirst(id);
            while (list.Count > Capacity) list.RemoveLast();
        }
    }

    public IEnumerable<string> For(string userId) => byUser.TryGetValue(userId, out var list) ? list : Enumerable.Empty<string>();

    public void Clear() => byUser.Clear();
}
