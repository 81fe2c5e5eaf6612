using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Data;

/// <summary>
/// Loads seed JSON, <c>{"objects": {"Profile": [{...}], "User": [{...}], ...}}</c>, in an order that lets
/// records refer to the ones they depend on. Records may carry ids (15 or 18 characters); others get new ones.
/// </summary>
internal static class SeedLoader
{
    /// <summary>Parents before children; UserLogin rows exist once their users do, so seeds only update them.</summary>
    private static readonly string[] LoadOrder =
    {
        "Organization", "UserLicense", "UserRole", "Profile", "PermissionSetGroup", "PermissionSet", "PermissionSetLicense",
        "RecordType", "Account", "Contact", "User", "UserLogin", "Group", "GroupMember", "PermissionSetAssignment",
        "PermissionSetLicenseAssign", "LeadStatus", "Lead",
    };

    /// <summary>A seed read but not loaded: the org's shape (its schema) and its records.</summary>
    internal sealed record ParsedSeed(OrgShape Shape, JsonObject Objects);

    public static string DefaultSeedJson()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("DefaultSeed.json")
            ?? throw new InvalidOperationException("The default seed is missing from the emulator assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static ParsedSeed Parse(string json)
    {
        JsonNode root;
        try
        {
            root = JsonNode.Parse(json ?? "");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The seed is not valid JSON: {ex.Message}", ex);
        }
        if (root?["objects"] is not JsonObject objects)
            throw new InvalidDataException("The seed must be a JSON object with an \"objects\" object: {\"objects\":{\"User\":[{...}]}}.");
        foreach (var (key, _) in root.AsObject())
            if (key is not ("objects" or "org"))
                throw new InvalidDataException($"The seed has an unknown top-level key '{key}'. Known: org, objects.");
        if (root["org"] is { } org && org is not JsonObject)
            throw new InvalidDataException("The seed's \"org\" must be an object: {\"org\":{\"personAccounts\":true}}.");
        foreach (var (type, records) in objects)
        {
            if (!LoadOrder.Contains(type, StringComparer.OrdinalIgnoreCase))
                throw new InvalidDataException($"The seed names an unknown object type '{type}'. Known: {string.Join(", ", LoadOrder)}.");
            if (records is not JsonArray)
                throw new InvalidDataException($"The seed's '{type}' must be an array of records.");
        }
        return new ParsedSeed(OrgShape.Read(root["org"] as JsonObject, objects), objects);
    }

    public static void Load(EmulatorOrg org, ParsedSeed seed)
    {
        var tx = new OrgTransaction();
        var objects = seed.Objects;
        foreach (string type in LoadOrder)
        {
            var records = objects.FirstOrDefault(p => string.Equals(p.Key, type, StringComparison.OrdinalIgnoreCase)).Value as JsonArray;
            if (type == "User") EnsureIntegrationUser(org, tx, ref records);
            if (type == "LeadStatus" && !seed.Shape.SeedListsLeadStatuses)
                records = new JsonArray(seed.Shape.LeadStatuses.Select(s => (JsonNode)new JsonObject
                {
                    ["ApiName"] = s.ApiName, ["MasterLabel"] = s.MasterLabel, ["IsConverted"] = s.IsConverted,
                    ["IsDefault"] = s.IsDefault, ["SortOrder"] = s.SortOrder,
                }).ToArray());
            if (records == null)
            {
                if (type == "Organization") Create(org, tx, type, 0, new JsonObject { ["Name"] = "Emulator Org", ["OrganizationType"] = "Enterprise Edition", ["InstanceName"] = "EMU1" });
                continue;
            }
            for (int i = 0; i < records.Count; i++)
            {
                if (records[i] is not JsonObject record)
                    throw new InvalidDataException($"Seed {type} #{i}: a record must be a JSON object.");
                if (type == "UserLogin") UpdateUserLogin(org, tx, i, record);
                else Create(org, tx, type, i, record);
            }
        }
        org.AfterSeed();
    }

    private static void Create(EmulatorOrg org, OrgTransaction tx, string type, int index, JsonObject record)
    {
        var result = org.CreateRecord(tx, type, (JsonObject)record.DeepClone(), WriteMode.Seed);
        // A user's profile permission set assignment is made with the user; a seed that lists it too is fine.
        if (!result.Success && !(type == "PermissionSetAssignment" && result.Errors[0].StatusCode == "DUPLICATE_VALUE"))
            throw new InvalidDataException($"Seed {type} #{index}: {result.Errors[0].StatusCode}: {result.Errors[0].Message}");
    }

    private static void UpdateUserLogin(EmulatorOrg org, OrgTransaction tx, int index, JsonObject record)
    {
        string userId = SalesforceId.Normalize(record["UserId"]?.ToString());
        var login = org.Scan(org.Schema.Find("UserLogin")).FirstOrDefault(l => l.GetString("UserId") == userId)
            ?? throw new InvalidDataException($"Seed UserLogin #{index}: no seeded user has the id {record["UserId"]}.");
        var changes = (JsonObject)record.DeepClone();
        changes.Remove("UserId");
        changes.Remove("Id");
        var result = org.UpdateRecord(tx, "UserLogin", login.Id, changes, WriteMode.Seed);
        if (!result.Success)
            throw new InvalidDataException($"Seed UserLogin #{index}: {result.Errors[0].StatusCode}: {result.Errors[0].Message}");
    }

    /// <summary>Every seed gets the integration user the emulator's credentials belong to.</summary>
    private static void EnsureIntegrationUser(EmulatorOrg org, OrgTransaction tx, ref JsonArray users)
    {
        if (users != null && users.OfType<JsonObject>().Any(u =>
                string.Equals(u["Username"]?.ToString(), EmulatorOrg.IntegrationUsername, StringComparison.OrdinalIgnoreCase)))
            return;
        var profileType = org.Schema.Find("Profile");
        var admin = org.Scan(profileType).FirstOrDefault(p => p.GetString("Name") == "System Administrator");
        string adminId = admin?.Id ?? org.CreateRecord(tx, "Profile",
            new JsonObject { ["Name"] = "System Administrator", ["UserType"] = "Standard" }, WriteMode.Seed).Id;
        users = new JsonArray(users?.Select(u => u?.DeepClone()).ToArray() ?? Array.Empty<JsonNode>());
        users.Insert(0, new JsonObject
        {
            ["Username"] = EmulatorOrg.IntegrationUsername, ["FirstName"] = "API", ["LastName"] = "Integration",
            ["Email"] = EmulatorOrg.IntegrationUsername, ["Alias"] = "integ", ["TimeZoneSidKey"] = "GMT", ["LocaleSidKey"] = "en_US",
            ["EmailEncodingKey"] = "UTF-8", ["LanguageLocaleKey"] = "en_US", ["ProfileId"] = adminId,
        });
    }
}
