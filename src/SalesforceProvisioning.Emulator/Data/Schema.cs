using System.Text.RegularExpressions;

namespace SalesforceProvisioning.Emulator.Data;

public enum FieldType
{
    Id, String, Email, Boolean, Int, Double, DateTime, Date, Reference, Picklist, MultiPicklist, Phone, TextArea,
}

/// <summary>One field of an sObject, declared the way describe reports it.</summary>
public sealed record FieldDefinition
{
    public string Name { get; init; }
    public string Label { get; init; }
    public FieldType Type { get; init; }
    public int Length { get; init; }
    public bool RequiredOnCreate { get; init; }
    public bool Createable { get; init; } = true;
    public bool Updateable { get; init; } = true;
    public bool Nillable { get; init; } = true;
    public bool Unique { get; init; }
    public bool ExternalId { get; init; }
    /// <summary>Error code a duplicate value answers with (DUPLICATE_VALUE unless the object says otherwise).</summary>
    public string DuplicateErrorCode { get; init; } = "DUPLICATE_VALUE";
    /// <summary>Message a duplicate answers with; null gives the generic "duplicate value found" text.</summary>
    public string DuplicateMessage { get; init; }
    /// <summary>Values must look like an email address (Email fields, and User.Username).</summary>
    public bool EmailFormat { get; init; }
    public IReadOnlyList<string> ReferenceTo { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> PicklistValues { get; init; } = Array.Empty<string>();
    public bool RestrictedPicklist { get; init; }
    public object DefaultValue { get; init; }
    /// <summary>The platform fills it on create when the input does not (describe's defaultedOnCreate).</summary>
    public bool DefaultedOnCreate { get; init; }
    /// <summary>Picklist labels by value where they differ from the value (toLabel, describe).</summary>
    public IReadOnlyDictionary<string, string> PicklistLabels { get; init; }
    /// <summary>The name parent-to-child subqueries use for the records this reference field gathers (Account.Contacts).</summary>
    public string ChildRelationshipName { get; init; }

    /// <summary>Name of the relationship this reference field opens in SOQL: ProfileId gives Profile, Buddy__c gives Buddy__r.</summary>
    public string RelationshipName =>
        Type != FieldType.Reference ? null
        : Name.EndsWith("__c", StringComparison.Ordinal) ? Name[..^3] + "__r"
        : Name.EndsWith("Id", StringComparison.Ordinal) && Name.Length > 2 ? Name[..^2] : null;

    public string LabelOf(string value) =>
        value != null && PicklistLabels != null && PicklistLabels.TryGetValue(value, out var label) ? label : value;

    /// <summary>The SOAP type describe reports (xsd:string, tns:ID, ...), which clients such as jsforce read.</summary>
    public string SoapType => Type switch
    {
        FieldType.Id or FieldType.Reference => "tns:ID",
        FieldType.Boolean => "xsd:boolean",
        FieldType.Int => "xsd:int",
        FieldType.Double => "xsd:double",
        FieldType.DateTime => "xsd:dateTime",
        FieldType.Date => "xsd:date",
        _ => "xsd:string",
    };

    public bool IsText => Type is FieldType.Id or FieldType.String or FieldType.Email or FieldType.Reference
        or FieldType.Picklist or FieldType.MultiPicklist or FieldType.Phone or FieldType.TextArea;

    public bool IsReadOnly => !Createable && !Updateable;

    public string DescribeType => Type switch
    {
        FieldType.Id => "id",
        FieldType.String => "string",
        FieldType.Email => "email",
        FieldType.Boolean => "boolean",
        FieldType.Int => "int",
        FieldType.Double => "double",
        FieldType.DateTime => "datetime",
        FieldType.Date => "date",
        FieldType.Reference => "reference",
        FieldType.Picklist => "picklist",
        FieldType.MultiPicklist => "multipicklist",
        FieldType.Phone => "phone",
        FieldType.TextArea => "textarea",
        _ => "anyType",
    };
}

/// <summary>A set of fields whose combined values must be unique (case-insensitive) within an object.</summary>
/// <remarks><c>DuplicateMessage</c> gets the id of the record that already holds the value, and the value.</remarks>
public sealed record UniqueKey(IReadOnlyList<string> Fields, string ErrorCode, Func<string, string, string> DuplicateMessage);

/// <summary>An sObject type: its key prefix, what the API may do with it and its fields.</summary>
public sealed class ObjectDefinition
{
    private readonly Dictionary<string, FieldDefinition> fieldsByName = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<FieldDefinition> fields = new();
    private readonly List<UniqueKey> uniqueKeys = new();

    public ObjectDefinition(string name, string label, string keyPrefix, bool isSetupObject)
    {
        Name = name;
        Label = label;
        KeyPrefix = keyPrefix;
        IsSetupObject = isSetupObject;
        Add(new FieldDefinition { Name = "Id", Label = label + " ID", Type = FieldType.Id, Length = 18, Createable = false, Updateable = false, Nillable = false });
    }

    public string Name { get; }
    public string Label { get; }
    public string KeyPrefix { get; }
    /// <summary>Setup objects cannot be written in the same transaction as non-setup objects (MIXED_DML_OPERATION).</summary>
    public bool IsSetupObject { get; }
    public bool Createable { get; init; } = true;
    public bool Updateable { get; init; } = true;
    public bool Deletable { get; init; } = true;
    public IReadOnlyList<FieldDefinition> Fields => fields;
    public IReadOnlyList<UniqueKey> UniqueKeys => uniqueKeys;
    /// <summary>The org's active validation rules on this object (seed org.validationRules).</summary>
    internal List<ValidationRule> ValidationRules { get; } = new();

    public FieldDefinition FindField(string name) => name != null && fieldsByName.TryGetValue(name, out var field) ? field : null;

    /// <summary>The reference field whose relationship name is <paramref name="relationshipName"/>, if any.</summary>
    public FieldDefinition FindRelationship(string relationshipName) =>
        fields.FirstOrDefault(f => string.Equals(f.RelationshipName, relationshipName, StringComparison.OrdinalIgnoreCase));

    public ObjectDefinition Add(FieldDefinition field)
    {
        var labelled = field.Label == null ? field with { Label = Humanize(field.Name) } : field;
        fields.Add(labelled);
        fieldsByName[labelled.Name] = labelled;
        if (labelled.Unique)
            uniqueKeys.Add(new UniqueKey(new[] { labelled.Name }, labelled.DuplicateErrorCode,
                (existingId, value) => labelled.DuplicateMessage
                    ?? $"duplicate value found: {labelled.Name} duplicates value on record with id: {existingId}"));
        return this;
    }

    public ObjectDefinition AddUniqueKey(UniqueKey key)
    {
        uniqueKeys.Add(key);
        return this;
    }

    /// <summary>
    /// Adds the audit fields every sObject carries (Object Reference, "System Fields"): IsDeleted (not on User,
    /// which is never deleted), CreatedById, CreatedDate, LastModifiedById, LastModifiedDate, SystemModstamp.
    /// </summary>
    public ObjectDefinition WithSystemFields()
    {
        if (Name != "User")
            Add(new FieldDefinition { Name = "IsDeleted", Label = "Deleted", Type = FieldType.Boolean, Createable = false, Updateable = false, Nillable = false, DefaultValue = false });
        foreach (var (name, label) in new[] { ("CreatedById", "Created By ID"), ("LastModifiedById", "Last Modified By ID") })
            Add(new FieldDefinition
            {
                Name = name, Label = label, Type = FieldType.Reference, Length = 18, ReferenceTo = new[] { "User" },
                Createable = false, Updateable = false, Nillable = false, DefaultedOnCreate = true,
            });
        foreach (var name in new[] { "CreatedDate", "LastModifiedDate", "SystemModstamp" })
            Add(new FieldDefinition { Name = name, Type = FieldType.DateTime, Createable = false, Updateable = false, Nillable = false, DefaultedOnCreate = true });
        return this;
    }

    /// <summary>The field describe marks nameField: Name where the object has one, else its label field.</summary>
    public FieldDefinition NameField =>
        FindField("Name") ?? FindField("MasterLabel") ?? FindField("DeveloperName") ?? FindField("Id");

    private static string Humanize(string apiName)
    {
        string name = apiName.EndsWith("__c", StringComparison.Ordinal) ? apiName[..^3].Replace('_', ' ') : apiName;
        return Regex.Replace(name, "(?<=[a-z])(?=[A-Z])", " ");
    }
}
