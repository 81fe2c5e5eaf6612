using System;
using System.Collections.Generic;

namespace SalesforceProvisioning
{
    /// <summary>One input object after mapping: the Salesforce field values it asks for and the person's state.</summary>
    public sealed class SourceUser
    {
        internal SourceUser(object input, int index)
        {
            Input = input;
            Index = index;
        }

        /// <summary>A person known only by a key field, gone from the source scope (complete-scope deprovisioning).</summary>
        public static SourceUser Gone(int index, string keyField, string key)
        {
            var user = new SourceUser(key, index) { Deleted = true };
            user.Fields[keyField] = key;
            return user;
        }

        /// <summary>A source user known only by Username, for explicit enable and disable.</summary>
        public static SourceUser ForUsername(object input, int index, string username, bool enabled)
        {
            var user = new SourceUser(input, index) { Enabled = enabled };
            user.Fields["Username"] = username;
            return user;
        }

        /// <summary>The object the admin piped in (the error's TargetObject).</summary>
        public object Input { get; }

        /// <summary>Position in the input, so every result maps back to exactly one input.</summary>
        public int Index { get; }

        public Dictionary<string, object> Fields { get; } = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);

        public bool? Enabled { get; internal set; }
        public bool Deleted { get; internal set; }
        public string ProfileName { get; internal set; }

        /// <summary>Contact or Lead, for the Leads and Contacts target, when the source says which.</summary>
        public string RecordType { get; internal set; }

        /// <summary>The record type the rule's state recorded for this person last time (Leads and Contacts under a rule).</summary>
        public SfRecordType? LastRecordType { get; set; }

        /// <summary>The business account of a community user's contact, when the source names one.</summary>
        public string AccountId { get; internal set; }

        /// <summary>Permission set names the user should have; null when the source says nothing about them.</summary>
        public IReadOnlyList<string> PermissionSets { get; internal set; }

        /// <summary>Public group names the user should belong to; null when the source says nothing about them.</summary>
        public IReadOnlyList<string> Groups { get; internal set; }

        /// <summary>Permission set groups (DeveloperName or label); null when the source says nothing about them.</summary>
        public IReadOnlyList<string> PermissionSetGroups { get; internal set; }

        /// <summary>Permission set licences (DeveloperName or label); null when the source says nothing about them.</summary>
        public IReadOnlyList<string> PermissionSetLicenses { get; internal set; }

        /// <summary>The source states an access end date (possibly empty: no end).</summary>
        public bool AccessEndDateGiven { get; internal set; }

        /// <summary>When the permission sets and groups the sync assigns expire; null: never.</summary>
        public DateTimeOffset? AccessExpiresAt { get; internal set; }

        /// <summary>The source's value of a User field, as text (null when absent or empty).</summary>
        public string KeyValue(string field)
        {
            if (string.Equals(field, "Username", StringComparison.OrdinalIgnoreCase)) return Username;
            if (!Fields.TryGetValue(field, out object value) || value == null) return null;
            string text = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture).Trim();
            return text.Length == 0 ? null : text;
        }

        public string Username => Fields.TryGetValue("Username", out object u) ? Convert.ToString(u)?.Trim() : null;

        /// <summary>True when the source says this person should not be able to sign in.</summary>
        public bool WantsInactive => Deleted || Enabled == false;

        public List<SourceProblem> Problems { get; } = new List<SourceProblem>();

        internal void AddProblem(string field, string problem, string remedy) => Problems.Add(new SourceProblem(field, problem, remedy));
    }

    public sealed class SourceProblem
    {
        public SourceProblem(string field, string problem, string remedy)
        {
            Field = field;
            Problem = problem;
            Remedy = remedy;
        }

        public string Field { get; }
        public string Problem { get; }
        public string Remedy { get; }
    }
}
