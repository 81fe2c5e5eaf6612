using System.Net;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Tests;

public sealed class CollectionAndCompositeTests : EmulatorTest
{
    private static JsonObject Records(bool allOrNone, params JsonObject[] records) =>
        new() { ["allOrNone"] = allOrNone, ["records"] = new JsonArray(records.Select(r => r.DeepClone()).ToArray()) };

    [Fact]
    public async Task Collections_answer_200_with_per_record_results_in_input_order()
    {
        var (status, body, _) = await Post($"{V}/composite/sobjects", Records(false,
            WithType(NewUser("one@example.com"), "User"),
            WithType(NewUser("alice.active@emulator.example.com"), "User"),
            WithType(NewUser("two@example.com", u => u.Remove("LastName")), "User"),
            WithType(NewUser("three@example.com"), "User"),
            WithType(NewUser("ONE@example.com"), "User")));
        Assert.Equal(HttpStatusCode.OK, status);
        var results = body.AsArray();
        Assert.Equal(5, results.Count);
        Assert.True(results[0]["success"].GetValue<bool>());
        Assert.Equal("DUPLICATE_USERNAME", results[1]["errors"][0]["statusCode"].ToString());
        Assert.Equal("Username", results[1]["errors"][0]["fields"][0].ToString());
        Assert.Null(results[1]["id"]);
        Assert.Equal("REQUIRED_FIELD_MISSING", results[2]["errors"][0]["statusCode"].ToString());
        Assert.True(results[3]["success"].GetValue<bool>());
        Assert.Equal("DUPLICATE_USERNAME", results[4]["errors"][0]["statusCode"].ToString());
        var counts = await Counts();
        Assert.Equal(1, counts["apiCalls"].GetValue<long>());
        Assert.Equal(2, counts["recordsWritten"].GetValue<long>());
        var log = (await Control("requests", method: HttpMethod.Get))["requests"].AsArray();
        Assert.Equal(5, log.Single()["records"].GetValue<int>());
    }

    [Fact]
    public async Task All_or_none_rolls_back_every_record()
    {
        var (_, body, _) = await Post($"{V}/composite/sobjects", Records(true,
            WithType(NewUser("kept@example.com"), "User"),
            WithType(NewUser("bad", u => u["Username"] = "bad"), "User")));
        Assert.Equal("ALL_OR_NONE_OPERATION_ROLLED_BACK", body[0]["errors"][0]["statusCode"].ToString());
        Assert.Equal("INVALID_EMAIL_ADDRESS", body[1]["errors"][0]["statusCode"].ToString());
        Assert.Null(Emulator.Org.FindUserId("kept@example.com"));
        Assert.Empty(Emulator.Org.Query("SELECT Id FROM UserLogin WHERE User.Username = 'kept@example.com'"));
        Assert.Equal(0, (await Counts())["recordsWritten"].GetValue<long>());
    }

    [Fact]
    public async Task Collections_update_and_delete_by_id()
    {
        var patch = await Patch($"{V}/composite/sobjects", Records(false,
            new JsonObject { ["attributes"] = new JsonObject { ["type"] = "User" }, ["Id"] = AliceId, ["Title"] = "VP" },
            new JsonObject { ["attributes"] = new JsonObject { ["type"] = "User" }, ["Title"] = "No id" },
            new JsonObject { ["attributes"] = new JsonObject { ["type"] = "User" }, ["Id"] = "005Em0000000003", ["Email"] = "nope" }));
        Assert.True(patch.Body[0]["success"].GetValue<bool>());
        Assert.Equal("MISSING_ARGUMENT", patch.Body[1]["errors"][0]["statusCode"].ToString());
        Assert.Equal("INVALID_EMAIL_ADDRESS", patch.Body[2]["errors"][0]["statusCode"].ToString());
        Assert.Equal("VP", Emulator.Org.Get(AliceId)["Title"].ToString());

        var delete = await Delete($"{V}/composite/sobjects?ids=003Em0000000003,{AliceId},003Em0000000999&allOrNone=false");
        Assert.True(delete.Body[0]["success"].GetValue<bool>());
        Assert.Equal("INVALID_TYPE_FOR_OPERATION", delete.Body[1]["errors"][0]["statusCode"].ToString());
        Assert.StartsWith(AliceId, delete.Body[1]["id"].ToString());
        Assert.False(delete.Body[2]["success"].GetValue<bool>());

        var retrieved = await Get($"{V}/composite/sobjects/User?ids={AliceId},005Em0000000999&fields=Username,Title");
        Assert.Equal("VP", retrieved.Body[0]["Title"].ToString());
        Assert.Null(retrieved.Body[1]);
    }

    [Fact]
    public async Task More_than_200_records_are_refused_whole()
    {
        var records = Enumerable.Range(0, 201).Select(i => new JsonObject { ["attributes"] = new JsonObject { ["type"] = "Contact" }, ["LastName"] = $"C{i}" }).ToArray();
        var (status, body, _) = await Post($"{V}/composite/sobjects", Records(false, records));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("EXCEEDED_ID_LIMIT", ErrorCode(body));
        Assert.Empty(Emulator.Org.Query("SELECT Id FROM Contact WHERE LastName = 'C0'"));
        var exactly200 = await Post($"{V}/composite/sobjects", Records(false, records[..200]));
        Assert.Equal(200, exactly200.Body.AsArray().Count(r => r["success"].GetValue<bool>()));
    }

    [Fact]
    public async Task Setup_and_non_setup_records_cannot_share_a_call()
    {
        var (_, body, _) = await Post($"{V}/composite/sobjects", Records(false,
            WithType(NewUser("mixed@example.com"), "User"),
            new JsonObject { ["attributes"] = new JsonObject { ["type"] = "Contact" }, ["LastName"] = "Mixed" }));
        Assert.True(body[0]["success"].GetValue<bool>());
        Assert.Equal("MIXED_DML_OPERATION", body[1]["errors"][0]["statusCode"].ToString());

        var composite = await Post($"{V}/composite", new
        {
            compositeRequest = new object[]
            {
                new { method = "POST", url = $"{V}/sobjects/Contact", referenceId = "contact", body = new { LastName = "First" } },
                new { method = "POST", url = $"{V}/sobjects/Group", referenceId = "group", body = new { Name = "Later" } },
            },
        });
        Assert.Equal(201, composite.Body["compositeResponse"][0]["httpStatusCode"].GetValue<int>());
        Assert.Equal("MIXED_DML_OPERATION", ErrorCode(composite.Body["compositeResponse"][1]["body"]));
    }

    [Fact]
    public async Task Composite_resolves_references_between_subrequests()
    {
        var (status, body, _) = await Post($"{V}/composite", new
        {
            allOrNone = true,
            compositeRequest = new object[]
            {
                new { method = "POST", url = $"{V}/sobjects/Account", referenceId = "acct", body = new { Name = "Ref Co" } },
                new { method = "POST", url = $"{V}/sobjects/Contact", referenceId = "contact", body = new { LastName = "Ref", AccountId = "@{acct.id}" } },
                new { method = "GET", url = $"{V}/query?q=SELECT+Id,Account.Name+FROM+Contact+WHERE+Id='@{{contact.id}}'", referenceId = "q" },
                new { method = "PATCH", url = $"{V}/sobjects/Contact/@{{q.records[0].Id}}", referenceId = "upd", body = new { Title = "@{q.records[0].Account.Name}" } },
                new { method = "POST", url = $"{V}/composite/sobjects", referenceId = "coll", body = new { records = new[] { new { attributes = new { type = "Contact" }, LastName = "Coll" } } } },
                new { method = "GET", url = $"{V}/sobjects/Contact/@{{coll[0].id}}", referenceId = "read" },
            },
        });
        Assert.Equal(HttpStatusCode.OK, status);
        var responses = body["compositeResponse"].AsArray();
        Assert.All(responses, r => Assert.True(r["httpStatusCode"].GetValue<int>() < 300, r.ToJsonString()));
        Assert.Equal("upd", responses[3]["referenceId"].ToString());
        Assert.Equal(204, responses[3]["httpStatusCode"].GetValue<int>());
        Assert.Equal("Coll", responses[5]["body"]["LastName"].ToString());
        var contact = Emulator.Org.Query("SELECT Title FROM Contact WHERE LastName = 'Ref'").Single();
        Assert.Equal("Ref Co", contact["Title"].ToString());
        Assert.Equal(1, (await Counts())["apiCalls"].GetValue<long>());
    }

    [Fact]
    public async Task Composite_all_or_none_halts_and_rolls_back()
    {
        var (_, body, _) = await Post($"{V}/composite", new
        {
            allOrNone = true,
            compositeRequest = new object[]
            {
                new { method = "POST", url = $"{V}/sobjects/Contact", referenceId = "ok", body = new { LastName = "Halted" } },
                new { method = "POST", url = $"{V}/sobjects/Contact", referenceId = "bad", body = new { Email = "x@example.com" } },
                new { method = "POST", url = $"{V}/sobjects/Contact", referenceId = "later", body = new { LastName = "Never" } },
            },
        });
        var responses = body["compositeResponse"].AsArray();
        Assert.Equal("PROCESSING_HALTED", ErrorCode(responses[0]["body"]));
        Assert.Equal("REQUIRED_FIELD_MISSING", ErrorCode(responses[1]["body"]));
        Assert.Equal("PROCESSING_HALTED", ErrorCode(responses[2]["body"]));
        Assert.Equal("The transaction was rolled back since another operation in the same transaction failed.", responses[2]["body"][0]["message"].ToString());
        Assert.Empty(Emulator.Org.Query("SELECT Id FROM Contact WHERE LastName IN ('Halted', 'Never')"));

        var independent = await Post($"{V}/composite", new
        {
            compositeRequest = new object[]
            {
                new { method = "POST", url = $"{V}/sobjects/Contact", referenceId = "bad", body = new { Email = "x@example.com" } },
                new { method = "GET", url = $"{V}/sobjects/Contact/@{{bad.id}}", referenceId = "dependent" },
                new { method = "POST", url = $"{V}/sobjects/Contact", referenceId = "fine", body = new { LastName = "Standalone" } },
            },
        });
        Assert.Equal("PROCESSING_HALTED", ErrorCode(independent.Body["compositeResponse"][1]["body"]));
        Assert.Equal(201, independent.Body["compositeResponse"][2]["httpStatusCode"].GetValue<int>());
    }

    [Fact]
    public async Task Composite_limits_subrequests()
    {
        var tooMany = await Post($"{V}/composite", new
        {
            compositeRequest = Enumerable.Range(0, 26).Select(i => new { method = "GET", url = $"{V}/limits", referenceId = $"r{i}" }),
        });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.Status);
        var queries = await Post($"{V}/composite", new
        {
            compositeRequest = Enumerable.Range(0, 6).Select(i => new { method = "GET", url = $"{V}/query?q=SELECT+Id+FROM+User", referenceId = $"q{i}" }),
        });
        Assert.Equal(HttpStatusCode.BadRequest, queries.Status);
    }

    [Fact]
    public async Task Batch_runs_each_subrequest_alone_and_can_halt()
    {
        var (_, body, _) = await Post($"{V}/composite/batch", new
        {
            haltOnError = true,
            batchRequests = new object[]
            {
                new { method = "POST", url = "v62.0/sobjects/Contact", richInput = new { LastName = "Batch" } },
                new { method = "GET", url = "v62.0/sobjects/Contact/003Em0000000999" },
                new { method = "POST", url = "v62.0/sobjects/Contact", richInput = new { LastName = "Skipped" } },
            },
        });
        Assert.True(body["hasErrors"].GetValue<bool>());
        Assert.Equal(201, body["results"][0]["statusCode"].GetValue<int>());
        Assert.Equal(404, body["results"][1]["statusCode"].GetValue<int>());
        Assert.Equal(412, body["results"][2]["statusCode"].GetValue<int>());
        Assert.Single(Emulator.Org.Query("SELECT Id FROM Contact WHERE LastName = 'Batch'"));
        Assert.Equal(3, (await Counts())["apiCalls"].GetValue<long>());
    }
}
