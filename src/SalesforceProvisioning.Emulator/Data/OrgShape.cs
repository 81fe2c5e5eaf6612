using System.Globalization;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Data;

/// <summary>A custom field an org adds to a standard object (seed <c>org.fields</c>).</summary>
internal sealed record CustomFieldSpec(string ObjectName, FieldDefinition Field);

/// <summary>A validation rule: when its condition is true for the record being saved, the save fails with its message.</summary>
internal sealed record ValidationRule(string ObjectName, string Name, ValidationFormula Condition, string ErrorMessage, string ErrorDisplayField);

/// <summary>One value of the org's lead status picklist (a LeadStatus row).</summary>
internal sealed record LeadStatusValue(string ApiName, string MasterLabel, bool IsConverted, bool IsDefault, int SortOrder);

/// <summary>
/// What makes one org differ from another, read from the seed's <c>"org"</c> object: Person Accounts on or off
/// (off unless the seed says <c>"personAccounts": true</c>, as in Salesforce), custom fields, validation rules,
/// and, from the seed's records, the lead status values and the objects that have record types.
/// </summary>
internal sealed class OrgShape
{
    public static readonly LeadStatusValue[] DefaultLeadStatuses =
    {
        new("Open - Not Contacted", "Open - Not Contacted", false, true, 1),
        new("Working - Contacted", "Working - Contacted", false, false, 2),
        new("Closed - Converted", "Closed - Converted", true, false, 3),
        new("Closed - Not Converted", "Closed - Not Converted", false, false, 4),
        new("Qualified", "Qualified", true, false, 5),
    };

    private static readonly string[] CustomizableObjects = { "User", "Contact", "Lead", "Account" };

    public bool PersonAccounts { get; private init; }
    public IReadOnlyList<CustomFieldSpec> CustomFields { get; private init; } = Array.Empty<CustomFieldSpec>();
    public IReadOnlyList<ValidationRule> ValidationRules { get; private init; } = Array.Empty<ValidationRule>();
    public IReadOnlyList<LeadStatusValue> LeadStatuses { get; private init; } = DefaultLeadStatuses;
    /// <summary>Whether the seed lists LeadStatus rows itself; otherwise the loader adds the default ones.</summary>
    public bool SeedListsLeadStatuses { get; private init; }
    public IReadOnlySet<string> ObjectsWithRecordTypes { get; private init; } = new HashSet<string>();

    public static OrgShape Read(JsonObject org, JsonObject objects)
    {
        org ??= new JsonObject();
        foreach (var (key, _) in org)
            if (key is not ("personAccounts" or "fields" or "validationRules"))
                throw new InvalidDataException($"The seed's \"org\" has an unknown setting '{key}'. Known: personAccounts, fields, validationRules.");

        var fields = new List<CustomFieldSpec>();
        if (org["fields"] is JsonObject byObject)
            foreach (var (objectName, list) in byObject)
            {
                string canonical = CustomizableObjects.FirstOrDefault(o => string.Equals(o, objectName, StringComparison.OrdinalIgnoreCase))
                    ?? throw new InvalidDataException($"Seed org.fields: custom fields can be added to {string.Join(", ", CustomizableObjects)}, not '{objectName}'.");
                foreach (var spec in (list as JsonArray ?? throw new InvalidDataException($"Seed org.fields.{objectName} must be an array.")).OfType<JsonObject>())
                    fields.Add(new CustomFieldSpec(canonical, ReadField(canonical, spec)));
            }

        var rules = new List<ValidationRule>();
        if (org["validationRules"] is JsonObject rulesByObject)
            foreach (var (objectName, list) in rulesByObject)
                foreach (var spec in (list as JsonArray ?? throw new InvalidDataException($"Seed org.validationRules.{objectName} must be an array.")).OfType<JsonObject>())
                {
                    if (spec["active"] is JsonValue active && active.TryGetValue(out bool isActive) && !isActive) continue;
                    string name = spec["fullName"]?.ToString() ?? spec["name"]?.ToString() ?? "Rule";
                    string formula = spec["errorConditionFormula"]?.ToString()
                        ?? throw new InvalidDataException($"Seed validation rule {objectName}.{name} needs an errorConditionFormula.");
                    rules.Add(new ValidationRule(objectName, name, ValidationFormula.Parse(formula, $"{objectName}.{name}"),
                        spec["errorMessage"]?.ToString() ?? $"{name} failed", spec["errorDisplayField"]?.ToString()));
                }

        var statuses = (objects["LeadStatus"] as JsonArray)?.OfType<JsonObject>().Select((s, i) => new LeadStatusValue(
            s["ApiName"]?.ToString() ?? s["MasterLabel"]?.ToString() ?? throw new InvalidDataException($"Seed LeadStatus #{i} needs a MasterLabel."),
            s["MasterLabel"]?.ToString() ?? s["ApiName"]!.ToString(),
            s["IsConverted"] is JsonValue c && c.TryGetValue(out bool converted) && converted,
            s["IsDefault"] is JsonValue d && d.TryGetValue(out bool isDefault) && isDefault,
            s["SortOrder"] is JsonValue o && o.TryGetValue(out int order) ? order : i + 1)).ToList();

        var recordTypeObjects = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var recordType in (objects["RecordType"] as JsonArray)?.OfType<JsonObject>() ?? Enumerable.Empty<JsonObject>())
            recordTypeObjects.Add(recordType["SobjectType"]?.ToString() ?? "");

        return new OrgShape
        {
            PersonAccounts = org["personAccounts"] is JsonValue flag && flag.TryGetValue(out bool on) && on,
            CustomFields = fields,
            ValidationRules = rules,
            LeadStatuses = statuses is { Count: > 0 } ? statuses : DefaultLeadStatuses,
            SeedListsLeadStatuses = statuses is { Count: > 0 },
            ObjectsWithRecordTypes = recordTypeObjects,
        };
    }

    private static FieldDefinition ReadField(string objectName, JsonObject spec)
    {
        string name = spec["name"]?.ToString() ?? spec["fullName"]?.ToString() ?? "";
        if (!name.EndsWith("__c", StringComparison.Ordinal) || name.Length < 4)
            throw new InvalidDataException($"Seed org.fields.{objectName}: custom field names end in __c, not '{name}'.");
        string typeName = spec["type"]?.ToString() ?? "string";
        var type = typeName.ToLowerInvariant() switch
        {
            "string" or "text" => FieldType.String,
            "email" => FieldType.Email,
            "boolean" or "checkbox" => FieldType.Boolean,
            "int" or "number" => FieldType.Int,
            "double" => FieldType.Double,
            "date" => FieldType.Date,
            "datetime" => FieldType.DateTime,
            "picklist" => FieldType.Picklist,
            "multipicklist" => FieldType.MultiPicklist,
            "phone" => FieldType.Phone,
            "textarea" => FieldType.TextArea,
            "reference" or "lookup" => FieldType.Reference,
            _ => throw new InvalidDataException($"Seed org.fields.{objectName}.{name}: unknown type '{typeName}'."),
        };
        bool required = Flag(spec, "required");
        int length = spec["length"] is JsonValue l && l.TryGetValue(out int given) ? given
            : type switch { FieldType.String => 255, FieldType.Email => 80, FieldType.Phone => 40, FieldType.TextArea => 255, FieldType.Picklist => 255, FieldType.MultiPicklist => 4099, FieldType.Reference => 18, _ => 0 };
        var values = (spec["picklistValues"] as JsonArray)?.Select(v => v?.ToString()).Where(v => v != null).ToArray() ?? Array.Empty<string>();
        var referenceTo = (spec["referenceTo"] as JsonArray)?.Select(v => v?.ToString()).ToArray()
            ?? (spec["referenceTo"]?.ToString() is { } single ? new[] { single } : Array.Empty<string>());
        if (type == FieldType.Reference && referenceTo.Length == 0)
            throw new InvalidDataException($"Seed org.fields.{objectName}.{name}: a lookup needs referenceTo.");
        object defaultValue = null;
        if (spec["defaultValue"] is JsonNode node && !FieldValues.TryFromJson(new FieldDefinition { Name = name, Type = type }, node, out defaultValue))
            throw new InvalidDataException($"Seed org.fields.{objectName}.{name}: the defaultValue is not a {typeName}.");
        if (type == FieldType.Boolean) defaultValue ??= false;
        return new FieldDefinition
        {
            Name = name,
            Label = spec["label"]?.ToString(),
            Type = type,
            Length = length,
            RequiredOnCreate = required,
            Nillable = !required && type != FieldType.Boolean,
            Unique = Flag(spec, "unique"),
            ExternalId = Flag(spec, "externalId"),
            EmailFormat = type == FieldType.Email,
            PicklistValues = values,
            RestrictedPicklist = Flag(spec, "restricted"),
            ReferenceTo = referenceTo,
            ChildRelationshipName = spec["childRelationshipName"]?.ToString(),
            DefaultValue = defaultValue,
        };
    }

    private static bool Flag(JsonObject spec, string name) => spec[name] is JsonValue v && v.TryGetValue(out bool b) && b;
}
