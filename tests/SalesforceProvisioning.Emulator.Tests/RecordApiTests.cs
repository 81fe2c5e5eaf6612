using System.Net;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Tests;

/// <summary>Records as the REST API Developer Guide serves them: system fields, recycle bin, upsert, collections, recent items, describe.</summary>
public sealed class RecordApiTests : EmulatorTest
{
    private const string IntegrationUserId = "005Em0000000001IAA";

    private async Task<string> NewContact(string lastName, Action<JsonObject> change = null)
    {
        var contact = new JsonObject { ["LastName"] = lastName };
        change?.Invoke(contact);
        var created = await Post($"{V}/sobjects/Contact", contact);
        Assert.True(created.Status == HttpStatusCode.Created, created.Body?.ToJsonString());
        return created.Body!["id"]!.ToString();
    }

    [Fact]
    public async Task Every_record_carries_the_system_fields_and_owned_ones_an_owner()
    {
        string id = await NewContact("Audit");
        var read = (await Get($"{V}/sobjects/Contact/{id}")).Body!;
        Assert.False(read["IsDeleted"]!.GetValue<bool>());
        Assert.Equal(IntegrationUserId, read["OwnerId"]!.ToString());
        Assert.Equal(IntegrationUserId, read["CreatedById"]!.ToString());
        Assert.Equal(IntegrationUserId, read["LastModifiedById"]!.ToString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$", read["SystemModstamp"]!.ToString());
        Assert.Equal("Integration", (await Query($"SELECT Owner.LastName, CreatedBy.LastName FROM Contact WHERE Id = '{id}'"))["records"]![0]!["CreatedBy"]!["LastName"]!.ToString());

        var alice = await Post($"{V}/sobjects/Lead", new JsonObject { ["LastName"] = "Owned", ["Company"] = "C", ["OwnerId"] = AliceId });
        Assert.StartsWith(AliceId, (await Get($"{V}/sobjects/Lead/{alice.Body!["id"]}")).Body!["OwnerId"]!.ToString());
        foreach (var type in new[] { "Group", "PermissionSet", "LeadStatus", "UserLicense" })
        {
            var names = (await Get($"{V}/sobjects/{type}/describe")).Body!["fields"]!.AsArray().Select(f => f!["name"]!.ToString()).ToList();
            Assert.Superset(new HashSet<string> { "IsDeleted", "CreatedById", "CreatedDate", "LastModifiedById", "LastModifiedDate", "SystemModstamp" }, names.ToHashSet());
        }
        Assert.DoesNotContain("IsDeleted", (await Get($"{V}/sobjects/User/describe")).Body!["fields"]!.AsArray().Select(f => f!["name"]!.ToString()));
    }

    [Fact]
    public async Task Deleted_records_go_to_the_recycle_bin_where_query_all_and_get_deleted_find_them()
    {
        string since = DateTime.UtcNow.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        string until = DateTime.UtcNow.AddMinutes(2).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        string kept = await NewContact("Kept");
        string gone = await NewContact("Gone");
        Assert.Equal(HttpStatusCode.NoContent, (await Delete($"{V}/sobjects/Contact/{gone}")).Status);

        Assert.Empty((await Query($"SELECT Id FROM Contact WHERE Id = '{gone}'"))["records"]!.AsArray());
        var all = (await Get($"{V}/queryAll?q={Uri.EscapeDataString($"SELECT Id, LastName, IsDeleted FROM Contact WHERE LastName IN ('Kept', 'Gone') ORDER BY LastName")}")).Body!;
        Assert.Equal(new[] { "Gone", "Kept" }, all["records"]!.AsArray().Select(r => r!["LastName"]!.ToString()));
        Assert.True(all["records"]![0]!["IsDeleted"]!.GetValue<bool>());
        Assert.Single((await Get($"{V}/queryAll?q={Uri.EscapeDataString("SELECT Id FROM Contact WHERE IsDeleted = true")}")).Body!["records"]!.AsArray());
        Assert.Equal("ENTITY_IS_DELETED", ErrorCode((await Get($"{V}/sobjects/Contact/{gone}")).Body));

        var deleted = (await Get($"{V}/sobjects/Contact/deleted/?start={Uri.EscapeDataString(since)}&end={Uri.EscapeDataString(until)}")).Body!;
        Assert.Equal(gone, Assert.Single(deleted["deletedRecords"]!.AsArray())!["id"]!.ToString());
        Assert.Matches(@"\+0000$", deleted["deletedRecords"]![0]!["deletedDate"]!.ToString());
        Assert.NotNull(deleted["earliestDateAvailable"]);
        Assert.EndsWith(":00.000+0000", deleted["latestDateCovered"]!.ToString()); // seconds are ignored, as Salesforce does

        var updated = (await Get($"{V}/sobjects/Contact/updated/?start={Uri.EscapeDataString(since)}&end={Uri.EscapeDataString(until)}")).Body!;
        Assert.Contains(kept, updated["ids"]!.AsArray().Select(i => i!.ToString()));
        Assert.DoesNotContain(gone, updated["ids"]!.AsArray().Select(i => i!.ToString()));
        Assert.Equal("MISSING_ARGUMENT", ErrorCode((await Get($"{V}/sobjects/Contact/deleted/")).Body));

        // A rolled-back create never reaches the bin.
        await Post($"{V}/composite/sobjects", new JsonObject
        {
            ["allOrNone"] = true,
            ["records"] = new JsonArray(new JsonObject { ["attributes"] = new JsonObject { ["type"] = "Contact" }, ["LastName"] = "Rolled" }, new JsonObject { ["attributes"] = new JsonObject { ["type"] = "Contact" } }),
        });
        Assert.Empty((await Get($"{V}/queryAll?q={Uri.EscapeDataString("SELECT Id FROM Contact WHERE LastName = 'Rolled'")}")).Body!["records"]!.AsArray());
    }

    [Fact]
    public async Task Collections_retrieve_by_post_for_long_id_lists()
    {
        var body = new JsonObject { ["ids"] = new JsonArray("003Em0000000001", "003Em0000000002", "001Em0000000001"), ["fields"] = new JsonArray("LastName", "Email") };
        var (status, records, _) = await Post($"{V}/composite/sobjects/Contact", body);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Community", records![0]!["LastName"]!.ToString());
        Assert.Equal("paul.partner@example.com", records[1]!["Email"]!.ToString());
        Assert.Null(records[2]); // not a contact
        Assert.Equal("INVALID_FIELD", ErrorCode((await Post($"{V}/composite/sobjects/Contact", new JsonObject { ["ids"] = new JsonArray("003Em0000000001"), ["fields"] = new JsonArray("Nope") })).Body));
        // By POST up to 2,000 ids fit, where a URL holds far fewer.
        var many = new JsonArray(Enumerable.Range(0, 2000).Select(_ => (JsonNode)"003Em0000000001").ToArray());
        var big = await Post($"{V}/composite/sobjects/Contact", new JsonObject { ["ids"] = many, ["fields"] = new JsonArray("LastName") });
        Assert.Equal(2000, big.Body!.AsArray().Count);
        var tooMany = (JsonArray)many.DeepClone();
        tooMany.Add("003Em0000000002");
        Assert.Equal("EXCEEDED_ID_LIMIT", ErrorCode((await Post($"{V}/composite/sobjects/Contact", new JsonObject { ["ids"] = tooMany, ["fields"] = new JsonArray("LastName") })).Body));
    }

    [Fact]
    public async Task Upsert_by_external_id_creates_then_updates_and_reports_which()
    {
        var created = await Patch($"{V}/sobjects/User/Employee_Id__c/E-2001", NewUser("upsert@example.com"));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.True(created.Body!["created"]!.GetValue<bool>());
        string id = created.Body["id"]!.ToString();
        Assert.Equal("E-2001", (await Get($"{V}/sobjects/User/{id}")).Body!["Employee_Id__c"]!.ToString());

        var updated = await Patch($"{V}/sobjects/User/Employee_Id__c/e-2001", new JsonObject { ["Title"] = "Upserted" });
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.False(updated.Body!["created"]!.GetValue<bool>());
        Assert.Equal(id, updated.Body["id"]!.ToString());
        Assert.Equal("Upserted", (await Get($"{V}/sobjects/User/Employee_Id__c/E-2001")).Body!["Title"]!.ToString());

        var older = await Patch("/services/data/v45.0/sobjects/User/Employee_Id__c/E-2001", new JsonObject { ["Title"] = "Older API" });
        Assert.Equal(HttpStatusCode.OK, older.Status);
        Assert.False(older.Body!.AsObject().ContainsKey("created")); // "created" appears from API 46.0
        Assert.Equal(HttpStatusCode.NotFound, (await Patch($"{V}/sobjects/User/Nope__c/1", new JsonObject())).Status);
        Assert.Equal("INVALID_FIELD", ErrorCode((await Patch($"{V}/sobjects/User/Title/CTO", new JsonObject())).Body));
        Assert.Equal("REQUIRED_FIELD_MISSING", ErrorCode((await Patch($"{V}/sobjects/User/Employee_Id__c/E-2002", new JsonObject { ["LastName"] = "Only" })).Body));
    }

    [Fact]
    public async Task Upsert_on_a_non_unique_external_id_with_several_matches_answers_300()
    {
        var seed = DefaultSeed();
        seed["org"]!["fields"]!["Contact"] = JsonNode.Parse("""[ { "name": "Legacy_Id__c", "type": "string", "length": 20, "externalId": true } ]""");
        LoadSeed(seed);
        await NewContact("One", c => c["Legacy_Id__c"] = "L-1");
        await NewContact("Two", c => c["Legacy_Id__c"] = "L-1");
        var conflict = await Patch($"{V}/sobjects/Contact/Legacy_Id__c/L-1", new JsonObject { ["Title"] = "x" });
        Assert.Equal(HttpStatusCode.MultipleChoices, conflict.Status);
        Assert.Equal(2, conflict.Body!.AsArray().Count);
        Assert.StartsWith($"{V}/sobjects/Contact/003", conflict.Body[0]!.ToString());
    }

    [Fact]
    public async Task Collections_upsert_reports_created_per_record_and_refuses_a_key_given_twice()
    {
        JsonObject User(string username, string key) => WithType(NewUser(username, u => u["Employee_Id__c"] = key), "User");
        var first = await Patch($"{V}/composite/sobjects/User/Employee_Id__c", new JsonObject
        {
            ["allOrNone"] = false,
            ["records"] = new JsonArray(User("c1@example.com", "E-3001"), new JsonObject { ["attributes"] = new JsonObject { ["type"] = "User" }, ["Employee_Id__c"] = "E-1001", ["Title"] = "Boss" }),
        });
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.True(first.Body![0]!["created"]!.GetValue<bool>());
        Assert.False(first.Body[1]!["created"]!.GetValue<bool>());
        Assert.StartsWith(AliceId, first.Body[1]!["id"]!.ToString());
        Assert.Equal("Boss", (await Get($"{V}/sobjects/User/{AliceId}")).Body!["Title"]!.ToString());

        var twice = await Patch($"{V}/composite/sobjects/User/Employee_Id__c", new JsonObject
        {
            ["records"] = new JsonArray(User("c2@example.com", "E-3002"), User("c3@example.com", "e-3002"), new JsonObject { ["attributes"] = new JsonObject { ["type"] = "User" } }),
        });
        Assert.True(twice.Body![0]!["success"]!.GetValue<bool>());
        Assert.Equal("DUPLICATE_EXTERNAL_ID", twice.Body[1]!["errors"]![0]!["statusCode"]!.ToString());
        Assert.Equal("MISSING_ARGUMENT", twice.Body[2]!["errors"]![0]!["statusCode"]!.ToString());
        Assert.Equal("INVALID_FIELD", ErrorCode((await Patch($"{V}/composite/sobjects/User/Id", new JsonObject { ["records"] = new JsonArray() })).Body));
    }

    [Fact]
    public async Task Recent_items_are_what_for_view_and_for_reference_queries_marked()
    {
        Assert.Empty((await Get($"{V}/recent")).Body!.AsArray());
        await Query("SELECT Id FROM Account WHERE Name = 'Globex Partners' FOR VIEW");
        await Query("SELECT Id FROM Contact WHERE LastName = 'Community' FOR REFERENCE");
        var recent = (await Get($"{V}/recent")).Body!.AsArray();
        Assert.Equal(new[] { "Contact", "Account" }, recent.Select(r => r!["attributes"]!["type"]!.ToString()));
        Assert.Equal("Carla Community", recent[0]!["Name"]!.ToString());
        Assert.Single((await Get($"{V}/recent?limit=1")).Body!.AsArray());
        await Query("SELECT Id FROM Account WHERE Name = 'Acme Corporation'"); // a plain query marks nothing
        Assert.Equal(2, (await Get($"{V}/recent")).Body!.AsArray().Count);
    }

    [Fact]
    public async Task A_lookup_to_a_record_of_the_wrong_object_is_a_field_integrity_exception()
    {
        var wrong = await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "W", ["AccountId"] = AliceId });
        Assert.Equal("FIELD_INTEGRITY_EXCEPTION", ErrorCode(wrong.Body));
        Assert.Equal("Account ID: id value of incorrect type: " + AliceId, wrong.Body![0]!["message"]!.ToString());
        Assert.Equal("AccountId", wrong.Body[0]!["fields"]![0]!.ToString());
        Assert.Equal("MALFORMED_ID", ErrorCode((await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "W", ["AccountId"] = "not-an-id" })).Body));
    }

    [Fact]
    public async Task Describe_has_the_standard_keys_clients_read()
    {
        var describe = (await Get($"{V}/sobjects/Account/describe")).Body!;
        foreach (var key in new[] { "childRelationships", "recordTypeInfos", "fields", "urls", "labelPlural", "keyPrefix", "queryable", "searchable", "layoutable", "custom", "customSetting" })
            Assert.True(describe.AsObject().ContainsKey(key), key);
        var contacts = describe["childRelationships"]!.AsArray().Single(c => c!["relationshipName"]?.ToString() == "Contacts")!;
        Assert.Equal("Contact", contacts["childSObject"]!.ToString());
        Assert.Equal("AccountId", contacts["field"]!.ToString());
        var master = Assert.Single(describe["recordTypeInfos"]!.AsArray())!;
        Assert.True(master["master"]!.GetValue<bool>());
        Assert.Equal("012000000000000AAA", master["recordTypeId"]!.ToString());

        var fields = describe["fields"]!.AsArray().ToDictionary(f => f!["name"]!.ToString(), f => f!);
        Assert.True(fields["Name"]["nameField"]!.GetValue<bool>());
        Assert.Single(fields.Values, f => f["nameField"]!.GetValue<bool>());
        Assert.Equal("tns:ID", fields["Id"]["soapType"]!.ToString());
        Assert.Equal("xsd:string", fields["Name"]["soapType"]!.ToString());
        Assert.Equal("xsd:dateTime", fields["CreatedDate"]["soapType"]!.ToString());
        Assert.Equal("xsd:boolean", fields["IsDeleted"]["soapType"]!.ToString());
        Assert.False(fields["IsDeleted"]["defaultValue"]!.GetValue<bool>());
        Assert.True(fields["Name"]["filterable"]!.GetValue<bool>());
        Assert.True(fields["Name"]["sortable"]!.GetValue<bool>());
        Assert.Equal("Owner", fields["OwnerId"]["relationshipName"]!.ToString());
        foreach (var key in new[] { "aggregatable", "byteLength", "calculated", "caseSensitive", "defaultValue", "defaultedOnCreate", "dependentPicklist", "digits", "groupable", "htmlFormatted", "idLookup", "inlineHelpText", "namePointing", "nillable", "picklistValues", "polymorphicForeignKey", "precision", "referenceTo", "restrictedPicklist", "scale", "updateable", "writeRequiresMasterRead" })
            Assert.True(fields["Name"].AsObject().ContainsKey(key), key);
        Assert.Equal("Open - Not Contacted", (await Get($"{V}/sobjects/Lead/describe")).Body!["fields"]!.AsArray().Single(f => f!["name"]!.ToString() == "Status")!["defaultValue"]!.ToString());
    }
}

/// <summary>A cost per record written on top of the fixed latency, so a benchmark ranks strategies as an org would.</summary>
public sealed class PerRecordLatencyTests : EmulatorTest
{
    protected override EmulatorOptions Options => EmulatorOptions.Parse(new[] { "--latency-per-record-ms", "1" });

    [Fact]
    public async Task Each_request_counts_the_records_it_wrote_one_after_another()
    {
        Assert.Equal(1, Options.LatencyPerRecordMilliseconds);
        await Control("requests", method: HttpMethod.Delete);
        var records = new JsonArray(Enumerable.Range(0, 3).Select(i => (JsonNode)new JsonObject { ["attributes"] = new JsonObject { ["type"] = "Contact" }, ["LastName"] = $"L{i}" }).ToArray());
        await Post($"{V}/composite/sobjects", new JsonObject { ["allOrNone"] = false, ["records"] = records });
        await Post($"{V}/sobjects/Contact", new JsonObject { ["LastName"] = "One" });
        await Query("SELECT Id FROM Contact");
        // A rolled-back collection still cost the org its writes.
        await Post($"{V}/composite/sobjects", new JsonObject
        {
            ["allOrNone"] = true,
            ["records"] = new JsonArray(new JsonObject { ["attributes"] = new JsonObject { ["type"] = "Contact" }, ["LastName"] = "A" }, new JsonObject { ["attributes"] = new JsonObject { ["type"] = "Contact" } }),
        });
        var log = (await Control("requests", method: HttpMethod.Get))["requests"]!.AsArray();
        Assert.Equal(new[] { 3, 1, 0, 1 }, log.Select(e => e!["recordsProcessed"]!.GetValue<int>()));

        await Control("latency", new { ms = 0, perRecordMs = 0 }); // the control endpoint sets it at run time too
    }

    [Fact]
    public void The_emulators_own_work_on_a_request_counts_within_its_modelled_writing_time()
    {
        // An org works on concurrent requests in parallel; the emulator one at a time under its lock. What it spent on a
        // request (its lock wait and its work) is part of the modelled time, not added to it.
        Assert.Equal(TimeSpan.FromMilliseconds(2_600), Api.ApiHandler.WritingDelay(3, 1_000, TimeSpan.FromMilliseconds(400)));
        Assert.Equal(TimeSpan.FromMilliseconds(3_000), Api.ApiHandler.WritingDelay(3, 1_000, TimeSpan.Zero));
        Assert.Equal(TimeSpan.Zero, Api.ApiHandler.WritingDelay(3, 1_000, TimeSpan.FromSeconds(5))); // slower than the model: no more waiting
        Assert.Equal(TimeSpan.Zero, Api.ApiHandler.WritingDelay(0, 1_000, TimeSpan.Zero));
        Assert.Equal(TimeSpan.Zero, Api.ApiHandler.WritingDelay(3, 0, TimeSpan.Zero));
    }
}
