using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Tests;

/// <summary>
/// Bulk API 2.0 ingest counting: "Salesforce creates a separate batch for every 10,000 records in your job data"
/// ("Understanding Bulk API 2.0 Ingest", Bulk API 2.0 and Bulk API Developer Guide); batches come out of
/// DailyBulkApiBatches in /limits, and every Bulk API request is one counted API call.
/// </summary>
public sealed class BulkApiTests : EmulatorTest
{
    private async Task<string> RunIngest(string objectName, string csv)
    {
        var job = await Post($"{V}/jobs/ingest", new { @object = objectName, operation = "insert" });
        Assert.Equal(HttpStatusCode.OK, job.Status);
        string id = job.Body["id"].ToString();
        using var upload = new HttpRequestMessage(HttpMethod.Put, $"{BaseUrl}{V}/jobs/ingest/{id}/batches")
        {
            Content = new StringContent(csv, Encoding.UTF8, "text/csv"),
        };
        upload.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Emulator.Info.AccessToken);
        Assert.Equal(HttpStatusCode.Created, (await Http.SendAsync(upload)).StatusCode);
        Assert.Equal("UploadComplete", (await Patch($"{V}/jobs/ingest/{id}", new { state = "UploadComplete" })).Body["state"].ToString());
        return id;
    }

    private static string Leads(int count) =>
        "LastName,Company\n" + string.Concat(Enumerable.Range(0, count).Select(i => $"Lead {i},Batch Co\n"));

    private async Task<long> BatchesRemaining() => (await Get($"{V}/limits")).Body["DailyBulkApiBatches"]["Remaining"].GetValue<long>();

    [Fact]
    public async Task Each_started_10000_records_take_one_batch_and_every_request_is_one_call()
    {
        long start = await BatchesRemaining();
        string exactly = await RunIngest("Lead", Leads(10_000));
        Assert.Equal(start - 1, await BatchesRemaining());
        await RunIngest("Lead", Leads(10_001));
        Assert.Equal(start - 3, await BatchesRemaining());

        var info = (await Get($"{V}/jobs/ingest/{exactly}")).Body;
        Assert.Equal("JobComplete", info["state"].ToString());
        Assert.Equal(10_000, info["numberRecordsProcessed"].GetValue<int>());
        Assert.Equal(0, info["numberRecordsFailed"].GetValue<int>());
        Assert.Equal(20_001, Emulator.Org.Query("SELECT Id FROM Lead WHERE Company = 'Batch Co'").Count);

        var counts = await Counts();
        Assert.Equal(20_001, counts["recordsWritten"].GetValue<long>());
        Assert.Equal(2 * 3 + 1, counts["byEndpoint"]["bulk"].GetValue<long>()); // create, upload, close per job, then one poll
    }

    [Fact]
    public async Task Results_are_refused_until_the_job_is_closed_and_a_job_without_data_fails()
    {
        var job = await Post($"{V}/jobs/ingest", new { @object = "Lead", operation = "insert" });
        string id = job.Body["id"].ToString();
        Assert.Equal("Open", job.Body["state"].ToString());
        Assert.Equal($"services/data/v62.0/jobs/ingest/{id}/batches", job.Body["contentUrl"].ToString());
        var early = await Get($"{V}/jobs/ingest/{id}/successfulResults");
        Assert.Equal(HttpStatusCode.Conflict, early.Status);
        Assert.Equal("INVALIDJOBSTATE", ErrorCode(early.Body));

        await Patch($"{V}/jobs/ingest/{id}", new { state = "UploadComplete" });
        var info = (await Get($"{V}/jobs/ingest/{id}")).Body;
        Assert.Equal("Failed", info["state"].ToString());
        Assert.Contains("No data", info["errorMessage"].ToString());
        Assert.Equal(HttpStatusCode.NoContent, (await Delete($"{V}/jobs/ingest/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Get($"{V}/jobs/ingest/{id}")).Status);
    }

    [Fact]
    public async Task Bulk_ingest_needs_api_41_and_query_jobs_api_47()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Post, "/services/data/v40.0/jobs/ingest", new { @object = "Lead", operation = "insert" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/services/data/v41.0/jobs/ingest", new { @object = "Lead", operation = "insert" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Post, "/services/data/v46.0/jobs/query", new { operation = "query", query = "SELECT Id FROM Lead" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/services/data/v47.0/jobs/query", new { operation = "query", query = "SELECT Id FROM Lead" })).Status);
    }
}
