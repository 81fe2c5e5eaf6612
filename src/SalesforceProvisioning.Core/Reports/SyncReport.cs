using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;

namespace SalesforceProvisioning
{
    /// <summary>What a user sync run reports at its end: counts by action and the API calls it spent.</summary>
    public sealed class SfSyncSummary
    {
        public string Command { get; set; }
        public int Inputs { get; set; }
        public IReadOnlyDictionary<string, int> Actions { get; set; } = new Dictionary<string, int>();

        /// <summary>Counted API calls the run used (from Salesforce's Sforce-Limit-Info header); null when unknown.</summary>
        public long? ApiCallsUsed { get; set; }

        public string Matching { get; set; }

        /// <summary>Licence seats the run freed (deactivated users, removed permission set licences).</summary>
        public long LicenceSeatsFreed { get; set; }

        /// <summary>Users the run froze: they keep their licence seats (freezing does not free a licence).</summary>
        public int FrozenKeepingSeats { get; set; }

        /// <summary>The seat plan per licence the run took seats of (the same under -WhatIf).</summary>
        public IReadOnlyList<string> LicenceSeats { get; set; } = Array.Empty<string>();

        /// <summary>How user creates and updates went when Bulk API 2.0 was used (or, under -WhatIf, would go), with why; null for composite runs.</summary>
        public string Writes { get; set; }

        /// <summary>How the scan of every user was read when a Bulk API 2.0 query job was used (or, under -WhatIf, whichever path), with why; null otherwise.</summary>
        public string Reads { get; set; }

        /// <summary>The one-line summary the information stream shows.</summary>
        public override string ToString()
            => $"{Command}: {Inputs} input(s): " + string.Join(", ", Actions.Where(a => a.Value > 0).Select(a => $"{a.Key} {a.Value}"))
               + Seats + (ApiCallsUsed.HasValue ? $"; API calls used: {ApiCallsUsed}" : "") + (Matching != null ? $"; matching: {Matching}" : "") + (Writes != null ? $"; writes: {Writes}" : "") + (Reads != null ? $"; reads: {Reads}" : "") + ".";

        private string Seats => string.Concat(LicenceSeats.Select(l => "; " + l)) + (LicenceSeatsFreed > 0 || FrozenKeepingSeats > 0
            ? $"; licence seats freed: {LicenceSeatsFreed}" + (FrozenKeepingSeats > 0 ? $" (frozen users keep theirs: {FrozenKeepingSeats})" : "")
            : "");
    }

    /// <summary>One person's line in a report.</summary>
    public sealed class SyncReportRow
    {
        public string Username { get; set; }
        public string Action { get; set; }
        public string SalesforceId { get; set; }
        public IReadOnlyList<string> ChangedFields { get; set; } = Array.Empty<string>();
        public string ErrorCode { get; set; }
        public string Message { get; set; }
        public string Remedy { get; set; }
        public bool WhatIf { get; set; }

        public static SyncReportRow From(SfUserSyncResult r) => new SyncReportRow
        {
            Username = r.Username, Action = r.Action, SalesforceId = r.SalesforceId, ChangedFields = r.ChangedFields,
            ErrorCode = r.ErrorCode, Message = r.Message, Remedy = r.Remedy, WhatIf = r.WhatIf,
        };
    }

    /// <summary>
    /// A run's report: one self-contained HTML page (inline style and SVG, no script, nothing fetched) with
    /// counts by action, a bar chart of them, the failures with their remedies, the API calls spent and the
    /// changed fields per person; and the same rows as CSV. Every value is encoded, so source data can never
    /// become markup (HTML) or a formula (CSV opened in a spreadsheet).
    /// </summary>
    public sealed class SyncReport
    {
        private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

        // The order actions appear in, and their chart colours (failures stand out).
        private static readonly string[] ActionOrder = { "Created", "Updated", "Reactivated", "Disabled", "Frozen", "Deleted", "Promoted", "Demoted", "Unchanged", "Skipped", "Failed" };
        private static readonly Dictionary<string, string> Colours = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Created"] = "#2e7d32", ["Updated"] = "#1565c0", ["Reactivated"] = "#00838f", ["Disabled"] = "#6d4c41", ["Frozen"] = "#5e35b1",
            ["Deleted"] = "#4e342e", ["Promoted"] = "#558b2f", ["Demoted"] = "#ef6c00", ["Unchanged"] = "#9e9e9e", ["Skipped"] = "#f9a825", ["Failed"] = "#c62828",
        };

        public string Title { get; set; } = "Salesforce provisioning run";

        /// <summary>Lines under the title: rule, run, command, times.</summary>
        public List<(string Label, string Value)> Facts { get; } = new List<(string, string)>();

        public List<SyncReportRow> Rows { get; } = new List<SyncReportRow>();

        public long? ApiCallsUsed { get; set; }

        /// <summary>Counts by action, from the rows, unless a run recorded its own (the state store's counts).</summary>
        public IReadOnlyDictionary<string, int> Counts { get; set; }

        /// <summary>Said where changed fields would be, when the source of the report does not keep them.</summary>
        public string ChangedFieldsNote { get; set; }

        public IReadOnlyList<KeyValuePair<string, int>> ActionCounts()
        {
            IEnumerable<KeyValuePair<string, int>> counts = Counts ?? Rows.GroupBy(r => r.Action ?? "(none)", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
            return counts.Where(c => c.Value > 0)
                .OrderBy(c => Array.IndexOf(ActionOrder, c.Key) < 0 ? int.MaxValue : Array.IndexOf(ActionOrder, c.Key)).ThenBy(c => c.Key, StringComparer.Ordinal)
                .ToList();
        }

        public string ToHtml()
        {
            var counts = ActionCounts();
            var failures = Rows.Where(r => r.Action == "Failed").ToList();
            var changed = Rows.Where(r => r.ChangedFields != null && r.ChangedFields.Count > 0).ToList();
            var html = new StringBuilder();
            html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
                .Append("<title>").Append(E(Title)).Append("</title><style>")
                .Append("body{font-family:system-ui,Segoe UI,Arial,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:0.5em 0 1.5em}")
                .Append("th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}")
                .Append(".num{text-align:right}.failed{color:#c62828}dl{display:grid;grid-template-columns:max-content auto;gap:2px 1em}dt{font-weight:600}")
                .Append("</style></head><body>\n");
            html.Append("<h1>").Append(E(Title)).Append("</h1>\n<dl id=\"facts\">");
            foreach (var (label, value) in Facts) html.Append("<dt>").Append(E(label)).Append("</dt><dd>").Append(E(value)).Append("</dd>");
            html.Append("<dt>People</dt><dd id=\"people\">").Append(counts.Sum(c => c.Value).ToString(Invariant)).Append("</dd>");
            html.Append("<dt>API calls used</dt><dd id=\"api-calls\">").Append(ApiCallsUsed.HasValue ? ApiCallsUsed.Value.ToString(Invariant) : "not recorded").Append("</dd></dl>\n");

            html.Append("<h2>Actions</h2>\n<table id=\"counts\"><tr><th>Action</th><th class=\"num\">People</th></tr>");
            foreach (var c in counts) html.Append("<tr><td>").Append(E(c.Key)).Append("</td><td class=\"num\">").Append(c.Value.ToString(Invariant)).Append("</td></tr>");
            html.Append("</table>\n").Append(Chart(counts)).Append('\n');

            html.Append("<h2>Failures</h2>\n");
            if (failures.Count == 0) html.Append("<p id=\"no-failures\">None.</p>\n");
            else
            {
                html.Append("<table id=\"failures\"><tr><th>Username</th><th>Error</th><th>Message</th><th>Remedy</th></tr>");
                foreach (var f in failures)
                    html.Append("<tr><td>").Append(E(f.Username)).Append("</td><td class=\"failed\">").Append(E(f.ErrorCode)).Append("</td><td>")
                        .Append(E(f.Message)).Append("</td><td>").Append(E(f.Remedy)).Append("</td></tr>");
                html.Append("</table>\n");
            }

            html.Append("<h2>Changed fields</h2>\n");
            if (ChangedFieldsNote != null) html.Append("<p id=\"changed-note\">").Append(E(ChangedFieldsNote)).Append("</p>\n");
            else if (changed.Count == 0) html.Append("<p id=\"no-changes\">No field changed.</p>\n");
            else
            {
                html.Append("<table id=\"changes\"><tr><th>Username</th><th>Action</th><th>Changed fields</th></tr>");
                foreach (var r in changed)
                    html.Append("<tr><td>").Append(E(r.Username)).Append("</td><td>").Append(E(r.Action + (r.WhatIf ? " (what if)" : ""))).Append("</td><td>")
                        .Append(E(string.Join(", ", r.ChangedFields))).Append("</td></tr>");
                html.Append("</table>\n");
            }
            html.Append("</body></html>\n");
            return html.ToString();
        }

        /// <summary>A horizontal bar per action, drawn in SVG inside the page (no script, no external file).</summary>
        private static string Chart(IReadOnlyList<KeyValuePair<string, int>> counts)
        {
            const int barHeight = 22, gap = 6, labelWidth = 110, barWidth = 400;
            int max = Math.Max(1, counts.Count == 0 ? 1 : counts.Max(c => c.Value));
            int height = Math.Max(1, counts.Count) * (barHeight + gap);
            var svg = new StringBuilder();
            svg.Append("<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"People by action\" width=\"")
                .Append((labelWidth + barWidth + 60).ToString(Invariant)).Append("\" height=\"").Append(height.ToString(Invariant)).Append("\">");
            for (int i = 0; i < counts.Count; i++)
            {
                int y = i * (barHeight + gap);
                int width = Math.Max(2, (int)Math.Round((double)barWidth * counts[i].Value / max));
                string colour = Colours.TryGetValue(counts[i].Key, out string c) ? c : "#607d8b";
                svg.Append("<g class=\"bar\" data-action=\"").Append(E(counts[i].Key)).Append("\" data-count=\"").Append(counts[i].Value.ToString(Invariant)).Append("\">")
                    .Append("<text x=\"0\" y=\"").Append((y + 16).ToString(Invariant)).Append("\" font-size=\"13\">").Append(E(counts[i].Key)).Append("</text>")
                    .Append("<rect x=\"").Append(labelWidth.ToString(Invariant)).Append("\" y=\"").Append(y.ToString(Invariant)).Append("\" width=\"").Append(width.ToString(Invariant))
                    .Append("\" height=\"").Append(barHeight.ToString(Invariant)).Append("\" fill=\"").Append(colour).Append("\"/>")
                    .Append("<text x=\"").Append((labelWidth + width + 6).ToString(Invariant)).Append("\" y=\"").Append((y + 16).ToString(Invariant)).Append("\" font-size=\"13\">")
                    .Append(counts[i].Value.ToString(Invariant)).Append("</text></g>");
            }
            return svg.Append("</svg>").ToString();
        }

        /// <summary>The rows as CSV (RFC 4180), one line per person.</summary>
        public string ToCsv()
        {
            var csv = new StringBuilder("Username,Action,WhatIf,SalesforceId,ChangedFields,ErrorCode,Message,Remedy\r\n");
            foreach (var r in Rows)
            {
                csv.Append(string.Join(",", new[]
                {
                    r.Username, r.Action, r.WhatIf ? "True" : "False", r.SalesforceId, string.Join(", ", r.ChangedFields ?? Array.Empty<string>()), r.ErrorCode, r.Message, r.Remedy,
                }.Select(Cell))).Append("\r\n");
            }
            return csv.ToString();
        }

        private static string Cell(string value)
        {
            if (string.IsNullOrEmpty(value)) return string.Empty;
            // A cell a spreadsheet would run as a formula is kept as text (OWASP: CSV injection).
            if ("=+-@\t\r".IndexOf(value[0]) >= 0) value = "'" + value;
            return value.IndexOfAny(new[] { ',', '"', '\r', '\n' }) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
        }

        private static string E(string text) => WebUtility.HtmlEncode(text ?? string.Empty);
    }
}
