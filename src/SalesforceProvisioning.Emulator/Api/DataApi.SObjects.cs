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
    private ApiResponse RetrieveCollection(CallContext context, string typeName, Dictionary<string, StringValues> query, int maxIds = MaxCollectionRecords)
    {
        var type = FindType(typeName);
        var ids = query.GetValueOrDefault("ids").ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var fields = SelectFields(type, query.GetValueOrDefault("fields").ToString())
            ?? throw new ApiException(ApiResponse.Error(400, "MISSING_ARGUMENT", "The fields parameter is required."));
        if (ids.Length == 0) throw new ApiException(ApiResponse.Error(400, "MISSING_ARGUMENT", "The ids parameter is required."));
        if (ids.Length > maxIds) throw new ApiException(ApiResponse.Error(400, "EXCEEDED_ID_LIMIT", $"Maximum number of records allowed is {maxIds}"));
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

    /// <summary>The DescribeGlobalSObjectResult keys (REST API Developer Guide, "Describe Global"; SOAP API, DescribeGlobalSObjectResult).</summary>
    private static JsonObject ObjectSummary(ObjectDefinition type, string version) => new()
    {
        ["activateable"] = false,
        ["createable"] = type.Createable,
        ["custom"] = false,
        ["customSetting"] = false,
        ["deepCloneable"] = false,
        ["deletable"] = type.Deletable,
        ["deprecatedAndHidden"] = false,
        ["feedEnabled"] = false,
        ["hasSubtypes"] = type.Name == "Account" && type.FindField("IsPersonAccount") != null,
        ["isInterface"] = false,
        ["isSubtype"] = false,
        ["keyPrefix"] = type.KeyPrefix,
        ["label"] = type.Label,
        ["labelPlural"] = type.Label.EndsWith('s') ? type.Label : type.Label + "s",
        ["layoutable"] = !type.IsSetupObject,
        ["mergeable"] = type.Name is "Account" or "Contact" or "Lead",
        ["mruEnabled"] = !type.IsSetupObject,
        ["name"] = type.Name,
        ["queryable"] = true,
        ["replicateable"] = true,
        ["retrieveable"] = true,
        ["searchable"] = !type.IsSetupObject,
        ["triggerable"] = !type.IsSetupObject,
        ["undeletable"] = type.Deletable,
        ["updateable"] = type.Updateable,
        ["urls"] = new JsonObject
        {
            ["sobject"] = $"/services/data/v{version}/sobjects/{type.Name}",
            ["describe"] = $"/services/data/v{version}/sobjects/{type.Name}/describe",
            ["rowTemplate"] = $"/services/data/v{version}/sobjects/{type.Name}/{{ID}}",
        },
    };

    /// <summary>
    /// sObject Describe (REST API Developer Guide, "Get Field and Other Metadata for an Object"; the keys are SOAP API's
    /// DescribeSObjectResult, Field and ChildRelationship), with the keys jsforce and the Salesforce CLI read.
    /// </summary>
    private ApiResponse Describe(CallContext context, string typeName)
    {
        var type = FindType(typeName);
        var describe = ObjectSummary(type, context.ApiVersion);
        var nameField = type.NameField;
        describe["childRelationships"] = new JsonArray(Org.Schema.ChildRelationships(type).Select(c => (JsonNode)new JsonObject
        {
            ["cascadeDelete"] = type.Name == "Account" && c.ChildType.Name == "Contact",
            ["childSObject"] = c.ChildType.Name,
            ["deprecatedAndHidden"] = false,
            ["field"] = c.Field.Name,
            ["junctionIdListNames"] = new JsonArray(),
            ["junctionReferenceTo"] = new JsonArray(),
            ["relationshipName"] = c.Name,
            ["restrictedDelete"] = false,
        }).ToArray());
        describe["fields"] = new JsonArray(type.Fields.Select(f => (JsonNode)FieldDescribe(f, f == nameField)).ToArray());
        describe["recordTypeInfos"] = RecordTypeInfos(type, context.ApiVersion);
        describe["supportedScopes"] = new JsonArray(new JsonObject { ["label"] = "All " + describe["labelPlural"], ["name"] = "everything" });
        describe["namedLayoutInfos"] = new JsonArray();
        describe["networkScopeFieldName"] = null;
        describe["compactLayoutable"] = !type.IsSetupObject;
        describe["listviewable"] = null;
        describe["lookupLayoutable"] = null;
        describe["searchLayoutable"] = !type.IsSetupObject;
        return ApiResponse.Ok(describe);
    }

    private static JsonObject FieldDescribe(FieldDefinition f, bool isNameField)
    {
        bool custom = f.Name.EndsWith("__c", StringComparison.Ordinal);
        bool filterable = f.Type != FieldType.TextArea || f.Length <= 255;
        return new JsonObject
        {
            ["aggregatable"] = f.Type is not (FieldType.Boolean or FieldType.TextArea or FieldType.MultiPicklist),
            ["autoNumber"] = false,
            ["byteLength"] = f.IsText ? f.Length * 3 : 0,
            ["calculated"] = false,
            ["calculatedFormula"] = null,
            ["cascadeDelete"] = false,
            ["caseSensitive"] = false,
            ["compoundFieldName"] = null,
            ["controllerName"] = null,
            ["createable"] = f.Createable,
            ["custom"] = custom,
            ["defaultValue"] = FieldValues.ToJson(f.DefaultValue),
            ["defaultValueFormula"] = null,
            ["defaultedOnCreate"] = f.DefaultValue != null || f.DefaultedOnCreate || f.Name == "Id",
            ["dependentPicklist"] = false,
            ["deprecatedAndHidden"] = false,
            ["digits"] = f.Type == FieldType.Int ? 9 : 0,
            ["displayLocationInDecimal"] = false,
            ["encrypted"] = false,
            ["externalId"] = f.ExternalId,
            ["extraTypeInfo"] = null,
            ["filterable"] = filterable,
            ["filteredLookupInfo"] = null,
            ["groupable"] = filterable && f.Type is not (FieldType.Double or FieldType.DateTime or FieldType.MultiPicklist),
            ["highScaleNumber"] = false,
            ["htmlFormatted"] = false,
            ["idLookup"] = f.Type == FieldType.Id || f.Unique || f.ExternalId || f.Name is "Email" or "Username" or "Name",
            ["inlineHelpText"] = null,
            ["label"] = f.Label,
            ["length"] = f.IsText ? f.Length : 0,
            ["mask"] = null,
            ["maskType"] = null,
            ["name"] = f.Name,
            ["nameField"] = isNameField,
            ["namePointing"] = f.Type == FieldType.Reference && f.ReferenceTo.Count > 1,
            ["nillable"] = f.Nillable && !f.RequiredOnCreate,
            ["permissionable"] = f.Nillable && !f.RequiredOnCreate && f.Createable,
            ["picklistValues"] = new JsonArray(f.PicklistValues.Select(v => (JsonNode)new JsonObject
            {
                ["active"] = true, ["defaultValue"] = Equals(f.DefaultValue, v), ["label"] = f.LabelOf(v), ["validFor"] = null, ["value"] = v,
            }).ToArray()),
            ["polymorphicForeignKey"] = f.Type == FieldType.Reference && f.ReferenceTo.Count > 1,
            ["precision"] = 0,
            ["queryByDistance"] = false,
            ["referenceTargetField"] = null,
            ["referenceTo"] = new JsonArray(f.ReferenceTo.Select(r => (JsonNode)r).ToArray()),
            ["relationshipName"] = f.RelationshipName,
            ["relationshipOrder"] = null,
            ["restrictedDelete"] = false,
            ["restrictedPicklist"] = f.RestrictedPicklist,
            ["scale"] = 0,
            ["searchPrefilterable"] = false,
            ["soapType"] = f.SoapType,
            ["sortable"] = filterable && f.Type != FieldType.MultiPicklist,
            ["type"] = f.DescribeType,
            ["unique"] = f.Unique,
            ["updateable"] = f.Updateable,
            ["writeRequiresMasterRead"] = false,
        };
    }

    /// <summary>The object's record types and the Master one every object has (the default when no other is).</summary>
    private JsonArray RecordTypeInfos(ObjectDefinition type, string version)
    {
        var recordTypes = Org.Scan(Org.Schema.Find("RecordType"))
            .Where(r => string.Equals(r.GetString("SobjectType"), type.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        JsonObject Info(string id, string name, string developerName, bool active, bool isDefault, bool master) => new()
        {
            ["active"] = active,
            ["available"] = active,
            ["defaultRecordTypeMapping"] = isDefault,
            ["developerName"] = developerName,
            ["master"] = master,
            ["name"] = name,
            ["recordTypeId"] = id,
            ["urls"] = new JsonObject { ["layout"] = $"/services/data/v{version}/sobjects/{type.Name}/describe/layouts/{id}" },
        };
        var infos = new JsonArray();
        var first = recordTypes.FirstOrDefault(r => r.GetBool("IsActive"));
        foreach (var recordType in recordTypes)
            infos.Add(Info(recordType.Id, recordType.GetString("Name"), recordType.GetString("DeveloperName"), recordType.GetBool("IsActive"), recordType == first, master: false));
        infos.Add(Info("012000000000000AAA", "Master", "Master", active: true, isDefault: first == null, master: true));
        return infos;
    }
}
