using System.Net;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Tests;

public sealed class ApiBasicsTests : EmulatorTest
{
    [Fact]
    public async Task Versions_list_needs_no_token_and_old_versions_are_not_found()
    {
        var (status, body, _) = await Send(HttpMethod.Get, "/services/data/", authenticate: false);
        Assert.Equal(HttpStatusCode.OK, status);
        var v62 = body.AsArray().Single(v => v["version"].ToString() == "62.0");
        Assert.Equal("Winter '25", v62["label"].ToString());
        Assert.Equal("/services/data/v62.0", v62["url"].ToString());
        // Salesforce Help 000354473: 21.0-30.0 retired in Summer '25 (REST answers 410 GONE); 31.0 onwards served.
        Assert.Equal("31.0", body[0]["version"].ToString());
        Assert.Equal("Summer '14", body[0]["label"].ToString());
        Assert.Equal("67.0", body.AsArray()[^1]["version"].ToString());
        Assert.Equal("Summer '26", body.AsArray()[^1]["label"].ToString());

        Assert.Equal(HttpStatusCode.OK, (await Get("/services/data/v31.0/limits")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Get("/services/data/v67.0/limits")).Status);
        var retired = await Get("/services/data/v30.0/limits");
        Assert.Equal(HttpStatusCode.Gone, retired.Status);
        Assert.Equal("GONE", ErrorCode(retired.Body));
        Assert.Equal(HttpStatusCode.Gone, (await Get("/services/data/v20.0/sobjects")).Status);
        var newer = await Get("/services/data/v68.0/limits");
        Assert.Equal(HttpStatusCode.NotFound, newer.Status);
        Assert.Equal("NOT_FOUND", ErrorCode(newer.Body));
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/services/data/v62.5/limits")).Status); // only NN.0 versions exist
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/services/data/V62.0/limits")).Status); // paths are case-sensitive
    }

    [Fact]
    public async Task Every_api_response_reports_usage_and_limits_are_not_counted()
    {
        var first = await Get($"{V}/sobjects/User/{AliceId}");
        Assert.Equal("api-usage=1/15000", first.Response.Headers.GetValues("Sforce-Limit-Info").Single());
        var limits = await Get($"{V}/limits");
        Assert.Equal(14999, limits.Body["DailyApiRequests"]["Remaining"].GetValue<long>());
        Assert.Equal(15000, limits.Body["DailyApiRequests"]["Max"].GetValue<long>());
        Assert.Equal("api-usage=1/15000", limits.Response.Headers.GetValues("Sforce-Limit-Info").Single());
        var unauthorized = await Get($"{V}/limits", "bad-token");
        Assert.True(unauthorized.Response.Headers.Contains("Sforce-Limit-Info"));
    }

    [Fact]
    public async Task Composite_counts_one_call_batch_one_per_subrequest_and_tokens_none()
    {
        await RefreshGrant();
        var composite = await Post($"{V}/composite", new
        {
            compositeRequest = Enumerable.Range(0, 3).Select(i => new { method = "GET", url = $"{V}/sobjects/User/{AliceId}", referenceId = $"r{i}" }),
        });
        Assert.Equal(HttpStatusCode.OK, composite.Status);
        Assert.Equal(1, (await Counts())["apiCalls"].GetValue<long>());

        var batch = await Post($"{V}/composite/batch", new
        {
            batchRequests = Enumerable.Range(0, 4).Select(_ => new { method = "GET", url = $"v62.0/sobjects/User/{AliceId}" }),
        });
        Assert.False(batch.Body["hasErrors"].GetValue<bool>());
        Assert.Equal(4, batch.Body["results"].AsArray().Count);
        var counts = await Counts();
        Assert.Equal(5, counts["apiCalls"].GetValue<long>());
        Assert.Equal(1, counts["byEndpoint"]["token"].GetValue<long>());
        Assert.Equal(3, counts["httpRequests"].GetValue<long>());
    }

    [Fact]
    public async Task Past_the_daily_limit_requests_answer_request_limit_exceeded()
    {
        await Control("limits", new { max = 100, remaining = 1 });
        Assert.Equal(HttpStatusCode.OK, (await Get($"{V}/sobjects/User/{AliceId}")).Status);
        var refused = await Get($"{V}/sobjects/User/{AliceId}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("REQUEST_LIMIT_EXCEEDED", ErrorCode(refused.Body));
        Assert.Equal("TotalRequests Limit exceeded.", refused.Body[0]["message"].ToString());
        Assert.Equal(HttpStatusCode.OK, (await Get($"{V}/limits")).Status);
        Assert.Equal(HttpStatusCode.OK, (await RefreshGrant()).Status);
    }

    [Fact]
    public async Task Urls_past_16384_characters_answer_414()
    {
        var (status, _, _) = await Get($"{V}/query?q=" + new string('x', 17_000));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, status);
    }

    [Fact]
    public async Task Describe_reports_fields_and_picklists()
    {
        var (status, body, _) = await Get($"{V}/sobjects/User/describe");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body["deletable"].GetValue<bool>());
        var fields = body["fields"].AsArray();
        var username = fields.Single(f => f["name"].ToString() == "Username");
        Assert.Equal(80, username["length"].GetValue<int>());
        Assert.True(username["unique"].GetValue<bool>());
        var contactId = fields.Single(f => f["name"].ToString() == "ContactId");
        Assert.True(contactId["createable"].GetValue<bool>());
        Assert.False(contactId["updateable"].GetValue<bool>());
        Assert.Equal("Contact", contactId["referenceTo"][0].ToString());
        var skills = fields.Single(f => f["name"].ToString() == "Skills__c");
        Assert.Equal("multipicklist", skills["type"].ToString());
        Assert.Contains(skills["picklistValues"].AsArray(), v => v["value"].ToString() == "Apex");

        var global = await Get($"{V}/sobjects");
        Assert.Contains(global.Body["sobjects"].AsArray(), o => o["name"].ToString() == "PermissionSetAssignment" && o["keyPrefix"].ToString() == "0Pa");
    }

    [Fact]
    public async Task Identity_url_describes_the_user()
    {
        var grant = await RefreshGrant();
        var (status, body, _) = await Get(new Uri(grant.Body["id"].ToString()).AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("integration@emulator.example.com", body["username"].ToString());
        Assert.True(body["active"].GetValue<bool>());
        Assert.Equal(0, (await Counts())["apiCalls"].GetValue<long>());
    }

    [Fact]
    public async Task Two_emulators_in_one_process_are_independent()
    {
        await using var other = await EmulatorServer.StartAsync(new EmulatorOptions());
        Assert.NotEqual(Emulator.Info.InstanceUrl, other.Info.InstanceUrl);
        Assert.NotEqual(Emulator.Info.AccessToken, other.Info.AccessToken);
        Emulator.Org.Create("Contact", new JsonObject { ["LastName"] = "OnlyHere" });
        Assert.Single(Emulator.Org.Query("SELECT Id FROM Contact WHERE LastName = 'OnlyHere'"));
        Assert.Empty(other.Org.Query("SELECT Id FROM Contact WHERE LastName = 'OnlyHere'"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get($"{V}/limits", other.Info.AccessToken)).Status);
    }
}
