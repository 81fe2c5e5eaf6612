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

    private async Task<string> Csv(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BaseUrl + path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Emulator.Info.AccessToken);
        return await (await Http.SendAsync(request)).Content.ReadAsStringAsync();
    }

    /// <summary>
    /// "Job States" (Bulk API 2.0 Developer Guide): InProgress, "the job is being processed by Salesforce". The
    /// bulk-hold control keeps a closed job there after N rows (results answer INVALIDJOBSTATE meanwhile); lifted,
    /// the next request about the job finds the rest processed; aborted instead, the rows not reached are unprocessed.
    /// </summary>
    [Fact]
    public async Task A_held_job_stays_InProgress_until_the_hold_is_lifted_or_it_is_aborted()
    {
        await Control("bulk-hold", new { afterRows = 3 });
        string finished = await RunIngest("Lead", Leads(5));
        var info = (await Get($"{V}/jobs/ingest/{finished}")).Body;
        Assert.Equal("InProgress", info["state"].ToString());
        Assert.Equal(3, info["numberRecordsProcessed"].GetValue<int>());
        Assert.Equal(HttpStatusCode.Conflict, (await Get($"{V}/jobs/ingest/{finished}/successfulResults/")).Status);
        string aborted = await RunIngest("Lead", Leads(5));

        await Control("bulk-hold", new { afterRows = (int?)null });
        info = (await Get($"{V}/jobs/ingest/{finished}")).Body;
        Assert.Equal("JobComplete", info["state"].ToString());
        Assert.Equal(5, info["numberRecordsProcessed"].GetValue<int>());

        await Control("bulk-hold", new { afterRows = 3 }); // held again before the second job is looked at
        Assert.Equal("Aborted", (await Patch($"{V}/jobs/ingest/{aborted}", new { state = "Aborted" })).Body["state"].ToString());
        Assert.Equal(3, (await Get($"{V}/jobs/ingest/{aborted}")).Body["numberRecordsProcessed"].GetValue<int>());
        var unprocessed = (await Csv($"{V}/jobs/ingest/{aborted}/unprocessedrecords/")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, unprocessed.Length); // the header and the two rows never reached
        Assert.Equal(8, Emulator.Org.Query("SELECT Id FROM Lead WHERE Company = 'Batch Co'").Count);
    }

    [Fact]
    public async Task A_lock_fault_on_the_close_fails_the_chosen_rows_of_the_job_and_the_others_are_written()
    {
        // "Organize Data to Minimize Lock Contention" (Bulk API 2.0 Developer Guide): creating users is prone to
        // lock contention; the locked rows are failed rows (failedResults), the rest of the job goes through.
        await Control("faults", new { kind = "UnableToLockRow", count = 1, pathContains = "jobs/ingest", method = "PATCH", recordField = "LastName", recordValues = new[] { "Lead 1", "Lead 3" } });
        string id = await RunIngest("Lead", Leads(5));
        var info = (await Get($"{V}/jobs/ingest/{id}")).Body;
        Assert.Equal("JobComplete", info["state"].ToString());
        Assert.Equal(5, info["numberRecordsProcessed"].GetValue<int>());
        Assert.Equal(2, info["numberRecordsFailed"].GetValue<int>());
        string failed = await Csv($"{V}/jobs/ingest/{id}/failedResults/");
        var lines = failed.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("\"sf__Id\",\"sf__Error\",\"LastName\",\"Company\"", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.Contains("\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record", l));
        Assert.Equal(3, Emulator.Org.Query("SELECT Id FROM Lead WHERE Company = 'Batch Co'").Count);
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
