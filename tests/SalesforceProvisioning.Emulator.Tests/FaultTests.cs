using System.Net;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Tests;

public sealed class FaultTests : EmulatorTest
{
    private Task Fault(object rule) => Control("faults", rule);

    [Fact]
    public async Task Http503_invalid_session_and_limit_faults_answer_before_doing_anything()
    {
        await Fault(new object[]
        {
            new { kind = "Http503", count = 1 },
            new { kind = "InvalidSession", count = 1 },
            new { kind = "RequestLimitExceeded", count = 1 },
        });
        var unavailable = await Post($"{V}/sobjects/Contact", new { LastName = "A" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.Status);
        Assert.Equal("SERVER_UNAVAILABLE", ErrorCode(unavailable.Body));
        var session = await Post($"{V}/sobjects/Contact", new { LastName = "B" });
        Assert.Equal(HttpStatusCode.Unauthorized, session.Status);
        Assert.Equal("INVALID_SESSION_ID", ErrorCode(session.Body));
        var limit = await Post($"{V}/sobjects/Contact", new { LastName = "C" });
        Assert.Equal(HttpStatusCode.Forbidden, limit.Status);
        Assert.Equal("REQUEST_LIMIT_EXCEEDED", ErrorCode(limit.Body));
        Assert.Empty(Emulator.Org.Query("SELECT Id FROM Contact WHERE LastName IN ('A','B','C')"));

        Assert.Equal(HttpStatusCode.Created, (await Post($"{V}/sobjects/Contact", new { LastName = "D" })).Status);
        Assert.Empty((await Control("faults", method: HttpMethod.Get))["faults"].AsArray());
    }

    [Fact]
    public async Task Rules_match_by_path_and_method_and_skip_the_token_endpoint_unless_aimed_at_it()
    {
        await Fault(new { kind = "Http503", count = 5, method = "POST" });
        Assert.Equal(HttpStatusCode.OK, (await RefreshGrant()).Status);
        Assert.Equal(HttpStatusCode.OK, (await Get($"{V}/limits")).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Post($"{V}/sobjects/Contact", new { LastName = "x" })).Status);
        Assert.Equal(4, (await Control("faults", method: HttpMethod.Get))["faults"][0]["remaining"].GetValue<int>());

        await Control("faults", method: HttpMethod.Delete);
        await Fault(new { kind = "Http503", count = 1, pathContains = "/oauth2/token" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await RefreshGrant()).Status);
        Assert.Equal(HttpStatusCode.OK, (await RefreshGrant()).Status);
    }

    [Fact]
    public async Task Unable_to_lock_row_fails_a_single_request_or_only_the_chosen_collection_records()
    {
        await Fault(new { kind = "UnableToLockRow", count = 1, pathContains = "/sobjects/Contact" });
        var single = await Post($"{V}/sobjects/Contact", new { LastName = "Locked" });
        Assert.Equal(HttpStatusCode.BadRequest, single.Status);
        Assert.Equal("UNABLE_TO_LOCK_ROW", ErrorCode(single.Body));
        Assert.StartsWith("unable to obtain exclusive access to this record", single.Body[0]["message"].ToString());

        await Fault(new { kind = "UnableToLockRow", count = 1, pathContains = "/composite/sobjects", recordIndexes = new[] { 0, 2 } });
        var collection = await Post($"{V}/composite/sobjects", new
        {
            allOrNone = false,
            records = Enumerable.Range(0, 3).Select(i => new { attributes = new { type = "Contact" }, LastName = $"Row{i}" }),
        });
        Assert.Equal(HttpStatusCode.OK, collection.Status);
        Assert.Equal("UNABLE_TO_LOCK_ROW", collection.Body[0]["errors"][0]["statusCode"].ToString());
        Assert.True(collection.Body[1]["success"].GetValue<bool>());
        Assert.Equal("UNABLE_TO_LOCK_ROW", collection.Body[2]["errors"][0]["statusCode"].ToString());
        Assert.Equal("Row1", Assert.Single(Emulator.Org.Query("SELECT LastName FROM Contact WHERE LastName LIKE 'Row%'"))["LastName"].ToString());
    }

    [Fact]
    public async Task A_share_of_records_can_be_locked_once_each_so_their_retry_succeeds()
    {
        await Fault(new { kind = "UnableToLockRow", count = 100, pathContains = "/composite/sobjects", recordRate = 0.5, oncePerRecord = true, seed = 3 });
        object Records(IEnumerable<int> numbers) => new
        {
            allOrNone = false,
            records = numbers.Select(i => new { attributes = new { type = "Contact" }, LastName = $"Share{i}" }),
        };
        var first = await Post($"{V}/composite/sobjects", Records(Enumerable.Range(0, 40)));
        var locked = Enumerable.Range(0, 40).Where(i => !first.Body[i]["success"].GetValue<bool>()).ToList();
        Assert.InRange(locked.Count, 8, 32);
        var retry = await Post($"{V}/composite/sobjects", Records(locked));
        Assert.All(retry.Body.AsArray(), r => Assert.True(r["success"].GetValue<bool>()));
        Assert.Equal(40, Emulator.Org.Query("SELECT Id FROM Contact WHERE LastName LIKE 'Share%'").Count);
    }

    [Fact]
    public async Task Record_error_picks_records_by_field_value_inside_composite()
    {
        await Fault(new { kind = "RecordError", count = 1, recordField = "Username", recordValues = new[] { "b@example.com" }, statusCode = "LICENSE_LIMIT_EXCEEDED", message = "License Limit Exceeded" });
        var (_, body, _) = await Post($"{V}/composite", new
        {
            compositeRequest = new[]
            {
                new
                {
                    method = "POST", url = $"{V}/composite/sobjects", referenceId = "users",
                    body = new JsonObject { ["records"] = new JsonArray(WithType(NewUser("a@example.com"), "User"), WithType(NewUser("B@example.com"), "User")) },
                },
            },
        });
        var results = body["compositeResponse"][0]["body"].AsArray();
        Assert.True(results[0]["success"].GetValue<bool>());
        Assert.Equal("LICENSE_LIMIT_EXCEEDED", results[1]["errors"][0]["statusCode"].ToString());
        Assert.Equal("License Limit Exceeded", results[1]["errors"][0]["message"].ToString());
    }

    [Fact]
    public async Task Drop_connection_aborts_before_any_write()
    {
        await Fault(new { kind = "DropConnection", count = 1 });
        await Assert.ThrowsAsync<HttpRequestException>(() => Post($"{V}/sobjects/Contact", new { LastName = "Dropped" }));
        Assert.Empty(Emulator.Org.Query("SELECT Id FROM Contact WHERE LastName = 'Dropped'"));
    }

    [Fact]
    public async Task Drop_after_commit_keeps_the_write_but_never_answers()
    {
        await Fault(new { kind = "DropAfterCommit", count = 1, pathContains = "/composite/sobjects" });
        await Assert.ThrowsAsync<HttpRequestException>(() => Post($"{V}/composite/sobjects", new
        {
            records = new[] { WithType(NewUser("committed@example.com"), "User") },
        }));
        Assert.NotNull(Emulator.Org.FindUserId("committed@example.com"));

        var retry = await Post($"{V}/composite/sobjects", new { records = new[] { WithType(NewUser("committed@example.com"), "User") } });
        Assert.Equal("DUPLICATE_USERNAME", retry.Body[0]["errors"][0]["statusCode"].ToString());
        var log = (await Control("requests", method: HttpMethod.Get))["requests"].AsArray();
        Assert.True(log[0]["connectionDropped"].GetValue<bool>());
        Assert.Equal("DropAfterCommit", log[0]["fault"].ToString());
    }

    [Fact]
    public async Task Late_commit_drops_the_connection_and_does_the_work_only_after_the_next_request()
    {
        await Fault(new { kind = "LateCommit", count = 1, pathContains = "/composite/sobjects" });
        await Assert.ThrowsAsync<HttpRequestException>(() => Post($"{V}/composite/sobjects", new
        {
            records = new[] { WithType(NewUser("late@example.com"), "User") },
        }));
        // The read-back right after the lost answer does not see the write yet ...
        var readBack = await Get($"{V}/query?q=" + Uri.EscapeDataString("SELECT Id FROM User WHERE Username = 'late@example.com'"));
        Assert.Equal(0, readBack.Body["totalSize"].GetValue<int>());
        // ... and the work is done once that read was answered.
        for (int i = 0; i < 200 && Emulator.Org.FindUserId("late@example.com") == null; i++) await Task.Delay(10);
        Assert.NotNull(Emulator.Org.FindUserId("late@example.com"));
        var log = (await Control("requests", method: HttpMethod.Get))["requests"].AsArray();
        Assert.Equal("LateCommit", log[0]["fault"].ToString());
        Assert.True(log[0]["connectionDropped"].GetValue<bool>());
    }

    [Fact]
    public async Task Garbled_answer_does_the_work_and_answers_half_of_the_body_whole()
    {
        await Fault(new { kind = "GarbledAnswer", count = 1, pathContains = "/composite/sobjects" });
        using var request = new HttpRequestMessage(HttpMethod.Post, BaseUrl + $"{V}/composite/sobjects")
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new { records = new[] { WithType(NewUser("garbled@example.com"), "User") } }), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Emulator.Info.AccessToken);
        var garbled = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, garbled.StatusCode);
        string text = await garbled.Content.ReadAsStringAsync();
        Assert.StartsWith("[{", text);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => JsonNode.Parse(text));
        Assert.NotNull(Emulator.Org.FindUserId("garbled@example.com"));
        var log = (await Control("requests", method: HttpMethod.Get))["requests"].AsArray();
        Assert.Equal("GarbledAnswer", log[0]["fault"].ToString());
    }

    [Theory]
    [InlineData(null, 502)]
    [InlineData(503, 503)]
    [InlineData(504, 504)]
    public async Task Error_after_commit_keeps_the_write_and_answers_an_edge_error(int? httpStatus, int expected)
    {
        await Fault(new { kind = "ErrorAfterCommit", count = 1, pathContains = "/composite/sobjects", httpStatus });
        using var request = new HttpRequestMessage(HttpMethod.Post, BaseUrl + $"{V}/composite/sobjects")
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new { records = new[] { WithType(NewUser("committed502@example.com"), "User") } }), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Emulator.Info.AccessToken);
        var lost = await Http.SendAsync(request);
        Assert.Equal(expected, (int)lost.StatusCode);
        if (expected == 503) Assert.Contains("SERVER_UNAVAILABLE", await lost.Content.ReadAsStringAsync());
        Assert.NotNull(Emulator.Org.FindUserId("committed502@example.com"));
        var log = (await Control("requests", method: HttpMethod.Get))["requests"].AsArray();
        Assert.Equal("ErrorAfterCommit", log[0]["fault"].ToString());
    }

    [Fact]
    public async Task Rate_faults_are_deterministic_for_a_seed()
    {
        async Task<string> Pattern()
        {
            await Control("reset");
            await Fault(new { kind = "Http503", rate = 0.5, seed = 7 });
            var outcomes = new List<char>();
            for (int i = 0; i < 20; i++) outcomes.Add((await Get($"{V}/limits")).Status == HttpStatusCode.OK ? '.' : 'x');
            return new string(outcomes.ToArray());
        }
        string first = await Pattern();
        Assert.Contains('x', first);
        Assert.Contains('.', first);
        Assert.Equal(first, await Pattern());
    }
}

public sealed class ControlTests : EmulatorTest
{
    [Fact]
    public async Task Reset_restores_seed_counters_and_credentials()
    {
        await Post($"{V}/sobjects/Contact", new { LastName = "Temporary" });
        await Control("expire-access-tokens");
        await Control("faults", new { kind = "Http503", count = 10 });
        await Control("reset");

        Assert.Empty(Emulator.Org.Query("SELECT Id FROM Contact WHERE LastName = 'Temporary'"));
        var counts = await Counts();
        Assert.Equal(0, counts["apiCalls"].GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, (await Get($"{V}/sobjects/User/{AliceId}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await RefreshGrant()).Status);
    }

    [Fact]
    public async Task Seed_replaces_the_data_and_keeps_the_integration_user()
    {
        await Control("seed", """
            {"objects":{
              "Profile":[{"Id":"00eXX0000000001","Name":"Standard User","UserType":"Standard"}],
              "User":[{"Username":"only@seed.example.com","LastName":"Only","Email":"only@example.com","Alias":"only",
                       "TimeZoneSidKey":"GMT","LocaleSidKey":"en_US","EmailEncodingKey":"UTF-8","LanguageLocaleKey":"en_US","ProfileId":"00eXX0000000001"}]}}
            """);
        var users = await Query("SELECT Username FROM User ORDER BY Username");
        Assert.Equal(new[] { "integration@emulator.example.com", "only@seed.example.com" }, users["records"].AsArray().Select(u => u["Username"].ToString()));
        Assert.Equal(HttpStatusCode.OK, (await RefreshGrant()).Status);
    }

    [Fact]
    public async Task Request_log_never_shows_tokens()
    {
        await RefreshGrant();
        await Get($"{V}/limits");
        await Http.PostAsync($"{BaseUrl}/services/oauth2/revoke?token={Emulator.Info.AccessToken}", null);
        string log = (await Control("requests", method: HttpMethod.Get)).ToJsonString();
        Assert.DoesNotContain(Emulator.Info.AccessToken, log);
        Assert.DoesNotContain(Emulator.Info.RefreshToken, log);
        Assert.DoesNotContain(Emulator.Info.ClientSecret, log);
        Assert.Contains("token=REDACTED", log);
    }

    [Fact]
    public async Task Latency_delays_api_requests()
    {
        await Control("latency", new { ms = 150 });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Get($"{V}/limits");
        Assert.True(clock.ElapsedMilliseconds >= 140, $"took {clock.ElapsedMilliseconds} ms");
    }
}
