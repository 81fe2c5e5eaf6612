using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using SalesforceProvisioning.Emulator.Data;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>Single-record resources (/sobjects/{Type}/{Id}) and describe.</summary>
internal sealed partial class DataApi
{
    private ObjectDefinition FindType(string typeName) =>
        Org.Schema.Find(typeName) ?? throw new ApiException(ApiResponse.NotFound());

    /// <summary>The record at /sobjects/{Type}/{Id}: 404 NOT_FOUND when absent, ENTITY_IS_DELETED when deleted.</summary>
    private SObjectRecord FindRecord(ObjectDefinition type, string id)
    {
        var record = Org.FindById(id);
        if (record != null && record.Type == type) return record;
        if (Org.WasDeleted(id)) throw new ApiException(ApiResponse.Error(404, "ENTITY_IS_DELETED", "entity is deleted"));
        throw new ApiException(ApiResponse.NotFound());
    }

    /// <summary>Fields named in a ?fields= list; unknown names answer INVALID_FIELD.</summary>
    private static List<FieldDefinition> SelectFields(ObjectDefinition type, string list)
    {
        if (string.IsNullOrWhiteSpace(list)) return null;
        return list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(name =>
            type.FindField(name) ?? throw new ApiException(ApiResponse.Error(400, "INVALID_FIELD",
                $"No such column '{name}' on entity '{type.Name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.")))
            .ToList();
    }

    private ApiResponse GetOne(CallContext context, string typeName, string id, string fields)
    {
        var type = FindType(typeName);
        var record = FindRecord(type, id);
        return ApiResponse.Ok(RecordJson.ToJson(record, context.ApiVersion, SelectFields(type, fields)));
    }

    private ApiResponse CreateOne(CallContext context, string typeName, string body)
    {
        var type = FindType(typeName);
        var input = ParseObjectBody(body);
        var result = context.FaultFor(0, input, null) is { } fault
            ? SaveResult.Failed(fault)
            : Org.CreateRecord(context.Transaction, type.Name, input, WriteMode.Api);
        if (!result.Success) return ApiResponse.Error(400, result.Errors[0]);
        var response = ApiResponse.Json(201, new JsonObject { ["id"] = result.Id, ["success"] = true, ["errors"] = new JsonArray() });
        response.Headers["Location"] = $"/services/data/v{context.ApiVersion}/sobjects/{type.Name}/{result.Id}";
        return response;
    }

    private ApiResponse UpdateOne(CallContext context, string typeName, string id, string body)
    {
        var type = FindType(typeName);
        var existing = FindRecord(type, id);
        var input = ParseObjectBody(body);
        var result = context.FaultFor(0, input, existing) is { } fault
            ? SaveResult.Failed(fault)
            : Org.UpdateRecord(context.Transaction, type.Name, existing.Id, input, WriteMode.Api);
        return result.Success ? ApiResponse.NoContent() : ApiResponse.Error(400, result.Errors[0]);
    }

    private ApiResponse DeleteOne(CallContext context, string typeName, string id)
    {
        var type = FindType(typeName);
        var existing = FindRecord(type, id);
        var result = context.FaultFor(0, null, existing) is { } fault
            ? SaveResult.Failed(fault)
            : Org.DeleteRecord(context.Transaction, type.Name, existing.Id, WriteMode.Api);
        return result.Success ? ApiResponse.NoContent() : ApiResponse.Error(400, result.Errors[0]);
    }

    /// <summary>GET /composite/sobjects/{Type}?ids=..&amp;fields=..: records in the order asked, null where absent.</summary>
    private ApiResponse RetrieveCollection(CallContext context, string typeName, Dictionary<string, StringValues> query)
    {
        var type = FindType(typeName);
        var ids = query.GetValueOrDefault("ids").ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var fields = SelectFields(type, query.GetValueOrDefault("fields").ToString())
            ?? throw new ApiException(ApiResponse.Error(400, "MISSING_ARGUMENT", "The fields parameter is required."));
        if (ids.Length == 0) throw new ApiException(ApiResponse.Error(400, "MISSING_ARGUMENT", "The ids parameter is required."));
        if (ids.Length > MaxCollectionRecords) throw new ApiException(TooManyRecords());
        var records = new JsonArray();
        foreach (var id in ids)
        {
            var record = Org.FindById(id);
            records.Add(record != null && record.Type == type ? RecordJson.ToJson(record, context.ApiVersion, fields) : null);
        }
        return ApiResponse.Ok(records);
    }

    private ApiResponse ObjectInfo(CallContext context, string typeName)
    {
        var type = FindType(typeName);
        return ApiResponse.Ok(new JsonObject { ["objectDescribe"] = ObjectSummary(type, context.ApiVersion), ["recentItems"] = new JsonArray() });
    }

    private ApiResponse GlobalDescribe(CallContext context) => ApiResponse.Ok(new JsonObject
    {
        ["encoding"] = "UTF-8",
        ["maxBatchSize"] = MaxCollectionRecords,
        ["sobjects"] = new JsonArray(Org.Schema.Objects.OrderBy(o => o.Name, StringComparer.Ordinal)
            .Select(o => (JsonNode)ObjectSummary(o, context.ApiVersion)).ToArray()),
    });

    private static JsonObject ObjectSummary(ObjectDefinition type, string version) => new()
    {
        ["name"] = type.Name,
        ["label"] = type.Label,
        ["keyPrefix"] = type.KeyPrefix,
        ["createable"] = type.Createable,
        ["updateable"] = type.Updateable,
        ["deletable"] = type.Deletable,
        ["queryable"] = true,
        ["custom"] = false,
        ["urls"] = new JsonObject
        {
            ["sobject"] = $"/services/data/v{version}/sobjects/{type.Name}",
            ["describe"] = $"/services/data/v{version}/sobjects/{type.Name}/describe",
            ["rowTemplate"] = $"/services/data/v{version}/sobjects/{type.Name}/{{ID}}",
        },
    };

    private ApiResponse Describe(CallContext context, string typeName)
    {
        var type = FindType(typeName);
        var describe = ObjectSummary(type, context.ApiVersion);
        describe["fields"] = new JsonArray(type.Fields.Select(f => (JsonNode)new JsonObject
        {
            ["name"] = f.Name,
            ["label"] = f.Label,
            ["type"] = f.DescribeType,
            ["length"] = f.IsText ? f.Length : 0,
            ["nillable"] = f.Nillable && !f.RequiredOnCreate,
            ["createable"] = f.Createable,
            ["updateable"] = f.Updateable,
            ["unique"] = f.Unique,
            ["externalId"] = f.ExternalId,
            ["defaultedOnCreate"] = f.DefaultValue != null || f.Name is "Id" or "CreatedDate" or "LastModifiedDate" or "SystemModstamp",
            ["custom"] = f.Name.EndsWith("__c", StringComparison.Ordinal),
            ["relationshipName"] = f.RelationshipName,
            ["referenceTo"] = new JsonArray(f.ReferenceTo.Select(r => (JsonNode)r).ToArray()),
            ["restrictedPicklist"] = f.RestrictedPicklist,
            ["picklistValues"] = new JsonArray(f.PicklistValues.Select(v => (JsonNode)new JsonObject
            {
                ["value"] = v, ["label"] = v, ["active"] = true, ["defaultValue"] = Equals(f.DefaultValue, v),
            }).ToArray()),
        }).ToArray());
        describe["childRelationships"] = new JsonArray(Org.Schema.ChildRelationships(type).Select(r => (JsonNode)new JsonObject
        {
            ["cascadeDelete"] = false,
            ["childSObject"] = r.Child.Name,
            ["deprecatedAndHidden"] = false,
            ["field"] = r.Field.Name,
            ["junctionIdListNames"] = new JsonArray(),
            ["junctionReferenceTo"] = new JsonArray(),
            ["relationshipName"] = r.Field.ChildRelationshipName,
            ["restrictedDelete"] = false,
        }).ToArray());
        return ApiResponse.Ok(describe);
    }
}
