namespace SalesforceProvisioning.Emulator.Data;

/// <summary>The checks every field gets from its declaration: required, length, picklist, email and reference.</summary>
internal static class FieldValidator
{
    public static SalesforceError Validate(EmulatorOrg org, WriteContext write)
    {
        var missing = write.Type.Fields
            .Where(field => write.IsCreate ? field.RequiredOnCreate : write.IsChanged(field.Name) && (field.RequiredOnCreate || !field.Nillable))
            .Where(field => write.Get(field.Name) == null)
            .Select(field => field.Name)
            .ToArray();
        if (missing.Length > 0)
            return new SalesforceError("REQUIRED_FIELD_MISSING", $"Required fields are missing: [{string.Join(", ", missing)}]", missing);

        foreach (var field in write.Type.Fields)
        {
            if (!write.IsChanged(field.Name) || field.Name == "Id" || write.Get(field.Name) is not { } value) continue;
            var error = ValidateValue(org, write, field, value);
            if (error != null) return error;
        }
        return null;
    }

    private static SalesforceError ValidateValue(EmulatorOrg org, WriteContext write, FieldDefinition field, object value)
    {
        if (value is not string text) return null;
        if (field.Length > 0 && text.Length > field.Length && field.Type != FieldType.MultiPicklist)
            return new SalesforceError("STRING_TOO_LONG", $"{field.Label}: data value too large: {text} (max length={field.Length})", field.Name);

        switch (field.Type)
        {
            case FieldType.Picklist when field.RestrictedPicklist:
            {
                var canonical = field.PicklistValues.FirstOrDefault(v => string.Equals(v, text, StringComparison.OrdinalIgnoreCase));
                if (canonical == null) return BadPicklistValue(field, text);
                write.Values[field.Name] = canonical;
                break;
            }
            case FieldType.MultiPicklist:
            {
                var chosen = new List<string>();
                foreach (var item in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var canonical = field.PicklistValues.FirstOrDefault(v => string.Equals(v, item, StringComparison.OrdinalIgnoreCase));
                    if (canonical == null && field.RestrictedPicklist) return BadPicklistValue(field, item);
                    if (!chosen.Contains(canonical ?? item, StringComparer.OrdinalIgnoreCase)) chosen.Add(canonical ?? item);
                }
                write.Values[field.Name] = chosen.Count == 0 ? null : string.Join(';', chosen);
                break;
            }
            case FieldType.Reference:
                return ValidateReference(org, write, field, text);
        }

        if (field.EmailFormat && !FieldValues.IsEmail(text))
            return new SalesforceError("INVALID_EMAIL_ADDRESS", $"{field.Label}: invalid email address: {text}", field.Name);
        return null;
    }

    private static SalesforceError BadPicklistValue(FieldDefinition field, string value) =>
        new("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", $"{field.Label}: bad value for restricted picklist field: {value}", field.Name);

    private static SalesforceError ValidateReference(EmulatorOrg org, WriteContext write, FieldDefinition field, string text)
    {
        if (!SalesforceId.TryNormalize(text, out var id18))
            return new SalesforceError("MALFORMED_ID", $"{field.Label}: id value of incorrect type: {text}", field.Name);
        // A well-formed id of another object is a wrong-type lookup: FIELD_INTEGRITY_EXCEPTION, as real orgs answer.
        var target = org.Schema.FindByPrefix(id18);
        if (target == null || !field.ReferenceTo.Contains(target.Name, StringComparer.OrdinalIgnoreCase))
            return new SalesforceError("FIELD_INTEGRITY_EXCEPTION", $"{field.Label}: id value of incorrect type: {text}", field.Name);
        write.Values[field.Name] = id18;
        // Seeds may list records in any order, so only API writes insist that the target exists.
        if (write.Mode != WriteMode.Seed && org.FindById(id18) == null)
            return new SalesforceError("INVALID_CROSS_REFERENCE_KEY", $"invalid cross reference id", field.Name);
        return null;
    }
}
