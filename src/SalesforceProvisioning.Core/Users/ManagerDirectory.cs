using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>How a source's manager value resolved.</summary>
    public enum ManagerLookup { Found, NotFound, Ambiguous, CreatedLater }

    /// <summary>
    /// Salesforce users by the field a source names managers by (Username, FederationIdentifier or
    /// EmployeeNumber), so ManagerId comes from the manager's key. Keys are read in the window's
    /// match reads (never a call per user) and kept for the run; a manager created in the same run (in
    /// this window, an earlier one, or a later one than its report's) is confirmed from its create and set
    /// in a second pass. Safe to use from writes still in flight while later windows are planned.
    /// </summary>
    public sealed class ManagerDirectory
    {
        private readonly object _sync = new object();
        private readonly Dictionary<string, List<string>> _ids = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _createdLater = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        public ManagerDirectory(string keyField) { KeyField = keyField; }

        public string KeyField { get; }

        /// <summary>A Salesforce user Id given as is (15 or 18 characters, prefix 005).</summary>
        public static bool IsUserId(string text) => (text.Length == 15 || text.Length == 18) && text.StartsWith("005", StringComparison.Ordinal) && text.All(char.IsLetterOrDigit);

        /// <summary>Keys not read yet (the window's reads ask for these only).</summary>
        internal List<string> Unknown(IEnumerable<string> keys)
        {
            lock (_sync) return keys.Where(k => !IsUserId(k) && !_ids.ContainsKey(k)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }

        /// <summary>Records what a read found for these keys (nothing found is remembered too).</summary>
        internal void Learn(IEnumerable<string> keys, Func<string, IEnumerable<UserRecord>> find)
        {
            var found = keys.Select(key => (key, Ids: find(key).Select(u => u.Text("Id")).Distinct().ToList())).ToList();
            lock (_sync)
                foreach (var (key, ids) in found) _ids[key] = ids;
        }

        /// <summary>
        /// Source users about to be created, by their key: their reports wait for the second pass. Kept for the
        /// run, since a create may be carried to a later window's writes; a report in a later window waits too.
        /// </summary>
        internal void ExpectCreates(IEnumerable<string> keys)
        {
            lock (_sync)
                foreach (string key in keys.Where(k => k != null)) _createdLater.Add(key);
        }

        /// <summary>
        /// A user this run was to create, now in Salesforce (its create confirmed, or found made by someone else
        /// meanwhile). Other keys are left as the org's read found them.
        /// </summary>
        internal void Confirm(string key, string id)
        {
            if (key == null || id == null) return;
            lock (_sync)
            {
                if (!_createdLater.Remove(key)) return;
                _ids[key] = new List<string> { id };
            }
        }

        /// <summary>A report's note when its manager's key finds no one (yet).</summary>
        internal string NotFoundNote(string key) => $"Manager '{key}' ({KeyField}) is not in Salesforce; ManagerId not set.";

        /// <summary>A report's note when it waits for its manager's create in this run.</summary>
        internal static string SecondPassNote(string key) => $"ManagerId is set once the manager '{key}' is created in this run (second pass).";

        public ManagerLookup Find(string key, out string id)
        {
            id = null;
            if (IsUserId(key)) { id = key; return ManagerLookup.Found; }
            lock (_sync)
            {
                if (_ids.TryGetValue(key, out List<string> ids) && ids.Count == 1) { id = ids[0]; return ManagerLookup.Found; }
                if (ids != null && ids.Count > 1) return ManagerLookup.Ambiguous;
                return _createdLater.Contains(key) ? ManagerLookup.CreatedLater : ManagerLookup.NotFound;
            }
        }
    }
}
