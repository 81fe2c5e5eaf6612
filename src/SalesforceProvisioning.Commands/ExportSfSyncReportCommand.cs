using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Writes a self-contained HTML report of a sync run (and, with -CsvPath, its rows as CSV): from the
    /// results piped in (with the run's summary from -InformationVariable for the API calls), or from a
    /// rule's run recorded in the state store.
    /// </summary>
    [Cmdlet(VerbsData.Export, "SfSyncReport", DefaultParameterSetName = FromResults, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportSfSyncReportCommand : StateCmdlet
    {
        private const string FromResults = "Results";
        private const string FromRule = "Rule";

        private readonly SyncReport _report = new SyncReport();

        /// <summary>Results of Sync-SfUser, Disable-SfUser or Enable-SfUser.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = FromResults)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        /// <summary>The run's summary: what -InformationVariable captured (it carries the API calls used).</summary>
        [Parameter(ParameterSetName = FromResults)]
        public object[] Summary { get; set; }

        /// <summary>Report a rule's run from the state store instead.</summary>
        [Parameter(Mandatory = true, ParameterSetName = FromRule)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RuleNameCompleter))]
        public string Rule { get; set; }

        /// <summary>With -Rule: the run (Get-SfSyncStatus shows RunId); default the rule's last run.</summary>
        [Parameter(ParameterSetName = FromRule)]
        public long RunId { get; set; }

        /// <summary>The HTML file to write.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>Also write the rows as CSV to this file.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CsvPath { get; set; }

        /// <summary>Write the files' FileInfo objects to the pipeline.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName != FromResults || InputObject == null) return;
            if (InputObject.BaseObject is SfUserSyncResult result)
            {
                _report.Rows.Add(SyncReportRow.From(result));
                return;
            }
            // Results read back from a file (Import-Csv, ConvertFrom-Json): by property name.
            string Text(string name) => InputObject.Properties[name]?.Value?.ToString();
            object changed = InputObject.Properties["ChangedFields"]?.Value;
            _report.Rows.Add(new SyncReportRow
            {
                Username = Text("Username"), Action = Text("Action"), SalesforceId = Text("SalesforceId"), ErrorCode = Text("ErrorCode"),
                Message = Text("Message"), Remedy = Text("Remedy"), WhatIf = string.Equals(Text("WhatIf"), "True", StringComparison.OrdinalIgnoreCase),
                ChangedFields = changed is string s ? s.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(f => f.Trim()).ToList()
                    : LanguagePrimitives.GetEnumerable(changed)?.Cast<object>().Select(f => f?.ToString()).ToList() ?? new List<string>(),
            });
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == FromRule) ReadRun();
            else DescribeResults();

            string html = GetUnresolvedProviderPathFromPSPath(Path);
            string csv = CsvPath == null ? null : GetUnresolvedProviderPathFromPSPath(CsvPath);
            if (!ShouldProcess(html + (csv != null ? " and " + csv : ""), "Write sync report")) return;
            var encoding = new UTF8Encoding(false);
            File.WriteAllText(html, _report.ToHtml(), encoding);
            if (csv != null) File.WriteAllText(csv, _report.ToCsv(), new UTF8Encoding(true)); // a BOM, so spreadsheets read UTF-8
            if (PassThru)
            {
                WriteObject(new FileInfo(html));
                if (csv != null) WriteObject(new FileInfo(csv));
            }
        }

        private void DescribeResults()
        {
            SfSyncSummary summary = (Summary ?? Array.Empty<object>())
                .Select(s => s is PSObject p ? p.BaseObject : s)
                .Select(s => s is InformationRecord info ? (info.MessageData is PSObject m ? m.BaseObject : info.MessageData) : s)
                .OfType<SfSyncSummary>().LastOrDefault();
            if (summary != null)
            {
                _report.Facts.Add(("Command", summary.Command));
                _report.ApiCallsUsed = summary.ApiCallsUsed;
            }
            if (_report.Rows.Any(r => r.WhatIf)) _report.Facts.Add(("Mode", "What if: nothing was written"));
        }

        private void ReadRun()
        {
            SfSyncRun run = RunId > 0
                ? State.Runs(Rule, null, 10000).FirstOrDefault(r => r.RunId == RunId)
                : State.Runs(Rule, null, 1).FirstOrDefault();
            if (run == null)
                ThrowFor(new SalesforceConfigurationException(RunId > 0 ? "RunId" : "Rule",
                    RunId > 0 ? $"Rule '{Rule}' has no run {RunId} in {State.Location}." : $"Rule '{Rule}' has no recorded run in {State.Location}.",
                    "Get-SfSyncStatus -Rule <name> lists the runs and their RunId."), Rule);
            _report.Title = $"Provisioning rule '{run.Rule}', run {run.RunId}";
            _report.Facts.Add(("Rule", run.Rule));
            _report.Facts.Add(("Connection", run.Scope));
            _report.Facts.Add(("Started", run.StartedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture)));
            if (run.FinishedAt.HasValue) _report.Facts.Add(("Finished", run.FinishedAt.Value.ToString("u", System.Globalization.CultureInfo.InvariantCulture)));
            _report.Facts.Add(("Status", run.Status + (run.Error != null ? ": " + run.Error : "")));
            _report.Facts.Add(("Counts", $"Impacted {run.Impacted}, Success {run.Success}, Unsynced {run.Unsynced}, Partial {run.Partial}, Failed {run.Failed}"));
            if (run.Command != null) _report.Facts.Add(("Command", run.Command));
            foreach (SfProvisionedRecord record in State.Provisioned(run.Scope, run.Rule).Where(r => r.LastRunId == run.RunId))
            {
                _report.Rows.Add(new SyncReportRow
                {
                    Username = record.SourceKey, Action = record.LastAction, SalesforceId = record.SalesforceId,
                    ErrorCode = record.LastErrorCode, Message = record.LastMessage, Remedy = record.LastErrorCode == null ? null : Remedies.For(record.LastErrorCode),
                });
            }
            _report.ChangedFieldsNote = "The state store keeps each person's last action, not which fields changed: report the run's results (Sync-SfUser ... | Export-SfSyncReport) to see them.";
        }
    }
}
