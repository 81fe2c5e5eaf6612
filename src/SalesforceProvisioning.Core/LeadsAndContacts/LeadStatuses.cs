using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The org's lead status values, read from the LeadStatus object (ApiName, MasterLabel, IsConverted,
    /// IsDefault, SortOrder; https://developer.salesforce.com/docs/atlas.en-us.262.0.object_reference.meta/object_reference/sforce_api_objects_leadstatus.htm)
    /// instead of assuming the standard picklist. LeadStatus marks converted values (IsConverted) and the
    /// default one (IsDefault) but has no "closed" flag: a closed value is a non-converted one whose name
    /// starts with "Closed", as Salesforce's own "Closed - Not Converted".
    /// </summary>
    public sealed class LeadStatuses
    {
        public const string Query = "SELECT ApiName, MasterLabel, IsConverted, IsDefault, SortOrder FROM LeadStatus ORDER BY SortOrder";

        private readonly HashSet<string> _closed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The status convertLead gives converted leads (the first converted value).</summary>
        public string Converted { get; private set; }

        /// <summary>The status that closes a lead of a person disabled or deleted in the source.</summary>
        public string Closed { get; private set; }

        /// <summary>The status a reopened lead gets: the org's default, when it is an open one.</summary>
        public string DefaultOpen { get; private set; }

        public bool IsClosed(string status) => status != null && _closed.Contains(status);

        public static LeadStatuses From(IEnumerable<JObject> records)
        {
            var statuses = new LeadStatuses();
            foreach (JObject record in records.OrderBy(r => r.Value<int?>("SortOrder") ?? int.MaxValue))
            {
                string value = record.Value<string>("ApiName") ?? record.Value<string>("MasterLabel");
                if (string.IsNullOrEmpty(value)) continue;
                if (record.Value<bool?>("IsConverted") == true)
                {
                    statuses.Converted = statuses.Converted ?? value;
                    continue;
                }
                bool closed = value.StartsWith("Closed", StringComparison.OrdinalIgnoreCase)
                    || (record.Value<string>("MasterLabel") ?? "").StartsWith("Closed", StringComparison.OrdinalIgnoreCase);
                if (closed)
                {
                    statuses._closed.Add(value);
                    statuses.Closed = statuses.Closed ?? value;
                }
                else if (record.Value<bool?>("IsDefault") == true) statuses.DefaultOpen = value;
            }
            return statuses;
        }
    }
}
