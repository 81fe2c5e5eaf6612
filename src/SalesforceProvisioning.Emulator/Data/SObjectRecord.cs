namespace SalesforceProvisioning.Emulator.Data;

/// <summary>One stored record: its type and field values keyed by canonical field name.</summary>
internal sealed class SObjectRecord
{
    public SObjectRecord(ObjectDefinition type, Dictionary<string, object> values)
    {
        Type = type;
        Values = values;
    }

    public ObjectDefinition Type { get; }
    public Dictionary<string, object> Values { get; }
    public string Id => (string)Values["Id"];

    public object Get(string field) => Values.TryGetValue(field, out var value) ? value : null;

    public string GetString(string field) => Get(field) as string;

    public bool GetBool(string field) => Get(field) is true;

    public SObjectRecord Clone() => new(Type, new Dictionary<string, object>(Values, StringComparer.OrdinalIgnoreCase));
}
