using System.Net;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Tests;

/// <summary>Orgs differ: the seed's "org" object and setup records shape the schema, as an admin's setup shapes a real org.</summary>
public sealed class OrgShapeTests : EmulatorTest
{
    private static JsonArray Fields(JsonNode describe) => describe["fields"]!.AsArray();

    private static JsonNode Field(JsonNode describe, string name) => Fields(describe).SingleOrDefault(f => f!["name"]!.ToString() == name);

    [Fact]
    public async Task Person_accounts_are_off_by_default_so_the_field_does_not_exist()
    {
        // Object Reference, "Person Account Record Types": IsPersonAccount exists only where Person Accounts are enabled.
        var describe = (await Get($"{V}/sobjects/Account/describe")).Body;
        Assert.Null(Field(describe, "IsPersonAccount"));
        Assert.Null(Field(describe, "PersonEmail"));
        Assert.False(describe["hasSubtypes"]!.GetValue<bool>());

        var (status, body) = await QueryRaw("SELECT Id, IsPersonAccount FROM Account");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("INVALID_FIELD", ErrorCode(body));
        Assert.EndsWith("No such column 'IsPersonAccount' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
            body![0]!["message"]!.ToString());
        Assert.Contains("ERROR at Row:1:Column:12", body[0]!["message"]!.ToString());

        UsePersonAccounts();
        describe = (await Get($"{V}/sobjects/Account/describe")).Body;
        Assert.Equal("boolean", Field(describe, "IsPersonAccount")!["type"]!.ToString());
        Assert.NotNull(Field(describe, "PersonContactId"));
        var person = (await Query("SELECT Name, IsPersonAccount FROM Account WHERE IsPersonAccount = true"))["records"]!.AsArray();
        Assert.Equal("Jane Doe", Assert.Single(person)!["Name"]!.ToString());
    }

    private static JsonObject SeedWithCustomFields()
    {
        var seed = DefaultSeed();
        seed["org"]!["fields"]!["Contact"] = JsonNode.Parse("""
            [ { "name": "Badge__c", "label": "Badge", "type": "string", "length": 12, "externalId": true, "unique": true },
              { "name": "Region_Code__c", "type": "string", "length": 10, "externalId": true },
              { "name": "Tier__c", "type": "picklist", "restricted": true, "picklistValues": ["Gold", "Silver"], "defaultValue": "Silver" },
              { "name": "Buddy__c", "type": "lookup", "referenceTo": "User", "childRelationshipName": "Buddies__r" } ]
            """);
        seed["org"]!["fields"]!["Lead"] = JsonNode.Parse("""[ { "name": "Score__c", "type": "int", "required": true } ]""");
        foreach (var lead in seed["objects"]!["Lead"]!.AsArray()) lead!["Score__c"] = 1; // a required field needs a value everywhere
        seed["org"]!["fields"]!["Account"] = JsonNode.Parse("""[ { "name": "Erp_Id__c", "type": "string", "length": 20, "externalId": true, "unique": true } ]""");
        return seed;
    }

    [Fact]
    public async Task Custom_fields_from_the_seed_are_described_written_and_queried_like_real_ones()
    {
        LoadSeed(SeedWithCustomFields());
        var describe = (await Get($"{V}/sobjects/Contact/describe")).Body;
        var badge = Field(describe, "Badge__c")!;
        Assert.True(badge["custom"]!.GetValue<bool>());
        Assert.True(badge["externalId"]!.GetValue<bool>());
        Assert.True(badge["unique"]!.GetValue<bool>());
        Assert.True(badge["idLookup"]!.GetValue<bool>());
        Assert.Equal(12, badge["length"]!.GetValue<int>());
        Assert.Equal("Silver", Field(describe, "Tier__c")!["defaultValue"]!.ToString());
        Assert.Equal("Buddy__r", Field(describe, "Buddy__c")!["relationshipName"]!.ToString());
        Assert.Equal("Employee Id", Field((await Get($"{V}/sobjects/User/describe")).Body, "Employee_Id__c")!["label"]!.ToString());

        var created = await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "Badger", ["Badge__c"] = "B-1", ["Buddy__c"] = AliceId });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var read = (await Query("SELECT Badge__c, Tier__c, Buddy__r.Username FROM Contact WHERE Badge__c = 'b-1'"))["records"]![0]!;
        Assert.Equal("Silver", read["Tier__c"]!.ToString());
        Assert.Equal("alice.active@emulator.example.com", read["Buddy__r"]!["Username"]!.ToString());
        var buddies = (await Query($"SELECT Username, (SELECT LastName FROM Buddies__r) FROM User WHERE Id = '{AliceId}'"))["records"]![0]!;
        Assert.Equal("Badger", buddies["Buddies__r"]!["records"]![0]!["LastName"]!.ToString());

        Assert.Equal("DUPLICATE_VALUE", ErrorCode((await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "Again", ["Badge__c"] = "B-1" })).Body));
        Assert.Equal("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", ErrorCode((await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "T", ["Tier__c"] = "Bronze" })).Body));
        Assert.Equal("INVALID_FIELD", ErrorCode((await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "T", ["Nope__c"] = "x" })).Body));

        // A universally required custom field is not nillable and is needed on create.
        var score = Field((await Get($"{V}/sobjects/Lead/describe")).Body, "Score__c")!;
        Assert.False(score["nillable"]!.GetValue<bool>());
        var missing = await Post($"{V}/sobjects/Lead", new JsonObject { ["LastName"] = "L", ["Company"] = "C" });
        Assert.Equal("REQUIRED_FIELD_MISSING", ErrorCode(missing.Body));
        Assert.Equal("Score__c", missing.Body![0]!["fields"]![0]!.ToString());
        Assert.Equal(HttpStatusCode.Created, (await Post($"{V}/sobjects/Lead", new JsonObject { ["LastName"] = "L", ["Company"] = "C", ["Score__c"] = 7 })).Status);
    }

    [Fact]
    public async Task Bad_org_shapes_are_refused_with_the_reason_and_the_org_stays_as_it_was()
    {
        var seed = DefaultSeed();
        seed["org"]!["fields"]!["Contact"] = JsonNode.Parse("""[ { "name": "NoSuffix", "type": "string" } ]""");
        var refused = Assert.Throws<InvalidDataException>(() => LoadSeed(seed));
        Assert.Contains("end in __c", refused.Message);

        seed = DefaultSeed();
        seed["org"]!["validationRules"] = JsonNode.Parse("""{ "Contact": [ { "fullName": "Bad", "errorConditionFormula": "VLOOKUP(Email)" } ] }""");
        Assert.Contains("VLOOKUP is not supported", Assert.Throws<InvalidDataException>(() => LoadSeed(seed)).Message);
        Assert.Equal(3, Emulator.Org.Count("Contact"));
    }

    [Fact]
    public async Task Validation_rules_refuse_saves_whose_condition_holds()
    {
        var seed = DefaultSeed();
        seed["org"]!["validationRules"] = JsonNode.Parse("""
            { "Contact": [
                { "fullName": "Reachable", "errorConditionFormula": "AND(ISBLANK(Email), ISBLANK(Phone))",
                  "errorMessage": "Give an email or a phone number.", "errorDisplayField": "Email" },
                { "fullName": "Old_Rule", "active": false, "errorConditionFormula": "TRUE", "errorMessage": "never" } ],
              "Lead": [
                { "fullName": "No_Test_Companies", "errorConditionFormula": "AND(NOT(ISNEW()), ISCHANGED(Company), BEGINS(Company, \"Test\"))",
                  "errorMessage": "Test companies are not leads." } ] }
            """);
        LoadSeed(seed);

        var refused = await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "Nobody" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("FIELD_CUSTOM_VALIDATION_EXCEPTION", ErrorCode(refused.Body));
        Assert.Equal("Give an email or a phone number.", refused.Body![0]!["message"]!.ToString());
        Assert.Equal("Email", refused.Body[0]!["fields"]![0]!.ToString());
        var ok = await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "Somebody", ["Phone"] = "555" });
        Assert.Equal(HttpStatusCode.Created, ok.Status);
        Assert.Equal("FIELD_CUSTOM_VALIDATION_EXCEPTION", ErrorCode((await Patch($"{V}/sobjects/Contact/{ok.Body!["id"]}", new JsonObject { ["Phone"] = null })).Body));

        var lead = await Post($"{V}/sobjects/Lead", new JsonObject { ["LastName"] = "L", ["Company"] = "Test Co" }); // ISNEW(): allowed on create
        Assert.Equal(HttpStatusCode.Created, lead.Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Patch($"{V}/sobjects/Lead/{lead.Body!["id"]}", new JsonObject { ["Title"] = "CTO" })).Status);
        var renamed = await Patch($"{V}/sobjects/Lead/{lead.Body["id"]}", new JsonObject { ["Company"] = "Testing Ltd" });
        Assert.Equal("Test companies are not leads.", renamed.Body![0]!["message"]!.ToString());
        Assert.Empty(renamed.Body[0]!["fields"]!.AsArray());
    }

    [Fact]
    public async Task The_orgs_lead_statuses_drive_the_status_picklist_its_default_and_conversion()
    {
        var seed = DefaultSeed();
        seed["objects"]!["LeadStatus"] = JsonNode.Parse("""
            [ { "ApiName": "New", "MasterLabel": "New enquiry", "SortOrder": 1 },
              { "ApiName": "Nurturing", "MasterLabel": "Nurturing", "IsDefault": true, "SortOrder": 2 },
              { "ApiName": "Won", "MasterLabel": "Won over", "IsConverted": true, "SortOrder": 3 } ]
            """);
        seed["objects"]!["Lead"] = new JsonArray();
        LoadSeed(seed);

        var statuses = (await Query("SELECT ApiName, MasterLabel, IsConverted, IsDefault, SortOrder FROM LeadStatus ORDER BY SortOrder"))["records"]!.AsArray();
        Assert.Equal(new[] { "New", "Nurturing", "Won" }, statuses.Select(s => s!["ApiName"]!.ToString()));
        Assert.True(statuses[2]!["IsConverted"]!.GetValue<bool>());
        Assert.Equal("Won", (await Query("SELECT ApiName FROM LeadStatus WHERE IsConverted = true"))["records"]![0]!["ApiName"]!.ToString());

        var status = Field((await Get($"{V}/sobjects/Lead/describe")).Body, "Status")!;
        Assert.Equal("Nurturing", status["defaultValue"]!.ToString());
        Assert.Equal("New enquiry", status["picklistValues"]![0]!["label"]!.ToString());

        var lead = await Post($"{V}/sobjects/Lead", new JsonObject { ["LastName"] = "L", ["Company"] = "C" });
        Assert.Equal("Nurturing", (await Query($"SELECT Status FROM Lead WHERE Id = '{lead.Body!["id"]}'"))["records"]![0]!["Status"]!.ToString());
        Assert.Equal("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", ErrorCode((await Post($"{V}/sobjects/Lead", new JsonObject { ["LastName"] = "L", ["Company"] = "C", ["Status"] = "Open - Not Contacted" })).Body));
        var fresh = await Post($"{V}/sobjects/Lead", new JsonObject { ["LastName"] = "N", ["Company"] = "C", ["Status"] = "New" });
        Assert.Equal("New enquiry", (await Query($"SELECT toLabel(Status) FROM Lead WHERE Id = '{fresh.Body!["id"]}'"))["records"]![0]!["Status"]!.ToString());
        Assert.Equal(new[] { "Won" }, Emulator.Org.Schema.ConvertedLeadStatuses);
    }

    [Fact]
    public async Task Record_types_appear_in_describe_and_a_record_type_must_belong_to_the_object()
    {
        var seed = DefaultSeed();
        seed["objects"]!["RecordType"] = JsonNode.Parse("""
            [ { "Id": "012Em0000000001", "Name": "Partner Contact", "DeveloperName": "Partner_Contact", "SobjectType": "Contact" },
              { "Id": "012Em0000000002", "Name": "Retired", "DeveloperName": "Retired", "SobjectType": "Contact", "IsActive": false },
              { "Id": "012Em0000000003", "Name": "Hot Lead", "DeveloperName": "Hot_Lead", "SobjectType": "Lead" } ]
            """);
        LoadSeed(seed);

        var describe = (await Get($"{V}/sobjects/Contact/describe")).Body;
        var infos = describe!["recordTypeInfos"]!.AsArray();
        Assert.Equal(new[] { "Partner Contact", "Retired", "Master" }, infos.Select(i => i!["name"]!.ToString()));
        Assert.True(infos[0]!["defaultRecordTypeMapping"]!.GetValue<bool>());
        Assert.True(infos[2]!["master"]!.GetValue<bool>());
        Assert.Equal("RecordType", Field(describe, "RecordTypeId")!["referenceTo"]![0]!.ToString());
        Assert.Null(Field((await Get($"{V}/sobjects/Account/describe")).Body, "RecordTypeId")); // no record types, no field

        Assert.Equal(HttpStatusCode.Created, (await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "P", ["RecordTypeId"] = "012Em0000000001" })).Status);
        foreach (var wrong in new[] { "012Em0000000002", "012Em0000000003" })
        {
            var refused = await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "P", ["RecordTypeId"] = wrong });
            Assert.Equal("INVALID_CROSS_REFERENCE_KEY", ErrorCode(refused.Body));
            Assert.Equal("RecordTypeId", refused.Body![0]!["fields"]![0]!.ToString());
        }
        var named = (await Query("SELECT LastName, RecordType.DeveloperName FROM Contact WHERE RecordTypeId != null"))["records"]!.AsArray();
        Assert.Equal("Partner_Contact", Assert.Single(named)!["RecordType"]!["DeveloperName"]!.ToString());
    }

    private static JsonObject SeedWithSeats(long salesforceSeats, long consoleSeats)
    {
        var seed = DefaultSeed();
        seed["objects"]!["UserLicense"]![0]!["TotalLicenses"] = salesforceSeats;
        seed["objects"]!["PermissionSetLicense"]![0]!["TotalLicenses"] = consoleSeats;
        return seed;
    }

    [Fact]
    public async Task User_licences_count_their_seats_and_a_full_licence_refuses_another_active_user()
    {
        // Active seeded users on the Salesforce licence: the integration user, Alice and Dan (Bob is inactive).
        LoadSeed(SeedWithSeats(salesforceSeats: 4, consoleSeats: 10));
        var licence = (await Query("SELECT Name, TotalLicenses, UsedLicenses FROM UserLicense WHERE Name = 'Salesforce'"))["records"]![0]!;
        Assert.Equal(3, licence["UsedLicenses"]!.GetValue<long>());
        Assert.Equal("Salesforce", (await Query($"SELECT Profile.UserLicense.Name FROM User WHERE Id = '{AliceId}'"))["records"]![0]!["Profile"]!["UserLicense"]!["Name"]!.ToString());

        Assert.Equal(HttpStatusCode.Created, (await Post($"{V}/sobjects/User", NewUser("fourth@example.com"))).Status);
        var full = await Post($"{V}/sobjects/User", NewUser("fifth@example.com"));
        Assert.Equal("LICENSE_LIMIT_EXCEEDED", ErrorCode(full.Body));
        Assert.Equal("License Limit Exceeded", full.Body![0]!["message"]!.ToString());
        Assert.Equal("LICENSE_LIMIT_EXCEEDED", ErrorCode((await Patch($"{V}/sobjects/User/005Em0000000003", new JsonObject { ["IsActive"] = true })).Body));

        // Deactivating frees a seat; an inactive user never takes one.
        Assert.Equal(HttpStatusCode.NoContent, (await Patch($"{V}/sobjects/User/005Em0000000004", new JsonObject { ["IsActive"] = false })).Status);
        Assert.Equal(3, (await Query("SELECT UsedLicenses FROM UserLicense WHERE Name = 'Salesforce'"))["records"]![0]!["UsedLicenses"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.Created, (await Post($"{V}/sobjects/User", NewUser("inactive@example.com", u => u["IsActive"] = false))).Status);
        Assert.Equal(HttpStatusCode.Created, (await Post($"{V}/sobjects/User", NewUser("fifth@example.com"))).Status);

        // A rolled-back collection gives its seats back.
        var rolledBack = await Post($"{V}/composite/sobjects", new JsonObject
        {
            ["allOrNone"] = true,
            ["records"] = new JsonArray(WithType(NewUser("r1@example.com", u => u["ProfileId"] = "00eEm0000000001"), "User")),
        });
        Assert.Equal("LICENSE_LIMIT_EXCEEDED", rolledBack.Body![0]!["errors"]![0]!["statusCode"]!.ToString());
        Assert.Equal(4, (await Query("SELECT UsedLicenses FROM UserLicense WHERE Name = 'Salesforce'"))["records"]![0]!["UsedLicenses"]!.GetValue<long>());
    }

    [Fact]
    public async Task Permission_set_licences_count_assignments_and_refuse_one_too_many()
    {
        LoadSeed(SeedWithSeats(salesforceSeats: 1000, consoleSeats: 3)); // Alice holds one seat already
        var assign = new JsonObject { ["AssigneeId"] = "005Em0000000004", ["PermissionSetLicenseId"] = "0PLEm0000000001" };
        var first = await Post($"{V}/sobjects/PermissionSetLicenseAssign", assign);
        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal("DUPLICATE_VALUE", ErrorCode((await Post($"{V}/sobjects/PermissionSetLicenseAssign", assign)).Body));
        Assert.Equal(HttpStatusCode.Created, (await Post($"{V}/sobjects/PermissionSetLicenseAssign", new JsonObject { ["AssigneeId"] = "005Em0000000001", ["PermissionSetLicenseId"] = "0PLEm0000000001" })).Status);
        var full = await Post($"{V}/sobjects/PermissionSetLicenseAssign", new JsonObject { ["AssigneeId"] = "005Em0000000005", ["PermissionSetLicenseId"] = "0PLEm0000000001" });
        Assert.Equal("LICENSE_LIMIT_EXCEEDED", ErrorCode(full.Body));

        var holders = (await Query("SELECT Assignee.Username FROM PermissionSetLicenseAssign WHERE PermissionSetLicense.DeveloperName = 'SalesConsoleUser' ORDER BY Assignee.Username"))["records"]!.AsArray();
        Assert.Equal(new[] { "alice.active@emulator.example.com", "dan.obrien@emulator.example.com", "integration@emulator.example.com" },
            holders.Select(h => h!["Assignee"]!["Username"]!.ToString()));
        Assert.Equal(HttpStatusCode.NoContent, (await Delete($"{V}/sobjects/PermissionSetLicenseAssign/{first.Body!["id"]}")).Status);
        Assert.Equal(2, (await Query("SELECT UsedLicenses FROM PermissionSetLicense"))["records"]![0]!["UsedLicenses"]!.GetValue<long>());
    }

    /// <summary>
    /// Salesforce Help, "Permission Set Licenses": a permission set that needs a permission set licence (PermissionSet.LicenseId)
    /// is an assignment error without it; "Remove a Permission Set License from a User": the sets that need it go first.
    /// </summary>
    [Fact]
    public async Task A_permission_set_that_needs_a_licence_is_refused_without_it_and_the_licence_stays_while_the_set_is_assigned()
    {
        var seed = DefaultSeed();
        seed["objects"]!["PermissionSet"]!.AsArray().Add(new JsonObject { ["Id"] = "0PSEm0000000301", ["Name"] = "Console_Agent", ["Label"] = "Console Agent", ["LicenseId"] = "0PLEm0000000001" });
        LoadSeed(seed);
        var set = new JsonObject { ["AssigneeId"] = "005Em0000000004", ["PermissionSetId"] = "0PSEm0000000301" };
        var refused = await Post($"{V}/sobjects/PermissionSetAssignment", set);
        Assert.Equal("FIELD_INTEGRITY_EXCEPTION", ErrorCode(refused.Body));
        Assert.Contains("requires the permission set license Sales Console User", refused.Body![0]!["message"]!.ToString());

        var licence = await Post($"{V}/sobjects/PermissionSetLicenseAssign", new JsonObject { ["AssigneeId"] = "005Em0000000004", ["PermissionSetLicenseId"] = "0PLEm0000000001" });
        Assert.Equal(HttpStatusCode.Created, licence.Status);
        var assigned = await Post($"{V}/sobjects/PermissionSetAssignment", (JsonObject)set.DeepClone());
        Assert.Equal(HttpStatusCode.Created, assigned.Status);
        Assert.Equal("Console_Agent", (await Query("SELECT PermissionSet.LicenseId, PermissionSet.Name FROM PermissionSetAssignment WHERE AssigneeId = '005Em0000000004' AND PermissionSet.LicenseId != null"))["records"]![0]!["PermissionSet"]!["Name"]!.ToString());

        var held = await Delete($"{V}/sobjects/PermissionSetLicenseAssign/{licence.Body!["id"]}");
        Assert.Equal("FIELD_INTEGRITY_EXCEPTION", ErrorCode(held.Body));
        Assert.Equal(HttpStatusCode.NoContent, (await Delete($"{V}/sobjects/PermissionSetAssignment/{assigned.Body!["id"]}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Delete($"{V}/sobjects/PermissionSetLicenseAssign/{licence.Body!["id"]}")).Status);
    }

    [Fact]
    public async Task Roles_and_permission_set_groups_are_part_of_the_org()
    {
        var roles = (await Query("SELECT Name, ParentRole.Name FROM UserRole WHERE ParentRoleId != null"))["records"]!.AsArray();
        Assert.Equal("CEO", Assert.Single(roles)!["ParentRole"]!["Name"]!.ToString());
        var users = (await Query("SELECT Name, (SELECT Username FROM Users) FROM UserRole WHERE DeveloperName = 'SalesManager'"))["records"]![0]!;
        Assert.Equal("alice.active@emulator.example.com", users["Users"]!["records"]![0]!["Username"]!.ToString());
        Assert.Equal("Sales Bundle", (await Query("SELECT MasterLabel FROM PermissionSetGroup"))["records"]![0]!["MasterLabel"]!.ToString());
    }

    [Fact]
    public async Task Validation_formulas_compare_match_and_measure()
    {
        var seed = DefaultSeed();
        seed["org"]!["validationRules"] = JsonNode.Parse("""
            { "Contact": [
                { "fullName": "Phone_Digits", "errorConditionFormula": "AND(NOT(ISBLANK(Phone)), NOT(REGEX(Phone, \"[0-9 +]+\")))", "errorMessage": "digits only" },
                { "fullName": "Short_Title", "errorConditionFormula": "LEN(Title) > 10", "errorMessage": "title too long" },
                { "fullName": "No_Test", "errorConditionFormula": "CONTAINS(LastName, 'TEST')", "errorMessage": "no tests" },
                { "fullName": "Web_Needs_Email", "errorConditionFormula": "AND(ISPICKVAL(LeadSource, \"Web\"), Email == NULL)", "errorMessage": "web leads need an email" } ] }
            """);
        LoadSeed(seed);
        async Task<string> Message(JsonObject contact) => (await Post($"{V}/sobjects/Contact", contact)).Body![0]!["message"]?.ToString();
        Assert.Equal("digits only", await Message(new JsonObject { ["LastName"] = "A", ["Phone"] = "call me" }));
        Assert.Equal("title too long", await Message(new JsonObject { ["LastName"] = "A", ["Title"] = "Chief Everything Officer" }));
        Assert.Equal("no tests", await Message(new JsonObject { ["LastName"] = "A TEST" }));
        Assert.Equal("web leads need an email", await Message(new JsonObject { ["LastName"] = "A", ["LeadSource"] = "Web" }));
        var fine = await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "A test", ["Phone"] = "+44 20 7946 0000", ["Title"] = "CTO", ["LeadSource"] = "Web", ["Email"] = "a@example.com" });
        Assert.Equal(HttpStatusCode.Created, fine.Status);
    }

    [Fact]
    public async Task A_person_account_record_type_makes_a_person_account()
    {
        var seed = JsonNode.Parse(PersonAccountsSeed())!.AsObject();
        seed["objects"]!["RecordType"] = JsonNode.Parse("""
            [ { "Id": "012Em0000000011", "Name": "Person Account", "DeveloperName": "PersonAccount", "SobjectType": "Account", "IsPersonType": true },
              { "Id": "012Em0000000012", "Name": "Business", "DeveloperName": "Business", "SobjectType": "Account" } ]
            """);
        LoadSeed(seed);
        var person = await Post($"{V}/sobjects/Account", new JsonObject { ["RecordTypeId"] = "012Em0000000011", ["LastName"] = "Typed" });
        Assert.True((await Get($"{V}/sobjects/Account/{person.Body!["id"]}")).Body!["IsPersonAccount"]!.GetValue<bool>());
        var business = await Post($"{V}/sobjects/Account", new JsonObject { ["RecordTypeId"] = "012Em0000000012", ["Name"] = "Typed Ltd" });
        Assert.False((await Get($"{V}/sobjects/Account/{business.Body!["id"]}")).Body!["IsPersonAccount"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Moving_an_active_user_onto_a_full_licence_is_refused()
    {
        var seed = DefaultSeed();
        seed["objects"]!["UserLicense"]![1]!["TotalLicenses"] = 1; // Customer Community: Carla holds the only seat
        seed["objects"]!["Profile"]!.AsArray().Add(new JsonObject { ["Id"] = "00eEm0000000009", ["Name"] = "Other Community", ["UserType"] = "PowerCustomerSuccess", ["UserLicenseId"] = "100Em0000000002" });
        LoadSeed(seed);
        var moved = await Patch($"{V}/sobjects/User/005Em0000000005", new JsonObject { ["ProfileId"] = "00eEm0000000009" }); // same licence: no new seat
        Assert.Equal(HttpStatusCode.NoContent, moved.Status);
        var contact = await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "Portal", ["AccountId"] = "001Em0000000001" });
        var community = await Post($"{V}/sobjects/User", NewUser("portal@example.com", u => { u["ProfileId"] = "00eEm0000000004"; u["ContactId"] = contact.Body!["id"]!.ToString(); }));
        Assert.Equal(HttpStatusCode.Created, community.Status); // Customer Community Login has seats
        Assert.Equal("LICENSE_LIMIT_EXCEEDED", ErrorCode((await Patch($"{V}/sobjects/User/{community.Body!["id"]}", new JsonObject { ["ProfileId"] = "00eEm0000000003" })).Body));
    }

    [Fact]
    public async Task A_person_account_has_its_person_contact_and_holds_no_other()
    {
        UsePersonAccounts();
        var jane = (await Query("SELECT PersonContactId, (SELECT Name, Email, IsPersonAccount FROM Contacts) FROM Account WHERE LastName = 'Doe'"))["records"]![0]!;
        var contact = Assert.Single(jane["Contacts"]!["records"]!.AsArray())!;
        Assert.Equal("Jane Doe", contact["Name"]!.ToString());
        Assert.Equal("jane.doe@example.com", contact["Email"]!.ToString());
        Assert.True(contact["IsPersonAccount"]!.GetValue<bool>());
        string contactId = jane["PersonContactId"]!.ToString();
        Assert.StartsWith("003", contactId);

        Assert.Equal(HttpStatusCode.NoContent, (await Patch($"{V}/sobjects/Account/001Em0000000002", new JsonObject { ["PersonEmail"] = "jane@example.org" })).Status);
        Assert.Equal("jane@example.org", (await Get($"{V}/sobjects/Contact/{contactId}")).Body!["Email"]!.ToString());
        Assert.Equal("INVALID_FIELD_FOR_INSERT_UPDATE", ErrorCode((await Patch($"{V}/sobjects/Contact/{contactId}", new JsonObject { ["Title"] = "CEO" })).Body));
        Assert.Equal("FIELD_INTEGRITY_EXCEPTION", ErrorCode((await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "Other", ["AccountId"] = "001Em0000000002" })).Body));

        var pat = await Post($"{V}/sobjects/Account", new JsonObject { ["FirstName"] = "Pat", ["LastName"] = "Person" });
        Assert.Single((await Query($"SELECT Id FROM Contact WHERE AccountId = '{pat.Body!["id"]}' AND IsPersonAccount = true"))["records"]!.AsArray());
        Assert.Equal(HttpStatusCode.NoContent, (await Delete($"{V}/sobjects/Account/{pat.Body["id"]}")).Status);
        Assert.Empty((await Query($"SELECT Id FROM Contact WHERE AccountId = '{pat.Body["id"]}'"))["records"]!.AsArray());
    }
}
