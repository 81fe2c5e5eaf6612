using System.Net;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Tests;

/// <summary>SOQL as the SOQL and SOSL Reference defines it: relationships, aggregates, date literals, joins, FIELDS(), toLabel().</summary>
public sealed class SoqlFeatureTests : EmulatorTest
{
    private const string AcmeId = "001Em0000000001";

    private async Task<JsonArray> Records(string soql) => (await Query(soql))["records"]!.AsArray();

    private async Task<string> Error(string soql)
    {
        var (status, body) = await QueryRaw(soql);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        return ErrorCode(body);
    }

    [Fact]
    public async Task Child_to_parent_paths_follow_standard_relationships()
    {
        var alice = (await Records($"SELECT Profile.Name, Profile.UserLicense.Name, Manager.Username, UserRole.Name FROM User WHERE Id = '{AliceId}'"))[0]!;
        Assert.Equal("Standard User", alice["Profile"]!["Name"]!.ToString());
        Assert.Equal("Salesforce", alice["Profile"]!["UserLicense"]!["Name"]!.ToString());
        Assert.Equal("integration@emulator.example.com", alice["Manager"]!["Username"]!.ToString());
        Assert.Equal("Sales Manager", alice["UserRole"]!["Name"]!.ToString());

        var assignments = await Records("SELECT Assignee.Username, PermissionSet.Name FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = false ORDER BY Assignee.Username");
        Assert.Equal(new[] { "alice.active@emulator.example.com", "bob.inactive@emulator.example.com" }, assignments.Select(a => a!["Assignee"]!["Username"]!.ToString()));
        Assert.Null((await Records("SELECT Manager.Username FROM User WHERE Username = 'dan.obrien@emulator.example.com'"))[0]!["Manager"]);
        Assert.Equal("INVALID_FIELD", await Error("SELECT Profile.Nope FROM User"));
        Assert.Equal("INVALID_FIELD", await Error("SELECT Boss.Username FROM User"));
    }

    [Fact]
    public async Task Parent_to_child_subqueries_nest_the_children_or_answer_null()
    {
        var accounts = await Records("SELECT Name, (SELECT LastName, Email FROM Contacts WHERE Email != null ORDER BY LastName DESC LIMIT 5) FROM Account ORDER BY Name");
        var acme = accounts.Single(a => a!["Name"]!.ToString() == "Acme Corporation")!;
        var contacts = acme["Contacts"]!;
        Assert.Equal(2, contacts["totalSize"]!.GetValue<int>());
        Assert.True(contacts["done"]!.GetValue<bool>());
        Assert.Equal(new[] { "Newcomer", "Community" }, contacts["records"]!.AsArray().Select(c => c!["LastName"]!.ToString()));
        Assert.Equal("Contact", contacts["records"]![0]!["attributes"]!["type"]!.ToString());

        Emulator.Org.Create("Account", new JsonObject { ["Name"] = "Empty Co" });
        var empty = (await Records("SELECT Name, (SELECT Id FROM Contacts) FROM Account WHERE Name = 'Empty Co'"))[0]!.AsObject();
        Assert.True(empty.ContainsKey("Contacts"));
        Assert.Null(empty["Contacts"]);

        var members = (await Records("SELECT Name, (SELECT UserOrGroupId FROM GroupMembers) FROM Group WHERE DeveloperName = 'All_Sales'"))[0]!;
        Assert.StartsWith(AliceId, members["GroupMembers"]!["records"]![0]!["UserOrGroupId"]!.ToString());
        Assert.Equal("INVALID_TYPE", await Error("SELECT Name, (SELECT Id FROM Nothings) FROM Account"));
    }

    [Fact]
    public async Task Counts_groups_minimums_maximums_and_aliases()
    {
        var count = await Query("SELECT COUNT() FROM User WHERE IsActive = true");
        Assert.Equal(5, count["totalSize"]!.GetValue<int>());
        Assert.Empty(count["records"]!.AsArray());

        var counted = (await Records("SELECT COUNT(Id), COUNT(ManagerId) managed, COUNT_DISTINCT(ProfileId) FROM User"))[0]!;
        Assert.Equal("AggregateResult", counted["attributes"]!["type"]!.ToString());
        Assert.Equal(6, counted["expr0"]!.GetValue<int>());
        Assert.Equal(1, counted["managed"]!.GetValue<int>());
        Assert.Equal(4, counted["expr1"]!.GetValue<int>());

        var byProfile = await Records("SELECT Profile.Name, COUNT(Id) total, MIN(Username), MAX(Username) FROM User GROUP BY Profile.Name ORDER BY COUNT(Id) DESC, Profile.Name");
        Assert.Equal("Standard User", byProfile[0]!["Name"]!.ToString());
        Assert.Equal(3, byProfile[0]!["total"]!.GetValue<int>());
        Assert.Equal("alice.active@emulator.example.com", byProfile[0]!["expr0"]!.ToString());
        Assert.Equal("dan.obrien@emulator.example.com", byProfile[0]!["expr1"]!.ToString());
        Assert.Equal(4, (await Query("SELECT ProfileId FROM User GROUP BY ProfileId"))["totalSize"]!.GetValue<int>());

        var byStatus = await Records("SELECT Status s, COUNT(Id) FROM Lead GROUP BY Status ORDER BY Status");
        Assert.Equal(new[] { "Closed - Converted", "Open - Not Contacted" }, byStatus.Select(r => r!["s"]!.ToString()));
        // MIN and MAX of a picklist follow the picklist's order: Open - Not Contacted comes before Closed - Converted.
        var span = (await Records("SELECT MIN(Status) earliest, MAX(Status) latest FROM Lead"))[0]!;
        Assert.Equal("Open - Not Contacted", span["earliest"]!.ToString());
        Assert.Equal("Closed - Converted", span["latest"]!.ToString());

        Assert.Equal("MALFORMED_QUERY", await Error("SELECT Username, COUNT(Id) FROM User GROUP BY ProfileId"));
        Assert.Equal("MALFORMED_QUERY", await Error("SELECT Id, COUNT() FROM User"));
        Assert.Equal("MALFORMED_QUERY", await Error("SELECT SUM(Username) FROM User"));
    }

    [Fact]
    public async Task Order_by_nulls_first_or_last_and_offset_page_through_the_rows()
    {
        var last = await Records("SELECT Department FROM User ORDER BY Department ASC NULLS LAST, Username");
        Assert.Equal("Sales", last[0]!["Department"]!.ToString());
        Assert.Null(last[^1]!["Department"]);
        var first = await Records("SELECT Department FROM User ORDER BY Department DESC NULLS FIRST, Username");
        Assert.Null(first[0]!["Department"]);
        Assert.Equal("Sales", first[^1]!["Department"]!.ToString());

        var all = (await Records("SELECT Username FROM User ORDER BY Username")).Select(u => u!["Username"]!.ToString()).ToList();
        var page = (await Records("SELECT Username FROM User ORDER BY Username LIMIT 2 OFFSET 3")).Select(u => u!["Username"]!.ToString());
        Assert.Equal(all.Skip(3).Take(2), page);
        Assert.Equal("NUMBER_OUTSIDE_VALID_RANGE", await Error("SELECT Id FROM User OFFSET 2001"));
    }

    [Fact]
    public async Task Date_literals_are_ranges_of_days_relative_to_today()
    {
        var now = new DateTime(2026, 3, 4, 10, 0, 0, DateTimeKind.Utc); // a Wednesday
        Emulator.Org.Clock = () => now;
        Emulator.Org.Create("Contact", new JsonObject { ["LastName"] = "Today", ["Department"] = "Dates" });
        Emulator.Org.Clock = () => now.AddDays(-1);
        Emulator.Org.Create("Contact", new JsonObject { ["LastName"] = "Yesterday", ["Department"] = "Dates" });
        Emulator.Org.Clock = () => now.AddDays(-10);
        Emulator.Org.Create("Contact", new JsonObject { ["LastName"] = "LastMonthish", ["Department"] = "Dates" });
        Emulator.Org.Clock = () => now;

        async Task<string[]> Names(string condition) =>
            (await Records($"SELECT LastName FROM Contact WHERE Department = 'Dates' AND {condition} ORDER BY CreatedDate DESC")).Select(r => r!["LastName"]!.ToString()).ToArray();
        Assert.Equal(new[] { "Today" }, await Names("CreatedDate = TODAY"));
        Assert.Equal(new[] { "Yesterday" }, await Names("CreatedDate = YESTERDAY"));
        Assert.Equal(new[] { "Today", "Yesterday" }, await Names("CreatedDate = LAST_N_DAYS:1"));
        Assert.Equal(new[] { "Today", "Yesterday" }, await Names("CreatedDate = THIS_WEEK"));
        Assert.Equal(new[] { "LastMonthish" }, await Names("CreatedDate = LAST_MONTH"));
        Assert.Equal(new[] { "LastMonthish" }, await Names("CreatedDate = N_DAYS_AGO:10"));
        Assert.Equal(new[] { "Yesterday", "LastMonthish" }, await Names("CreatedDate < TODAY"));
        Assert.Equal(new[] { "Today" }, await Names("CreatedDate > YESTERDAY"));
        Assert.Equal(new[] { "Today", "Yesterday" }, await Names("CreatedDate >= YESTERDAY"));
        Assert.Equal(new[] { "LastMonthish" }, await Names("CreatedDate != THIS_WEEK"));
        Assert.Empty(await Names("CreatedDate = NEXT_N_DAYS:5"));

        // Date fields take the same literals; a text field does not.
        Assert.Single(await Records("SELECT Id FROM Lead WHERE ConvertedDate < LAST_N_YEARS:1"));
        Assert.Equal("INVALID_QUERY_FILTER_OPERATOR", await Error("SELECT Id FROM Contact WHERE LastName = TODAY"));
    }

    [Fact]
    public async Task Semi_joins_and_anti_joins_filter_by_the_ids_another_query_selects()
    {
        var withCarla = await Records("SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email LIKE 'carla%')");
        Assert.Equal("Acme Corporation", Assert.Single(withCarla)!["Name"]!.ToString());
        var noContacts = (await Records("SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact) ORDER BY Name"));
        Assert.Empty(noContacts);
        var inSales = await Records("SELECT Username FROM User WHERE Id IN (SELECT UserOrGroupId FROM GroupMember WHERE Group.DeveloperName = 'All_Sales')");
        Assert.Equal("alice.active@emulator.example.com", Assert.Single(inSales)!["Username"]!.ToString());
        Assert.Equal("MALFORMED_QUERY", await Error("SELECT Id FROM Account WHERE Id IN (SELECT Id, Name FROM Contact)"));
        Assert.Equal("INVALID_FIELD", await Error("SELECT Id FROM Account WHERE Name IN (SELECT AccountId FROM Contact)"));
    }

    [Fact]
    public async Task Fields_standard_custom_and_all_and_to_label()
    {
        var standard = (await Records($"SELECT FIELDS(STANDARD) FROM User WHERE Id = '{AliceId}'"))[0]!.AsObject();
        Assert.True(standard.ContainsKey("Username"));
        Assert.True(standard.ContainsKey("SystemModstamp"));
        Assert.False(standard.ContainsKey("Employee_Id__c"));

        Assert.Equal("MALFORMED_QUERY", await Error("SELECT FIELDS(CUSTOM) FROM User"));
        Assert.Equal("MALFORMED_QUERY", await Error("SELECT FIELDS(ALL) FROM User LIMIT 201"));
        var custom = (await Records($"SELECT Id, FIELDS(CUSTOM) FROM User WHERE Id = '{AliceId}' LIMIT 200"))[0]!.AsObject();
        Assert.Equal(new[] { "attributes", "Id", "Skills__c", "Employee_Id__c" }, custom.Select(p => p.Key));
        Assert.Equal("E-1001", custom["Employee_Id__c"]!.ToString());

        var labelled = (await Records("SELECT toLabel(Status) FROM Lead WHERE IsConverted = false"))[0]!;
        Assert.Equal("Open - Not Contacted", labelled["Status"]!.ToString());
        Assert.Equal("INVALID_FIELD", await Error("SELECT toLabel(LastName) FROM Lead"));
        // toLabel() takes an alias, so value and label can both be selected (SOQL and SOSL Reference, "toLabel()").
        var both = (await Records("SELECT Status, toLabel(Status) statusLabel FROM Lead WHERE IsConverted = false"))[0]!;
        Assert.Equal("Open - Not Contacted", both["Status"]!.ToString());
        Assert.Equal("Open - Not Contacted", both["statusLabel"]!.ToString());
        Assert.Equal("MALFORMED_QUERY", await Error("SELECT Id Name FROM User")); // a plain field takes no alias
    }

    [Fact]
    public async Task In_lists_and_id_filters_look_rows_up_instead_of_scanning_the_table()
    {
        for (int i = 0; i < 5000; i++) Emulator.Org.Create("Contact", new JsonObject { ["LastName"] = $"Bulk{i}" });
        var ids = Emulator.Org.Query("SELECT Id FROM Contact WHERE LastName IN ('Bulk7', 'Bulk4242')").Select(r => r["Id"]!.ToString()).ToList();
        Assert.Equal(2, ids.Count);

        lock (Emulator.Org.Sync)
        {
            var byId = new Soql.QueryEngine(Emulator.Org);
            var result = byId.Execute($"SELECT LastName FROM Contact WHERE Id IN ('{ids[1]}', '{ids[0]}', '003Em00000009ZZ') AND LastName != null", false, "62.0");
            Assert.Equal(new[] { "Bulk7", "Bulk4242" }, result.Records.Select(r => r["LastName"]!.ToString())); // table order, as a scan gives
            Assert.Equal(2, byId.RowsExamined);

            var byUsername = new Soql.QueryEngine(Emulator.Org);
            Assert.Single(byUsername.Execute("SELECT Id FROM User WHERE Username = 'ALICE.active@emulator.example.com'", false, "62.0").Records);
            Assert.Equal(1, byUsername.RowsExamined);

            // A unique field that is not text is compared, not looked up by its text.
            var unique = new Soql.QueryEngine(Emulator.Org);
            Assert.Single(unique.Execute("SELECT Id FROM User WHERE Employee_Id__c IN ('E-1001', 'E-9999')", false, "62.0").Records);

            var scan = new Soql.QueryEngine(Emulator.Org);
            scan.Execute("SELECT Id FROM Contact WHERE LastName IN ('Bulk1', 'Bulk2')", false, "62.0");
            Assert.Equal(Emulator.Org.Count("Contact"), scan.RowsExamined);
        }
    }

    [Fact]
    public async Task The_batch_size_query_option_sets_the_page_size_within_200_to_2000()
    {
        for (int i = 0; i < 450; i++) Emulator.Org.Create("Contact", new JsonObject { ["LastName"] = $"Page{i:D3}", ["Department"] = "Batch" });
        async Task<JsonNode> Ask(string path, string options)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, BaseUrl + path);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Emulator.Info.AccessToken);
            if (options != null) request.Headers.Add("Sforce-Query-Options", options);
            var response = await Http.SendAsync(request);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        }
        string soql = Uri.EscapeDataString("SELECT LastName FROM Contact WHERE Department = 'Batch' ORDER BY LastName");
        var first = await Ask($"{V}/query?q={soql}", "batchSize=250");
        Assert.Equal(250, first["records"]!.AsArray().Count);
        Assert.EndsWith("-250", first["nextRecordsUrl"]!.ToString());
        var second = await Ask(first["nextRecordsUrl"]!.ToString(), null);
        Assert.Equal(200, second["records"]!.AsArray().Count);
        Assert.True(second["done"]!.GetValue<bool>());

        var small = await Ask($"{V}/query?q={soql}", "batchSize=10");
        Assert.Equal(200, small["records"]!.AsArray().Count); // below the minimum: 200
        Assert.Equal(450, (await Ask($"{V}/query?q={soql}", null))["records"]!.AsArray().Count);
    }

    [Fact]
    public async Task Errors_come_only_where_salesforce_gives_them()
    {
        Assert.Equal("MALFORMED_QUERY", await Error("SELECT FROM User"));
        Assert.Equal("MALFORMED_QUERY", await Error("SELECT Id FROM User WHERE"));
        Assert.Equal("INVALID_FIELD", await Error("SELECT Nope FROM User"));
        Assert.Equal("INVALID_TYPE", await Error("SELECT Id FROM Nope"));
        // What the emulator does not serve is refused as malformed, never answered wrongly.
        foreach (var unserved in new[]
                 {
                     "SELECT FORMAT(Id) FROM User", "SELECT ProfileId, COUNT(Id) FROM User GROUP BY ProfileId HAVING COUNT(Id) > 1",
                     "SELECT Id FROM User WITH SECURITY_ENFORCED", "SELECT Id FROM Account USING SCOPE mine",
                     "SELECT TYPEOF Owner WHEN User THEN Username END FROM Lead", "SELECT CALENDAR_YEAR(CreatedDate) FROM User",
                     "SELECT ProfileId, COUNT(Id) FROM User GROUP BY ROLLUP(ProfileId)", "SELECT Id FROM Lead WHERE toLabel(Status) = 'x'",
                     "SELECT Id FROM Contact FOR UPDATE",
                 })
            Assert.Equal("MALFORMED_QUERY", await Error(unserved));
        // Words SOQL reserves elsewhere are still object names and aliases are optional.
        Assert.NotEmpty(await Records("SELECT Name FROM Group WHERE Type = 'Regular'"));
        Assert.NotEmpty(await Records("SELECT Id FROM User WHERE CreatedDate = LAST_90_DAYS OR CreatedDate < LAST_90_DAYS"));
    }
}
