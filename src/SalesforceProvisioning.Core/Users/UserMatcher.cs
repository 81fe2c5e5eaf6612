using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>Salesforce users read for a window (or the whole org, scanned once), found by a User field's value.</summary>
    internal interface IUserLookup
    {
        IEnumerable<UserRecord> Find(string field, string value);
    }

    /// <summary>The users one window's reads returned, indexed by each field the window looks users up by.</summary>
    internal sealed class WindowUsers : IUserLookup
    {
        private readonly Dictionary<string, ILookup<string, UserRecord>> _byField = new Dictionary<string, ILookup<string, UserRecord>>(StringComparer.OrdinalIgnoreCase);

        public WindowUsers(IReadOnlyList<JObject> users, IEnumerable<string> fields)
        {
            var distinct = users.GroupBy(u => u.Value<string>("Id")).Select(g => new UserRecord(g.First())).ToList();
            foreach (string field in fields.Distinct(StringComparer.OrdinalIgnoreCase))
                _byField[field] = distinct.Where(u => !string.IsNullOrEmpty(u.Text(field)))
                    .ToLookup(u => u.Text(field), StringComparer.OrdinalIgnoreCase);
        }

        public IEnumerable<UserRecord> Find(string field, string value)
            => value != null && _byField.TryGetValue(field, out var lookup) ? lookup[value] : Enumerable.Empty<UserRecord>();
    }

    /// <summary>The Salesforce user a source user matches, and by which field; or why it cannot be matched.</summary>
    internal sealed class UserMatch
    {
        public UserRecord Record { get; set; }
        public string MatchedBy { get; set; }
        public string ErrorCode { get; set; }
        public string Problem { get; set; }
        public string Remedy { get; set; }
    }

    /// <summary>
    /// Matching precedence: the first field of -MatchBy (for example FederationIdentifier, then Username)
    /// with a value that finds exactly one user decides the match. Any other key of the source that
    /// points at a different user (a Federation ID already used by someone else, a Username taken by
    /// another user) is that user's error, never a silent second match; so is a value several users share.
    /// </summary>
    internal static class UserMatcher
    {
        public static UserMatch Match(SourceUser source, IUserLookup users, IReadOnlyList<string> matchBy, IReadOnlyList<string> alsoUnique)
        {
            var result = new UserMatch();
            // Index loops, not LINQ: this runs for every input of the run.
            for (int i = 0; i < matchBy.Count + alsoUnique.Count; i++)
            {
                bool matching = i < matchBy.Count;
                string field = matching ? matchBy[i] : alsoUnique[i - matchBy.Count];
                if (!matching && SfAttributeMap.NameIn(matchBy, field)) continue;
                string value = source.KeyValue(field);
                if (value == null) continue;
                List<UserRecord> hits = DistinctUsers(users.Find(field, value));
                if (hits.Count == 0) continue;
                if (hits.Count > 1)
                    return Refuse("AmbiguousMatch", $"{hits.Count} Salesforce users have {field} '{value}' ({Names(hits)}).",
                        $"Make {field} unique in Salesforce, or match by another field (-MatchBy).");
                UserRecord hit = hits[0];
                if (result.Record == null && matching)
                {
                    result.Record = hit;
                    result.MatchedBy = field;
                    continue;
                }
                if (result.Record != null && SameUser(hit, result.Record)) continue;
                if (result.Record == null)
                    return Refuse(ConflictCode(field), $"{field} '{value}' is already used by the Salesforce user {Names(hits)}, which none of the source's match keys ({string.Join(", ", matchBy)}) finds.",
                        $"Correct {field} in the source or on that user in Salesforce, or add {field} to -MatchBy if it is the same person.");
                return Refuse(ConflictCode(field, result.MatchedBy), $"{field} '{value}' belongs to the Salesforce user {Names(hits)}, but {result.MatchedBy} '{source.KeyValue(result.MatchedBy)}' matches {Names(new[] { result.Record })}.",
                    $"The two keys name different Salesforce users: correct {field} or {result.MatchedBy} in the source or in Salesforce.");
            }
            return result;
        }

        /// <summary>The users found, each once (by its 15-character Id); mostly none or one, so no grouping.</summary>
        private static List<UserRecord> DistinctUsers(IEnumerable<UserRecord> found)
        {
            var hits = new List<UserRecord>(1);
            foreach (UserRecord user in found)
            {
                bool seen = false;
                foreach (UserRecord hit in hits)
                    if (SameUser(hit, user)) { seen = true; break; }
                if (!seen) hits.Add(user);
            }
            return hits;
        }

        private static string ConflictCode(params string[] fields)
            => fields.Any(f => f != null && f.Equals("FederationIdentifier", StringComparison.OrdinalIgnoreCase)) ? "FederationIdInUse" : "MatchConflict";

        private static bool SameUser(UserRecord a, UserRecord b) => UserOrgContext.Id15(a.Text("Id")) == UserOrgContext.Id15(b.Text("Id"));

        private static string Names(IEnumerable<UserRecord> users) => string.Join(", ", users.Select(u => $"{u.Text("Username")} ({u.Text("Id")})"));

        private static UserMatch Refuse(string code, string problem, string remedy) => new UserMatch { ErrorCode = code, Problem = problem, Remedy = remedy };
    }
}
