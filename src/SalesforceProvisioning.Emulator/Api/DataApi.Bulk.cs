using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using SalesforceProvisioning.Emulator.Data;
using SalesforceProvisioning.Emulator.Soql;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>
/// Bulk API 2.0 ("Bulk API 2.0 and Bulk API Developer Guide"): ingest jobs (create, upload CSV, close or abort,
/// poll, successfulResults / failedResults / unprocessedrecords, delete) and query jobs (create, poll, results
/// paged by Sforce-Locator, abort, delete). Every request is one counted call like any REST request. A closed
/// ingest job is processed at once, in batches of 10,000 records, each batch its own transaction and one unit of
/// the org's DailyBulkApiBatches allocation ("Understanding Bulk API 2.0 Ingest"); query jobs take none of it and
/// count in DailyBulkV2QueryJobs ("Bulk API and Bulk API 2.0 Limits and Allocations").
/// </summary>
internal sealed partial class DataApi
{
    public const int BulkBatchSize = 10_000;
    private const int FirstIngestVersion = 41, FirstQueryVersion = 47;
    private static readonly string[] IngestOperations = { "insert", "update", "upsert", "delete", "hardDelete" };

    private ApiResponse Bulk(CallContext context, string method, string[] segments, Dictionary<string, StringValues> query, string body)
    {
        bool isQuery = segments[1] == "query";
        int major = int.Parse(context.ApiVersion.Split('.')[0], CultureInfo.InvariantCulture);
        if (major < (isQuery ? FirstQueryVersion : FirstIngestVersion)) return ApiResponse.NotFound();
        if (segments.Length == 2)
            return method switch
            {
                "POST" => isQuery ? CreateQueryJob(context, body) : CreateIngestJob(context, body),
                "GET" => ListJobs(context, isQuery),
                _ => MethodNotAllowed(method, "GET, POST"),
            };
        var job = state.BulkJobs.Find(segments[2], isQuery);
        if (job == null) return ApiResponse.Error(404, "NOT_FOUND", "The requested resource does not exist");
        if (job.State == "InProgress" && job.Pending.Count > 0) ContinueIngestJob(context, job); // a lifted hold: Salesforce went on meanwhile
        return (segments[3..], method) switch
        {
            ([], "GET") => ApiResponse.Ok(JobInfo(job, withCounts: true)),
            ([], "PATCH") => ChangeJobState(context, job, body),
            ([], "DELETE") => DeleteJob(job),
            (["batches"], "PUT") when !isQuery => UploadJobData(job, body),
            (["successfulResults"], "GET") when !isQuery => IngestResults(job, successful: true),
            (["failedResults"], "GET") when !isQuery => IngestResults(job, successful: false),
            (["unprocessedrecords"], "GET") when !isQuery => UnprocessedRecords(job),
            (["results"], "GET") when isQuery => QueryJobResults(job, query),
            ([], _) => MethodNotAllowed(method, "GET, PATCH, DELETE"),
            _ => ApiResponse.NotFound(),
        };
    }

    private static ApiResponse InvalidJob(string message) => ApiResponse.Error(400, "INVALIDJOB", message);

    private static ApiResponse InvalidJobState(string message) => ApiResponse.Error(409, "INVALIDJOBSTATE", message);

    /// <summary>lineEnding and columnDelimiter as the request names them, or an error.</summary>
    private static (string LineEnding, string Delimiter, ApiResponse Error) CsvOptions(JsonObject request)
    {
        string contentType = request["contentType"]?.ToString() ?? "CSV";
        if (contentType != "CSV") return (null, null, InvalidJob($"contentType {contentType} is not supported: Bulk API 2.0 takes CSV"));
        string lineEnding = request["lineEnding"]?.ToString() ?? "LF";
        if (lineEnding is not ("LF" or "CRLF")) return (null, null, InvalidJob($"Invalid lineEnding {lineEnding}: use LF or CRLF"));
        string delimiter = request["columnDelimiter"]?.ToString() ?? "COMMA";
        if (!BulkCsv.Delimiters.ContainsKey(delimiter))
            return (null, null, InvalidJob($"Invalid columnDelimiter {delimiter}: use {string.Join(", ", BulkCsv.Delimiters.Keys)}"));
        return (lineEnding, delimiter, null);
    }

    private ApiResponse CreateIngestJob(CallContext context, string body)
    {
        var request = ParseObjectBody(body);
        string objectName = request["object"]?.ToString();
        string operation = request["operation"]?.ToString();
        if (string.IsNullOrEmpty(objectName)) return InvalidJob("The job needs an object.");
        var type = Org.Schema.Find(objectName);
        if (type == null) return InvalidJob($"Entity '{objectName}' is not supported by the Bulk API.");
        if (!IngestOperations.Contains(operation)) return InvalidJob($"Invalid operation {operation}: use {string.Join(", ", IngestOperations)}");
        if (operation == "hardDelete")
            return ApiResponse.Error(400, "FEATURENOTENABLED", "hardDelete needs the Bulk API Hard Delete permission, which the emulator's integration user does not have: use delete.");
        string externalId = request["externalIdFieldName"]?.ToString();
        if (operation == "upsert")
        {
            var field = type.FindField(externalId);
            if (field == null || !(field.ExternalId || field.Name == "Id"))
                return InvalidJob($"upsert needs externalIdFieldName naming an external id field of {type.Name}, not '{externalId}'.");
            externalId = field.Name;
        }
        var (lineEnding, delimiter, error) = CsvOptions(request);
        if (error != null) return error;

        var now = Org.Clock();
        var job = new BulkJob
        {
            Id = state.BulkJobs.NewId(), Operation = operation, ObjectName = type.Name, ExternalIdFieldName = operation == "upsert" ? externalId : null,
            ApiVersion = context.ApiVersion, CreatedById = context.User.Id, CreatedDate = now, SystemModstamp = now, State = "Open",
            LineEnding = lineEnding, ColumnDelimiter = delimiter,
        };
        state.BulkJobs.Add(job);
        var info = JobInfo(job, withCounts: false);
        info["contentUrl"] = $"services/data/v{context.ApiVersion}/jobs/ingest/{job.Id}/batches";
        return ApiResponse.Ok(info);
    }

    private ApiResponse UploadJobData(BulkJob job, string body)
    {
        if (job.State != "Open") return InvalidJobState($"Job {job.Id} is {job.State}: data can only be uploaded to an Open job.");
        if (job.Upload != null) return InvalidJobState($"Job {job.Id} already has its data: Bulk API 2.0 takes one upload per job.");
        job.Upload = body ?? "";
        job.SystemModstamp = Org.Clock();
        return ApiResponse.Json(201, null);
    }

    private ApiResponse ChangeJobState(CallContext context, BulkJob job, string body)
    {
        string wanted = ParseObjectBody(body)["state"]?.ToString();
        switch (wanted)
        {
            case "UploadComplete" when !job.IsQuery && job.State == "Open":
                job.State = "UploadComplete";
                var answer = JobInfo(job, withCounts: false); // the job is processed after the close is acknowledged
                ProcessIngestJob(context, job);
                return ApiResponse.Ok(answer);
            case "Aborted" when job.State is "Open" or "UploadComplete" or "InProgress":
                job.State = "Aborted";
                job.SystemModstamp = Org.Clock();
                if (!job.IsQuery && job.Upload != null && job.Results.Count == 0 && job.Pending.Count == 0)
                    job.Unprocessed.AddRange(BulkCsv.Parse(job.Upload, job.Delimiter, out _)?.Skip(1) ?? Enumerable.Empty<string[]>());
                // Aborted while InProgress: the rows not reached yet are never processed.
                job.Unprocessed.AddRange(job.Pending);
                job.Pending.Clear();
                return ApiResponse.Ok(JobInfo(job, withCounts: false));
            default:
                return InvalidJobState($"Job {job.Id} is {job.State} and cannot become {wanted}.");
        }
    }

    private ApiResponse DeleteJob(BulkJob job)
    {
        if (job.State is not ("UploadComplete" or "JobComplete" or "Aborted" or "Failed"))
            return InvalidJobState($"Job {job.Id} is {job.State}: close or abort it before deleting it.");
        state.BulkJobs.Remove(job);
        return ApiResponse.NoContent();
    }

    /// <summary>Runs a closed ingest job: 10,000 rows per batch, each row succeeding or failing alone.</summary>
    private void ProcessIngestJob(CallContext context, BulkJob job)
    {
        job.SystemModstamp = Org.Clock();
        string csvError = null;
        var rows = job.Upload == null ? null : BulkCsv.Parse(job.Upload, job.Delimiter, out csvError);
        if (rows == null || rows.Count == 0)
        {
            Fail(job, job.Upload == null ? "InvalidBatch : No data was uploaded for this job"
                : rows == null ? $"InvalidBatch : The uploaded CSV cannot be read: {csvError}"
                : "InvalidBatch : The uploaded CSV has no header row");
            return;
        }
        job.Header = rows[0].Select(h => h.Trim()).ToArray();
        var type = Org.Schema.Find(job.ObjectName);
        var unknown = job.Header.FirstOrDefault(h => type.FindField(h) == null);
        if (unknown != null)
        {
            job.Unprocessed.AddRange(rows.Skip(1));
            Fail(job, $"InvalidBatch : Field name not found : {unknown}");
            return;
        }
        job.Pending.AddRange(rows.Skip(1));
        ContinueIngestJob(context, job);
    }

    /// <summary>
    /// Processes a closed job's pending rows, a batch of up to 10,000 at a time, until none is left (JobComplete) or
    /// a hold set by the bulk-hold control endpoint is reached: the job then stays InProgress, as a job Salesforce
    /// is still working through does ("Job States": InProgress, "The job is being processed by Salesforce").
    /// </summary>
    private void ContinueIngestJob(CallContext context, BulkJob job)
    {
        var type = Org.Schema.Find(job.ObjectName);
        while (job.Pending.Count > 0)
        {
            int room = state.BulkHoldAfterRows is int hold ? hold - job.Results.Count : int.MaxValue;
            if (room <= 0)
            {
                job.State = "InProgress";
                job.SystemModstamp = Org.Clock();
                return;
            }
            // A batch is the rows of one 10,000-row slice of the upload; a hold may split one across requests.
            int inBatch = BulkBatchSize - job.Results.Count % BulkBatchSize;
            if (job.Results.Count % BulkBatchSize == 0 && !state.Usage.TryTakeBulkBatch())
            {
                job.Unprocessed.AddRange(job.Pending);
                job.Pending.Clear();
                Fail(job, "ExceededQuota : The org's daily Bulk API batch allocation (DailyBulkApiBatches) is used up");
                return;
            }
            var batch = context.InNewTransaction(context.ApiVersion);
            var slice = job.Pending.Take(Math.Min(inBatch, room)).ToList();
            job.Pending.RemoveRange(0, slice.Count);
            foreach (var row in slice)
                job.Results.Add(IngestRow(batch, job, type, row, job.Results.Count));
        }
        job.State = "JobComplete";
        job.SystemModstamp = Org.Clock();
    }

    private void Fail(BulkJob job, string message)
    {
        job.State = "Failed";
        job.ErrorMessage = message;
        job.SystemModstamp = Org.Clock();
    }

    /// <summary>
    /// One row in its batch's transaction. A record fault rule (UnableToLockRow, RecordError) posted for the close
    /// fails the rows it chooses, as lock contention fails rows of a parallel job ("Organize Data to Minimize Lock
    /// Contention", Bulk API 2.0 Developer Guide, names creating users among the operations likely to cause it:
    /// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_organize_data.htm);
    /// such rows appear in failedResults and the client resubmits them.
    /// </summary>
    private IngestRowResult IngestRow(CallContext batch, BulkJob job, ObjectDefinition type, string[] row, int rowIndex)
    {
        if (row.Length != job.Header.Length)
            return new IngestRowResult(row, null, false, $"INVALID_FIELD:The row has {row.Length} fields; the header has {job.Header.Length}:--");
        // Bulk API 2.0 ignores empty values; #N/A sets a field to null.
        var fields = new JsonObject();
        for (int i = 0; i < row.Length; i++)
        {
            if (row[i].Length == 0) continue;
            fields[type.FindField(job.Header[i]).Name] = row[i] == "#N/A" ? null : JsonValue.Create(row[i]);
        }
        string id = fields["Id"]?.ToString();
        fields.Remove("Id");
        if (batch.FaultFor(rowIndex, fields, id == null ? null : Org.FindById(id)) is { } fault)
            return new IngestRowResult(row, id, false, $"{fault.StatusCode}:{fault.Message}:{string.Join(",", fault.Fields)} --");
        SaveResult result;
        bool created = false;
        switch (job.Operation)
        {
            case "insert":
                result = Org.CreateRecord(batch.Transaction, type.Name, fields, WriteMode.Api);
                created = result.Success;
                break;
            case "update":
                result = id == null ? SaveResult.Failed("MISSING_ARGUMENT", "Id not specified in an update call", "Id")
                    : Org.UpdateRecord(batch.Transaction, type.Name, id, fields, WriteMode.Api);
                break;
            case "upsert":
                string key = job.ExternalIdFieldName == "Id" ? id : fields[job.ExternalIdFieldName]?.ToString();
                if (key == null) { result = SaveResult.Failed("MISSING_ARGUMENT", $"{job.ExternalIdFieldName} not specified", job.ExternalIdFieldName); break; }
                var existing = job.ExternalIdFieldName == "Id" ? Org.FindById(key) : Org.FindByUniqueField(type, job.ExternalIdFieldName, key);
                if (existing != null) result = Org.UpdateRecord(batch.Transaction, type.Name, existing.Id, fields, WriteMode.Api);
                else if (job.ExternalIdFieldName == "Id") result = SaveResult.Failed("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "Id");
                else
                {
                    result = Org.CreateRecord(batch.Transaction, type.Name, fields, WriteMode.Api);
                    created = result.Success;
                }
                break;
            default: // delete
                result = id == null ? SaveResult.Failed("MISSING_ARGUMENT", "Id not specified in a delete call", "Id")
                    : Org.DeleteRecord(batch.Transaction, type.Name, id, WriteMode.Api);
                break;
        }
        if (result.Success) return new IngestRowResult(row, result.Id, created, null);
        var error = result.Errors[0];
        return new IngestRowResult(row, id, false, $"{error.StatusCode}:{error.Message}:{string.Join(",", error.Fields)} --");
    }

    /// <summary>successfulResults ("sf__Id","sf__Created", then the uploaded columns) or failedResults ("sf__Id","sf__Error", ...).</summary>
    private static ApiResponse IngestResults(BulkJob job, bool successful)
    {
        if (job.State is "Open" or "UploadComplete" or "InProgress")
            return InvalidJobState($"Job {job.Id} is {job.State}: its results are ready once it is JobComplete, Failed or Aborted.");
        var csv = new StringBuilder();
        BulkCsv.AppendRow(csv, new[] { "sf__Id", successful ? "sf__Created" : "sf__Error" }.Concat(job.Header), job.Delimiter, job.LineBreak);
        foreach (var result in job.Results.Where(r => (r.Error == null) == successful))
            BulkCsv.AppendRow(csv, new[] { result.Id ?? "", successful ? (result.Created ? "true" : "false") : result.Error }.Concat(result.Row), job.Delimiter, job.LineBreak);
        return ApiResponse.Csv(200, csv.ToString());
    }

    private static ApiResponse UnprocessedRecords(BulkJob job)
    {
        var csv = new StringBuilder();
        var header = job.Header.Length > 0 ? job.Header
            : job.Upload != null ? BulkCsv.Parse(job.Upload, job.Delimiter, out _)?.FirstOrDefault() ?? Array.Empty<string>() : Array.Empty<string>();
        if (header.Length > 0) BulkCsv.AppendRow(csv, header, job.Delimiter, job.LineBreak);
        foreach (var row in job.Unprocessed) BulkCsv.AppendRow(csv, row, job.Delimiter, job.LineBreak);
        return ApiResponse.Csv(200, csv.ToString());
    }

    private ApiResponse CreateQueryJob(CallContext context, string body)
    {
        var request = ParseObjectBody(body);
        string operation = request["operation"]?.ToString() ?? "query";
        if (operation is not ("query" or "queryAll")) return InvalidJob($"Invalid operation {operation}: use query or queryAll");
        string soql = request["query"]?.ToString();
        if (string.IsNullOrWhiteSpace(soql)) return InvalidJob("The job needs a query.");
        var (lineEnding, delimiter, error) = CsvOptions(request);
        if (error != null) return error;
        if (!state.Usage.TryTakeBulkQueryJob())
            return ApiResponse.Error(400, "LIMIT_EXCEEDED", "The org's daily Bulk API 2.0 query job allocation (DailyBulkV2QueryJobs) is used up.");

        // The rows are taken when the job is created; an invalid query fails the request as it does in Salesforce.
        var result = new QueryEngine(Org).Execute(soql, includeAll: operation == "queryAll", context.ApiVersion);
        var parsed = SoqlParser.Parse(soql);
        var columns = result.Records.Count > 0
            ? Flatten(result.Records[0]).Select(p => p.Key).ToList()
            : parsed.Select.OfType<FieldSelect>().Select(f => f.Path.ToString()).ToList();
        var now = Org.Clock();
        var job = new BulkJob
        {
            Id = state.BulkJobs.NewId(), IsQuery = true, Operation = operation, ObjectName = Org.Schema.Find(parsed.From.Text).Name, Query = soql,
            ApiVersion = context.ApiVersion, CreatedById = context.User.Id, CreatedDate = now, SystemModstamp = now, State = "JobComplete",
            LineEnding = lineEnding, ColumnDelimiter = delimiter, Columns = columns,
            Rows = result.Records.Select(r => { var flat = Flatten(r); return columns.Select(c => flat.GetValueOrDefault(c)).ToArray(); }).ToList(),
        };
        state.BulkJobs.Add(job);
        var info = JobInfo(job, withCounts: false);
        info["state"] = "UploadComplete"; // as the create call reports it; a poll finds it JobComplete
        return ApiResponse.Ok(info);
    }

    /// <summary>A record's fields as CSV columns: relationship paths dotted (Profile.Name), nulls empty, no attributes.</summary>
    private static Dictionary<string, string> Flatten(JsonObject record, string prefix = "")
    {
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in record)
        {
            if (name == "attributes") continue;
            if (value is JsonObject parent) foreach (var (path, text) in Flatten(parent, prefix + name + ".")) columns[path] = text;
            else columns[prefix + name] = value switch
            {
                null => "",
                JsonValue v when v.TryGetValue(out string s) => s,
                _ => value.ToJsonString(),
            };
        }
        return columns;
    }

    /// <summary>GET .../results?locator=&amp;maxRecords=: a page of CSV; Sforce-Locator names the next page ("null" on the last).</summary>
    private static ApiResponse QueryJobResults(BulkJob job, Dictionary<string, StringValues> query)
    {
        if (job.State != "JobComplete") return InvalidJobState($"Job {job.Id} is {job.State}: results are ready once it is JobComplete.");
        int offset = 0;
        string locator = query.GetValueOrDefault("locator").ToString();
        if (locator.Length > 0)
        {
            try
            {
                offset = int.Parse(Encoding.ASCII.GetString(Convert.FromBase64String(locator.PadRight((locator.Length + 3) / 4 * 4, '='))), NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                offset = -1;
            }
            if (offset < 0 || offset > job.Rows.Count) return ApiResponse.Error(400, "INVALIDLOCATOR", $"Invalid locator: {locator}");
        }
        string maxText = query.GetValueOrDefault("maxRecords").ToString();
        int max = job.Rows.Count;
        if (maxText.Length > 0 && (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max < 1))
            return ApiResponse.Error(400, "INVALIDPARAMETER", $"maxRecords must be a positive whole number, not '{maxText}'");

        var page = job.Rows.Skip(offset).Take(max).ToList();
        var csv = new StringBuilder();
        BulkCsv.AppendRow(csv, job.Columns, job.Delimiter, job.LineBreak);
        foreach (var row in page) BulkCsv.AppendRow(csv, row, job.Delimiter, job.LineBreak);
        int next = offset + page.Count;
        var response = ApiResponse.Csv(200, csv.ToString());
        response.Headers["Sforce-Locator"] = next < job.Rows.Count
            ? Convert.ToBase64String(Encoding.ASCII.GetBytes(next.ToString(CultureInfo.InvariantCulture))).TrimEnd('=')
            : "null";
        response.Headers["Sforce-NumberOfRecords"] = page.Count.ToString(CultureInfo.InvariantCulture);
        return response;
    }

    private ApiResponse ListJobs(CallContext context, bool isQuery) => ApiResponse.Ok(new JsonObject
    {
        ["done"] = true,
        ["records"] = new JsonArray(state.BulkJobs.All(isQuery).Select(j => (JsonNode)JobInfo(j, withCounts: false)).ToArray()),
        ["nextRecordsUrl"] = null,
    });

    private static JsonObject JobInfo(BulkJob job, bool withCounts)
    {
        var info = new JsonObject
        {
            ["id"] = job.Id,
            ["operation"] = job.Operation,
            ["object"] = job.ObjectName,
            ["createdById"] = job.CreatedById,
            ["createdDate"] = FieldValues.FormatDateTime(job.CreatedDate),
            ["systemModstamp"] = FieldValues.FormatDateTime(job.SystemModstamp),
            ["state"] = job.State,
        };
        if (job.ExternalIdFieldName != null) info["externalIdFieldName"] = job.ExternalIdFieldName;
        info["concurrencyMode"] = "Parallel";
        info["contentType"] = "CSV";
        info["apiVersion"] = double.Parse(job.ApiVersion, CultureInfo.InvariantCulture);
        info["jobType"] = job.IsQuery ? "V2Query" : "V2Ingest";
        info["lineEnding"] = job.LineEnding;
        info["columnDelimiter"] = job.ColumnDelimiter;
        if (!withCounts) return info;
        info["numberRecordsProcessed"] = job.IsQuery ? job.Rows.Count : job.NumberRecordsProcessed;
        if (!job.IsQuery) info["numberRecordsFailed"] = job.NumberRecordsFailed;
        info["retries"] = 0;
        info["totalProcessingTime"] = 0;
        if (!job.IsQuery)
        {
            info["apiActiveProcessingTime"] = 0;
            info["apexProcessingTime"] = 0;
        }
        if (job.ErrorMessage != null) info["errorMessage"] = job.ErrorMessage;
        return info;
    }
}
