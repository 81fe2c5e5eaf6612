using System.Net;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Tests;

public sealed class SObjectTests : EmulatorTest
{
    private async Task<JsonNode> CreateUserFails(JsonObject user, string errorCode, params string[] fields)
    {
        var (status, body, _) = await Post($"{V}/sobjects/User", user);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(errorCode, ErrorCode(body));
        if (fields.Length > 0) Assert.Equal(fields, body[0]["fields"].AsArray().Select(f => f.ToString()));
        return body;
    }

    [Fact]
    public async Task Contact_create_read_update_clear_and_delete()
    {
        var created = await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "Crud", ["Phone"] = "555", ["AccountId"] = "001Em0000000001" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.True(created.Body["success"].GetValue<bool>());
        Assert.Empty(created.Body["errors"].AsArray());
        string id = created.Body["id"].ToString();
        Assert.StartsWith("003", id);
        Assert.Equal(18, id.Length);

        Assert.Equal(HttpStatusCode.NoContent, (await Patch($"{V}/sobjects/Contact/{id[..15]}", new JsonObject { ["Phone"] = null, ["FirstName"] = "Cara" })).Status);
        var (status, record, _) = await Get($"{V}/sobjects/Contact/{id}?fields=Name,Phone,LastModifiedDate");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Cara Crud", record["Name"].ToString());
        Assert.Null(record["Phone"]);
        Assert.Equal("Contact", record["attributes"]["type"].ToString());

        var required = await Patch($"{V}/sobjects/Contact/{id}", new JsonObject { ["LastName"] = null });
        Assert.Equal("REQUIRED_FIELD_MISSING", ErrorCode(required.Body));

        Assert.Equal(HttpStatusCode.NoContent, (await Delete($"{V}/sobjects/Contact/{id}")).Status);
        var gone = await Get($"{V}/sobjects/Contact/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        var unknown = await Get($"{V}/sobjects/Contact/003Em0000000999");
        Assert.Equal("NOT_FOUND", ErrorCode(unknown.Body));
        Assert.Equal(HttpStatusCode.NotFound, (await Get($"{V}/sobjects/Nope/003Em0000000999")).Status);
    }

    [Fact]
    public async Task Creating_a_user_derives_fields_and_adds_login_and_profile_permission_set()
    {
        var (status, body, _) = await Post($"{V}/sobjects/User", NewUser("new.user@emulator.example.com"));
        Assert.Equal(HttpStatusCode.Created, status);
        string id = body["id"].ToString();
        var user = (await Get($"{V}/sobjects/User/{id}")).Body;
        Assert.Equal("Terry Tester", user["Name"].ToString());
        Assert.Equal("Standard", user["UserType"].ToString());
        Assert.True(user["IsActive"].GetValue<bool>());
        Assert.Single((await Query($"SELECT Id FROM UserLogin WHERE UserId = '{id}' AND IsFrozen = false"))["records"].AsArray());
        Assert.Single((await Query($"SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '{id}' AND PermissionSet.IsOwnedByProfile = true"))["records"].AsArray());
    }

    [Fact]
    public async Task User_required_fields_are_listed()
    {
        var body = await CreateUserFails(new JsonObject { ["Username"] = "x@example.com" }, "REQUIRED_FIELD_MISSING");
        var fields = body[0]["fields"].AsArray().Select(f => f.ToString()).ToList();
        Assert.Equal(new[] { "LastName", "Email", "Alias", "TimeZoneSidKey", "LocaleSidKey", "EmailEncodingKey", "LanguageLocaleKey", "ProfileId" }, fields);
        Assert.StartsWith("Required fields are missing: [LastName, Email", body[0]["message"].ToString());
    }

    [Fact]
    public async Task User_field_formats_and_lengths_are_checked()
    {
        var username = await CreateUserFails(NewUser("not-an-email"), "INVALID_EMAIL_ADDRESS", "Username");
        Assert.Equal("Username: invalid email address: not-an-email", username[0]["message"].ToString());
        await CreateUserFails(NewUser("ok@example.com", u => u["Email"] = "bad@"), "INVALID_EMAIL_ADDRESS", "Email");
        var alias = await CreateUserFails(NewUser("ok@example.com", u => u["Alias"] = "ninechars"), "STRING_TOO_LONG", "Alias");
        Assert.Equal("Alias: data value too large: ninechars (max length=8)", alias[0]["message"].ToString());
        await CreateUserFails(NewUser("ok@example.com", u => u["Title"] = new string('t', 81)), "STRING_TOO_LONG", "Title");
        await CreateUserFails(NewUser("ok@example.com", u => u["TimeZoneSidKey"] = "Mars/Olympus"), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "TimeZoneSidKey");
        await CreateUserFails(NewUser("ok@example.com", u => u["LanguageLocaleKey"] = "xx"), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "LanguageLocaleKey");
        await CreateUserFails(NewUser("ok@example.com", u => u["Skills__c"] = "Apex;Juggling"), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Skills__c");
        var unknown = await CreateUserFails(NewUser("ok@example.com", u => u["Foo__c"] = "x"), "INVALID_FIELD", "Foo__c");
        Assert.Contains("No such column 'Foo__c'", unknown[0]["message"].ToString());
        await CreateUserFails(NewUser("ok@example.com", u => u["UserType"] = "Standard"), "INVALID_FIELD_FOR_INSERT_UPDATE", "UserType");
        await CreateUserFails(NewUser("ok@example.com", u => u["ProfileId"] = "00eEm0000000999"), "INVALID_CROSS_REFERENCE_KEY", "ProfileId");
        await CreateUserFails(NewUser("ok@example.com", u => u["ProfileId"] = "garbage"), "MALFORMED_ID", "ProfileId");
        await CreateUserFails(NewUser("ok@example.com", u => u["IsActive"] = "maybe"), "INVALID_TYPE_ON_FIELD_IN_RECORD", "IsActive");
    }

    [Fact]
    public async Task Usernames_and_external_ids_are_unique_ignoring_case()
    {
        var body = await CreateUserFails(NewUser("Alice.Active@Emulator.Example.com"), "DUPLICATE_USERNAME", "Username");
        Assert.StartsWith("Duplicate Username.<br>The username already exists in this or another Salesforce organization.", body[0]["message"].ToString());
        await CreateUserFails(NewUser("fresh@example.com", u => u["Employee_Id__c"] = "e-1001"), "DUPLICATE_VALUE", "Employee_Id__c");
        var renamed = await Patch($"{V}/sobjects/User/005Em0000000003", new JsonObject { ["Username"] = "ALICE.active@emulator.example.com" });
        Assert.Equal("DUPLICATE_USERNAME", ErrorCode(renamed.Body));
    }

    [Fact]
    public async Task Community_users_need_a_contact_that_only_create_can_set()
    {
        await CreateUserFails(NewUser("c1@example.com", u => u["ProfileId"] = CommunityProfileId), "FIELD_INTEGRITY_EXCEPTION", "ContactId");
        await CreateUserFails(NewUser("c2@example.com", u => u["ContactId"] = "003Em0000000003"), "FIELD_INTEGRITY_EXCEPTION", "ContactId");
        await CreateUserFails(NewUser("c3@example.com", u => { u["ProfileId"] = CommunityProfileId; u["ContactId"] = "003Em0000000001"; }),
            "PORTAL_USER_ALREADY_EXISTS_FOR_CONTACT");

        var created = await Post($"{V}/sobjects/User", NewUser("c4@example.com", u => { u["ProfileId"] = CommunityProfileId; u["ContactId"] = "003Em0000000003"; }));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var user = (await Get($"{V}/sobjects/User/{created.Body["id"]}?fields=UserType,AccountId")).Body;
        Assert.Equal("PowerCustomerSuccess", user["UserType"].ToString());
        Assert.Equal("001Em0000000001IAA", user["AccountId"].ToString());

        var update = await Patch($"{V}/sobjects/User/{created.Body["id"]}", new JsonObject { ["ContactId"] = "003Em0000000002" });
        Assert.Equal("INVALID_FIELD_FOR_INSERT_UPDATE", ErrorCode(update.Body));
        Assert.Equal("ContactId", update.Body[0]["fields"][0].ToString());
        await CreateUserFails(NewUser("g@example.com", u => u["ProfileId"] = GuestProfileId), "FIELD_INTEGRITY_EXCEPTION", "ProfileId");
    }

    [Fact]
    public async Task Users_cannot_be_deleted_only_deactivated()
    {
        var (status, body, _) = await Delete($"{V}/sobjects/User/{AliceId}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("INVALID_TYPE_FOR_OPERATION", ErrorCode(body));
        Assert.Equal("entity type cannot be deleted", body[0]["message"].ToString());
        Assert.Equal(HttpStatusCode.NoContent, (await Patch($"{V}/sobjects/User/{AliceId}", new JsonObject { ["IsActive"] = false })).Status);
        Assert.False((await Get($"{V}/sobjects/User/{AliceId}")).Body["IsActive"].GetValue<bool>());
    }

    [Fact]
    public async Task Changing_the_profile_moves_the_profile_permission_set_and_user_type_follows()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await Patch($"{V}/sobjects/User/{AliceId}", new JsonObject { ["ProfileId"] = "00eEm0000000001" })).Status);
        var sets = await Query($"SELECT PermissionSet.ProfileId FROM PermissionSetAssignment WHERE AssigneeId = '{AliceId}' AND PermissionSet.IsOwnedByProfile = true");
        Assert.Equal("00eEm0000000001IAA", Assert.Single(sets["records"].AsArray())["PermissionSet"]["ProfileId"].ToString());
    }

    [Fact]
    public async Task Accounts_leads_and_read_only_objects()
    {
        // A business-only org (the default) has no person fields at all.
        Assert.Equal("INVALID_FIELD", ErrorCode((await Post($"{V}/sobjects/Account", new JsonObject { ["FirstName"] = "Pat", ["LastName"] = "Person" })).Body));
        UsePersonAccounts();
        var business = await Post($"{V}/sobjects/Account", new JsonObject { ["Name"] = "Initrode" });
        Assert.Equal(HttpStatusCode.Created, business.Status);
        var person = await Post($"{V}/sobjects/Account", new JsonObject { ["FirstName"] = "Pat", ["LastName"] = "Person" });
        var read = (await Get($"{V}/sobjects/Account/{person.Body["id"]}")).Body;
        Assert.True(read["IsPersonAccount"].GetValue<bool>());
        Assert.Equal("Pat Person", read["Name"].ToString());
        Assert.Equal("REQUIRED_FIELD_MISSING", ErrorCode((await Post($"{V}/sobjects/Account", new JsonObject { ["Type"] = "Customer" })).Body));
        Assert.Equal("INVALID_FIELD_FOR_INSERT_UPDATE", ErrorCode((await Patch($"{V}/sobjects/Account/{business.Body["id"]}", new JsonObject { ["IsPersonAccount"] = true })).Body));

        Assert.Equal("REQUIRED_FIELD_MISSING", ErrorCode((await Post($"{V}/sobjects/Lead", new JsonObject { ["LastName"] = "NoCompany" })).Body));
        var lead = await Post($"{V}/sobjects/Lead", new JsonObject { ["LastName"] = "Lee", ["Company"] = "Co" });
        Assert.Equal("Open - Not Contacted", (await Get($"{V}/sobjects/Lead/{lead.Body["id"]}")).Body["Status"].ToString());
        var converted = await Patch($"{V}/sobjects/Lead/00QEm0000000002", new JsonObject { ["Title"] = "CEO" });
        Assert.Equal("CANNOT_UPDATE_CONVERTED_LEAD", ErrorCode(converted.Body));

        Assert.Equal("INVALID_TYPE_FOR_OPERATION", ErrorCode((await Post($"{V}/sobjects/Profile", new JsonObject())).Body));
        Assert.Equal("INVALID_FIELD", ErrorCode((await Post($"{V}/sobjects/Contact", new JsonObject { ["Id"] = "003Em0000000001", ["LastName"] = "x" })).Body));
        Assert.Equal("JSON_PARSER_ERROR", ErrorCode((await Post($"{V}/sobjects/Contact", "{not json")).Body));
    }
}
