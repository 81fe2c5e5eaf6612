using System.Net;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Tests;

public sealed class SoqlTests : EmulatorTest
{
    private async Task<List<string>> Usernames(string where, string tail = "")
    {
        var body = await Query($"SELECT Username FROM User WHERE {where} {tail}");
        return body["records"].AsArray().Select(r => r["Username"].ToString()).ToList();
    }

    [Fact]
    public async Task Escaped_quotes_and_backslashes_match_literally()
    {
        Assert.Equal(new[] { "dan.obrien@emulator.example.com" }, await Usernames(@"LastName = 'O\'Brien'"));
        Emulator.Org.Create("Contact", new JsonObject { ["LastName"] = @"back\slash", ["Title"] = "tab\there" });
        var body = await Query(@"SELECT LastName, Title FROM Contact WHERE LastName = 'back\\slash' AND Title = 'tab\there'");
        Assert.Equal(@"back\slash", body["records"][0]["LastName"].ToString());
        Assert.Single((await Query(@"SELECT Id FROM Contact WHERE LastName = 'back\u005cslash'"))["records"].AsArray());
    }

    [Fact]
    public async Task Text_comparisons_ignore_case_and_like_uses_wildcards()
    {
        Assert.Single(await Usernames("Username = 'ALICE.ACTIVE@EMULATOR.EXAMPLE.COM'"));
        Assert.Equal(new[] { "alice.active@emulator.example.com" }, await Usernames("Username LIKE 'ALI%'"));
        Assert.Single(await Usernames("Alias LIKE 'aactiv_'"));
        Assert.Empty(await Usernames("Alias LIKE 'aactiv'"));
        Emulator.Org.Create("Contact", new JsonObject { ["LastName"] = "100% sure", ["Title"] = "a_b" });
        Assert.Single((await Query(@"SELECT Id FROM Contact WHERE LastName LIKE '100\% %' AND Title LIKE 'a\_b'"))["records"].AsArray());
    }

    [Fact]
    public async Task In_not_in_not_and_parentheses()
    {
        var inList = await Usernames("Username IN ('alice.active@emulator.example.com', 'BOB.INACTIVE@emulator.example.com')", "ORDER BY Username");
        Assert.Equal(new[] { "alice.active@emulator.example.com", "bob.inactive@emulator.example.com" }, inList);
        var standard = await Usernames("ProfileId = '00eEm0000000002' AND Username NOT IN ('alice.active@emulator.example.com')", "ORDER BY Username");
        Assert.Equal(new[] { "bob.inactive@emulator.example.com", "dan.obrien@emulator.example.com" }, standard);
        var notActive = await Usernames("NOT IsActive = true");
        Assert.Equal(new[] { "bob.inactive@emulator.example.com" }, notActive);
        var grouped = await Usernames("(Department = 'Sales' OR Department = 'Support') AND IsActive = true", "ORDER BY Department DESC");
        Assert.Equal(new[] { "dan.obrien@emulator.example.com", "alice.active@emulator.example.com" }, grouped);
        Assert.Equal(4, (await Usernames("Department = null")).Count);
        Assert.Equal(2, (await Usernames("Department != null")).Count);
        Assert.Single(await Usernames("Skills__c INCLUDES ('Reports;Sales')"));
    }

    [Fact]
    public async Task Order_by_with_nulls_limit_and_offset()
    {
        var all = await Usernames("IsActive = true OR IsActive = false", "ORDER BY Department ASC NULLS LAST, Username DESC");
        Assert.Equal("alice.active@emulator.example.com", all[0]);
        Assert.Equal("dan.obrien@emulator.example.com", all[1]);
        Assert.Equal("site.guest@emulator-site.example.com", all[2]);
        var page = await Usernames("IsActive = true", "ORDER BY Username LIMIT 2 OFFSET 1");
        Assert.Equal(new[] { "carla.community@emulator.example.com", "dan.obrien@emulator.example.com" }, page);
    }

    [Fact]
    public async Task Relationship_fields_and_counts()
    {
        var body = await Query("SELECT Assignee.Username, PermissionSet.Name, PermissionSet.IsOwnedByProfile FROM PermissionSetAssignment WHERE Assignee.Username = 'alice.active@emulator.example.com' AND PermissionSet.IsOwnedByProfile = false");
        var record = Assert.Single(body["records"].AsArray());
        Assert.Equal("Sales_Ops", record["PermissionSet"]["Name"].ToString());
        Assert.Equal("PermissionSet", record["PermissionSet"]["attributes"]["type"].ToString());
        Assert.Equal("alice.active@emulator.example.com", record["Assignee"]["Username"].ToString());

        var members = await Query("SELECT Group.DeveloperName, UserOrGroup.Name FROM GroupMember WHERE Group.DeveloperName = 'All_Sales'");
        Assert.Equal("Alice Active", members["records"][0]["UserOrGroup"]["Name"].ToString());

        var noManager = await Query("SELECT Manager.Username FROM User WHERE Username = 'bob.inactive@emulator.example.com'");
        Assert.Null(noManager["records"][0]["Manager"]);
        var twoHops = await Query("SELECT Contact.Account.Name FROM User WHERE ContactId != null");
        Assert.Equal("Acme Corporation", twoHops["records"][0]["Contact"]["Account"]["Name"].ToString());

        var count = await Query("SELECT COUNT() FROM User WHERE IsActive = true");
        Assert.Equal(5, count["totalSize"].GetValue<int>());
        Assert.Empty(count["records"].AsArray());
        var aggregate = await Query("SELECT COUNT(Id) FROM User");
        Assert.Equal(6, aggregate["records"][0]["expr0"].GetValue<int>());
    }

    [Theory]
    [InlineData("SELECT Id FROM User WHERE LastName = 'O'Brien'")]
    [InlineData("SELECT Id FROM User WHERE LastName = 'unterminated")]
    [InlineData("SELECT Id User")]
    [InlineData("SELECT FROM User")]
    [InlineData("SELECT Id FROM User WHERE")]
    [InlineData("SELECT Id FROM User WHERE IsActive = true AND LastName = 'x' OR LastName = 'y'")]
    [InlineData("SELECT Id FROM User LIMIT x")]
    [InlineData(@"SELECT Id FROM User WHERE LastName = 'bad \q escape'")]
    [InlineData("SELECT Id FROM User WHERE LastName IN ('a',)")]
    public async Task Syntax_errors_answer_malformed_query(string soql)
    {
        var (status, body) = await QueryRaw(soql);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("MALFORMED_QUERY", ErrorCode(body));
    }

    [Fact]
    public async Task Unknown_fields_objects_and_bad_filter_values_fail_like_salesforce()
    {
        var field = await QueryRaw("SELECT Foo FROM User");
        Assert.Equal("INVALID_FIELD", ErrorCode(field.Body));
        Assert.Contains("No such column 'Foo' on entity 'User'", field.Body[0]["message"].ToString());
        var relationship = await QueryRaw("SELECT Nope.Name FROM User");
        Assert.Equal("INVALID_FIELD", ErrorCode(relationship.Body));
        var type = await QueryRaw("SELECT Id FROM Foo");
        Assert.Equal("INVALID_TYPE", ErrorCode(type.Body));
        Assert.Contains("sObject type 'Foo' is not supported.", type.Body[0]["message"].ToString());
        Assert.Equal("INVALID_QUERY_FILTER_OPERATOR", ErrorCode((await QueryRaw("SELECT Id FROM User WHERE IsActive = 'true'")).Body));
        Assert.Equal("INVALID_QUERY_FILTER_OPERATOR", ErrorCode((await QueryRaw("SELECT Id FROM User WHERE Id = 'nope'")).Body));
    }

    [Fact]
    public async Task Keywords_and_names_are_case_insensitive_and_ids_accept_15_or_18_characters()
    {
        var body = await Query("select username from USER where ID = '005Em0000000002' order by username");
        Assert.Equal("alice.active@emulator.example.com", body["records"][0]["Username"].ToString());
        string id18 = body["records"][0]["attributes"]["url"].ToString().Split('/')[^1];
        Assert.Equal(18, id18.Length);
        Assert.Single((await Query($"SELECT Id FROM User WHERE Id = '{id18.ToLowerInvariant()}'"))["records"].AsArray());
    }

    [Fact]
    public async Task Queries_over_100000_characters_are_refused()
    {
        string soql = "SELECT Id FROM User WHERE Username IN (" + string.Join(",", Enumerable.Range(0, 5000).Select(i => $"'user{i:D5}@example.com'")) + ")";
        Assert.True(soql.Length > 100_000);
        var (status, body, _) = await Post($"{V}/composite", new { compositeRequest = new[] { new { method = "GET", url = $"{V}/query?q={Uri.EscapeDataString(soql)}", referenceId = "big" } } });
        Assert.Equal(HttpStatusCode.OK, status);
        var sub = body["compositeResponse"][0];
        Assert.Equal(400, sub["httpStatusCode"].GetValue<int>());
        Assert.Equal("MALFORMED_QUERY", ErrorCode(sub["body"]));
        Assert.Contains("query too long", sub["body"][0]["message"].ToString());
    }
}

public sealed class PagingTests : EmulatorTest
{
    private void AddContacts(int count)
    {
        for (int i = 0; i < count; i++)
            Emulator.Org.Create("Contact", new JsonObject { ["LastName"] = $"Page{i:D5}", ["Department"] = "Paging" });
    }

    [Fact]
    public async Task Exactly_2000_records_fit_one_page()
    {
        AddContacts(2000);
        var body = await Query("SELECT Id FROM Contact WHERE Department = 'Paging'");
        Assert.True(body["done"].GetValue<bool>());
        Assert.Null(body["nextRecordsUrl"]);
        Assert.Equal(2000, body["records"].AsArray().Count);
    }

    [Fact]
    public async Task Record_2001_goes_to_a_second_page_and_each_page_is_a_call()
    {
        AddContacts(2001);
        var first = await Query("SELECT LastName FROM Contact WHERE Department = 'Paging' ORDER BY LastName");
        Assert.False(first["done"].GetValue<bool>());
        Assert.Equal(2001, first["totalSize"].GetValue<int>());
        Assert.Equal(2000, first["records"].AsArray().Count);
        string next = first["nextRecordsUrl"].ToString();
        Assert.Matches(@"^/services/data/v62\.0/query/01g\w{12}-2000$", next);

        var (status, second, _) = await Get(next);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(second["done"].GetValue<bool>());
        Assert.Equal("Page02000", Assert.Single(second["records"].AsArray())["LastName"].ToString());
        Assert.Equal(2, (await Counts())["apiCalls"].GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, (await Get(next)).Status); // a page can be read again

        var bad = await Get($"{V}/query/01gnope-2000");
        Assert.Equal("INVALID_QUERY_LOCATOR", ErrorCode(bad.Body));
    }

    [Fact]
    public async Task One_hundred_thousand_users_insert_and_query_correctly()
    {
        // No time limit here (a busy machine would break it); bench/ measures speed.
        for (int i = 0; i < 100_000; i++)
            Emulator.Org.Create("User", NewUser($"bulk{i:D6}@load.example.com"));
        Assert.Equal(100_006, Emulator.Org.Count("User"));
        var body = await Query("SELECT Id, Username FROM User WHERE Username IN ('bulk099999@load.example.com', 'BULK000001@load.example.com')");
        Assert.Equal(2, body["totalSize"].GetValue<int>());
        var count = await Query("SELECT COUNT() FROM User WHERE Username LIKE 'bulk%'");
        Assert.Equal(100_000, count["totalSize"].GetValue<int>());
    }
}
