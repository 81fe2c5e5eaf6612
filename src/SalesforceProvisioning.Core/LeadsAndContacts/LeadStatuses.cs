using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The org's lead status values, read from the LeadStatus object (ApiName, MasterLabel, IsConverted,
    /// IsDefault, SortOrder; Object Reference, "LeadStatus":
    /// https://developer.salesforce.com/docs/atlas.en-us.262.0.object_reference.meta/object_reference/sforce_api_objects_leadstatus.htm)
    /// instead of assuming the standard picklist. LeadStatus marks converted values (IsConverted) and the
    /// default one (IsDefault) but has no "closed" flag, so the status that closes a lead on deprovisioning
    /// and the one that reopens it are the connection's settings (-LeadClosedStatus, -LeadReopenStatus),
    /// checked against the org's values at the start of the run. Without them: the first non-converted value
    /// whose name starts with "Closed" (as Salesforce's own "Closed - Not Converted"), and the org's default.
    /// </summary>
    public sealed class LeadStatuses
    {
        public const string Query = "SELECT ApiName, MasterLabel, IsConverted, IsDefault, SortOrder FROM LeadStatus ORDER BY SortOrder";

        private readonly List<string> _open = new List<string>();
        private readonly HashSet<string> _closedByName = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        private LeadStatuses() { }

        /// <summary>The status convertLead gives converted leads (the first converted value).</summary>
        public string Converted { get; private set; }

        /// <summary>The status that closes a lead of a person disabled or deleted in the source; null when none qualifies.</summary>
        public string Closed { get; private set; }

        /// <summary>The status a reopened lead gets; null when none qualifies.</summary>
        public string Reopen { get; private set; }

        /// <summary>The values a lead can be set to (not converted), in the org's order: named in errors.</summary>
        public IReadOnlyList<string> Settable => _open;

        /// <summary>A lead in the closing status was closed by deprovisioning.</summary>
        public bool IsClosed(string status) => status != null && Closed != null && string.Equals(status, Closed, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// A lead in another status named "Closed..." (sales' "Closed - Lost") was closed in Salesforce, not by us:
        /// deprovisioning leaves it as it is, and re-enabling does not reopen it.
        /// </summary>
        public bool IsClosedInSalesforce(string status) => status != null && !IsClosed(status) && _closedByName.Contains(status);

        /// <summary>Why no status closes (or reopens) a lead, and what to do: a person's error when one needs it.</summary>
        public (string Problem, string Remedy) Missing(bool closing) => closing
            ? ($"No lead status closes the lead: the org has none whose name starts with 'Closed', and the connection names none (the org's lead statuses: {List(_open)}).",
               "Create the connection with -LeadClosedStatus naming one of them, add a 'Closed...' status (Setup > Lead Status), or use -AllowDelete -RemoveAction Delete.")
            : ($"No lead status reopens the lead: the org's default status is the closing one or none, and the connection names none (the org's lead statuses: {List(_open)}).",
               "Create the connection with -LeadReopenStatus naming one of them, or mark an open status as the default (Setup > Lead Status).");

        /// <summary>
        /// The org's statuses with the connection's choices; throws <see cref="SalesforceConfigurationException"/>
        /// when a chosen status is not one the org's leads can be set to, naming those that are.
        /// </summary>
        public static LeadStatuses From(IEnumerable<JObject> records, string closedStatus = null, string reopenStatus = null)
        {
            var statuses = new LeadStatuses();
            var converted = new List<string>();
            var labels = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string defaultStatus = null;
            foreach (JObject record in records.OrderBy(r => r.Value<int?>("SortOrder") ?? int.MaxValue))
            {
                string value = record.Value<string>("ApiName") ?? record.Value<string>("MasterLabel");
                if (string.IsNullOrEmpty(value)) continue;
                string label = record.Value<string>("MasterLabel") ?? value;
                if (record.Value<bool?>("IsConverted") == true)
                {
                    converted.Add(value);
                    statuses.Converted = statuses.Converted ?? value;
                    continue;
                }
                statuses._open.Add(value);
                labels[value] = value;
                labels[label] = value;
                if (record.Value<bool?>("IsDefault") == true) defaultStatus = value;
                bool closedByName = value.StartsWith("Closed", StringComparison.OrdinalIgnoreCase) || label.StartsWith("Closed", StringComparison.OrdinalIgnoreCase);
                if (!closedByName) continue;
                statuses._closedByName.Add(value);
                statuses._closedByName.Add(label);
                if (closedStatus == null) statuses.Closed = statuses.Closed ?? value;
            }
            if (closedStatus != null) statuses.Closed = Chosen("LeadClosedStatus", closedStatus, labels, converted, statuses._open);
            if (reopenStatus != null) statuses.Reopen = Chosen("LeadReopenStatus", reopenStatus, labels, converted, statuses._open);
            else if (defaultStatus != null && !statuses.IsClosed(defaultStatus)) statuses.Reopen = defaultStatus;
            if (statuses.Reopen != null && statuses.IsClosed(statuses.Reopen))
                throw new SalesforceConfigurationException("LeadReopenStatus", $"The lead status '{statuses.Reopen}' both closes and reopens leads.",
                    $"Give -LeadReopenStatus an open status other than -LeadClosedStatus (the org's lead statuses: {List(statuses._open)}).");
            return statuses;
        }

        private static string Chosen(string parameter, string wanted, Dictionary<string, string> settable, List<string> converted, List<string> open)
        {
            if (settable.TryGetValue(wanted.Trim(), out string value)) return value;
            string why = converted.Contains(wanted.Trim(), StringComparer.OrdinalIgnoreCase)
                ? $"'{wanted}' is a converted lead status, which only lead conversion sets."
                : $"The org has no lead status '{wanted}'.";
            throw new SalesforceConfigurationException(parameter, $"{why} The org's lead statuses: {List(open)}.",
                $"Give -{parameter} one of them (its API name or label), or add the status in Setup > Lead Status.");
        }

        private static string List(IEnumerable<string> values)
        {
            string list = string.Join(", ", values.Select(v => "'" + v + "'"));
            return list.Length == 0 ? "none" : list;
        }
    }
}
