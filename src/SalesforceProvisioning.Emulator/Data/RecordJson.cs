using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Data;

/// <summary>Records in the REST API's shape: an "attributes" object, then the fields under their canonical names.</summary>
internal static class RecordJson
{
    public const string DefaultVersion = "62.0";

    public static JsonObject Attributes(ObjectDefinition type, string id, string apiVersion) => new()
    {
        ["type"] = type.Name,
        ["url"] = $"/services/data/v{apiVersion}/sobjects/{type.Name}/{id}",
    };

    /// <summary>The record with all its fields, or with <paramref name="fields"/> (already validated) only.</summary>
    public static JsonObject ToJson(SObjectRecord record, string apiVersion, IReadOnlyList<FieldDefinition> fields)
    {
        var json = new JsonObject { ["attributes"] = Attributes(record.Type, record.Id, apiVersion) };
        foreach (var field in fields ?? record.Type.Fields)
            json[field.Name] = FieldValues.ToJson(record.Get(field.Name));
        return json;
    }
}
