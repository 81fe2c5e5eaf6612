using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.CompilerServices;
using System.Threading;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Tab completion from the org: names are read once per connection and kept for a few minutes, so
    /// completion stays fast. A completer never throws and never blocks a Tab for more than
    /// <see cref="Budget"/>: an unreachable or silent org gives no suggestions, and is not asked again
    /// for <see cref="RetryAfterFailure"/>, so the next Tab answers at once.
    /// </summary>
    public abstract class OrgNameCompleter : IArgumentCompleter
    {
        private static readonly ConditionalWeakTable<SfProvisioningConnection, Dictionary<string, (DateTime Read, string[] Names)>> Cache =
            new ConditionalWeakTable<SfProvisioningConnection, Dictionary<string, (DateTime, string[])>>();
        private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
        internal static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);
        internal static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);

        /// <summary>What is cached under (one entry per kind of name).</summary>
        protected abstract string CacheKey { get; }

        /// <summary>Reads the names from the org.</summary>
        protected abstract System.Threading.Tasks.Task<string[]> ReadAsync(SfProvisioningConnection connection, CancellationToken ct);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                SfProvisioningConnection connection = Unwrap(fakeBoundParameters?["Connection"])
                    ?? Unwrap(ScriptBlock.Create("$global:" + DefaultConnection.VariableName).Invoke().FirstOrDefault());
                if (connection == null) return Enumerable.Empty<CompletionResult>();
                return Completions.Matching(Names(connection), wordToComplete);
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>();
            }
        }

        private static SfProvisioningConnection Unwrap(object value) => (value is PSObject wrapped ? wrapped.BaseObject : value) as SfProvisioningConnection;

        private string[] Names(SfProvisioningConnection connection)
        {
            var perConnection = Cache.GetOrCreateValue(connection);
            lock (perConnection)
            {
                if (perConnection.TryGetValue(CacheKey, out var cached))
                {
                    TimeSpan age = DateTime.UtcNow - cached.Read;
                    if (age < (cached.Names.Length == 0 ? RetryAfterFailure : Lifetime)) return cached.Names;
                }
            }
            string[] names = Array.Empty<string>();
            using (var budget = new CancellationTokenSource(Budget))
            {
                // The read runs on the pool and is abandoned (and cancelled) when the budget runs out, so a
                // connect or TLS step that ignores cancellation cannot hold the Tab either.
                var read = System.Threading.Tasks.Task.Run(() => ReadAsync(connection, budget.Token));
                try
                {
                    if (read.Wait(Budget)) names = read.Result.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
                }
                catch (AggregateException)
                {
                    // unreachable, refused, not allowed: no suggestions
                }
            }
            lock (perConnection) perConnection[CacheKey] = (DateTime.UtcNow, names);
            return names;
        }
    }

    /// <summary>Names one SOQL query lists (constant text, no input in it).</summary>
    public abstract class QueryNameCompleter : OrgNameCompleter
    {
        protected abstract string Query { get; }

        protected override string CacheKey => Query;

        protected override System.Threading.Tasks.Task<string[]> ReadAsync(SfProvisioningConnection connection, CancellationToken ct)
            => connection.Client.QueryNamesAsync(Query, ct);
    }

    public sealed class ProfileNameCompleter : QueryNameCompleter
    {
        protected override string Query => "SELECT Name FROM Profile";
    }

    public sealed class PermissionSetNameCompleter : QueryNameCompleter
    {
        protected override string Query => "SELECT Name FROM PermissionSet WHERE IsOwnedByProfile = false";
    }

    public sealed class GroupNameCompleter : QueryNameCompleter
    {
        protected override string Query => "SELECT Name FROM Group WHERE Type = 'Regular'";
    }

    /// <summary>The User fields a source's manager values usually name.</summary>
    public sealed class ManagerKeyCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
            => Completions.Matching(SfAttributeMap.ManagerKeyFields, wordToComplete);
    }

    public sealed class RoleNameCompleter : QueryNameCompleter
    {
        protected override string Query => "SELECT Name FROM UserRole";
    }

    /// <summary>The User fields the org's describe lists (for New-SfAttributeMap's -Update, -Optional and the like).</summary>
    public sealed class UserFieldNameCompleter : OrgNameCompleter
    {
        protected override string CacheKey => "describe:User";

        // Through the core: JSON types must not cross into this assembly (they live in the module's own load context).
        protected override System.Threading.Tasks.Task<string[]> ReadAsync(SfProvisioningConnection connection, CancellationToken ct)
            => new OrgReader(connection).WritableFieldNamesAsync("User", ct);
    }

    /// <summary>
    /// Group.Type values (Object Reference: Group): fixed by Salesforce, so no call is needed.
    /// </summary>
    public sealed class GroupTypeCompleter : IArgumentCompleter
    {
        internal static readonly string[] Types =
        {
            "Regular", "Role", "RoleAndSubordinates", "RoleAndSubordinatesInternal", "Manager", "ManagerAndSubordinatesInternal",
            "Organization", "PRMOrganization", "Queue", "SharingRuleGroup", "Territory", "TerritoryAndSubordinates", "AllCustomerPortal", "CollaborationGroup",
        };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
            => Completions.Matching(Types.Concat(new[] { "*" }), wordToComplete);
    }

    /// <summary>
    /// Rule names from the state store the command being typed would use, chosen as the cmdlets choose it:
    /// -StateConnectionString (PostgreSQL, with -StateCredential when given), else -StatePath (a file), else
    /// $env:SFPROVISIONING_STATE_CONNECTION, else the default file. The server is only read, never asked for a
    /// password, and never holds a Tab longer than <see cref="OrgNameCompleter.Budget"/>; a server that failed
    /// is not asked again for <see cref="OrgNameCompleter.RetryAfterFailure"/>.
    /// </summary>
    public sealed class RuleNameCompleter : IArgumentCompleter
    {
        private static readonly Dictionary<string, DateTime> FailedAt = new Dictionary<string, DateTime>(StringComparer.Ordinal);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                string server = fakeBoundParameters?["StateConnectionString"] as string;
                string statePath = fakeBoundParameters?["StatePath"] as string;
                if (server == null && statePath == null)
                {
                    string fromEnvironment = Environment.GetEnvironmentVariable(PostgreSqlStateStore.EnvironmentVariable);
                    if (!string.IsNullOrWhiteSpace(fromEnvironment)) server = fromEnvironment;
                }
                if (server != null) return Completions.Matching(ServerRuleNames(server, Unwrap(fakeBoundParameters?["StateCredential"])), wordToComplete);

                string path = Completions.StatePath(fakeBoundParameters);
                if (!File.Exists(path)) return Enumerable.Empty<CompletionResult>();
                using (var store = new SqliteStateStore(path)) return Completions.Matching(store.Rules().Select(r => r.Name), wordToComplete);
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>();
            }
        }

        private static PSCredential Unwrap(object value) => (value is PSObject wrapped ? wrapped.BaseObject : value) as PSCredential;

        private static IReadOnlyList<string> ServerRuleNames(string connectionString, PSCredential credential)
        {
            lock (FailedAt)
            {
                if (FailedAt.TryGetValue(connectionString, out DateTime failed) && DateTime.UtcNow - failed < OrgNameCompleter.RetryAfterFailure)
                    return Array.Empty<string>();
            }
            // On the pool and abandoned when the budget runs out: a connect that ignores its timeout cannot hold the Tab.
            var read = System.Threading.Tasks.Task.Run(() => PostgreSqlStateStore.ReadRuleNames(connectionString, credential?.GetNetworkCredential(), OrgNameCompleter.Budget));
            try
            {
                if (read.Wait(OrgNameCompleter.Budget)) return read.Result;
            }
            catch (AggregateException)
            {
                // unreachable, refused, a password in the string: no suggestions
            }
            lock (FailedAt) FailedAt[connectionString] = DateTime.UtcNow;
            return Array.Empty<string>();
        }
    }

    /// <summary>Saved connection names (beside the state store).</summary>
    public sealed class SavedConnectionNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                string folder = Path.GetDirectoryName(Path.GetFullPath(Completions.StatePath(fakeBoundParameters)));
                return Completions.Matching(new SavedConnectionStore(Path.Combine(folder, "connections.json")).List().Select(c => c.Name), wordToComplete);
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>();
            }
        }
    }

    internal static class Completions
    {
        internal static IEnumerable<CompletionResult> Matching(IEnumerable<string> names, string word)
        {
            string typed = (word ?? "").Trim('\'', '"');
            return names.Where(n => n.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n))
                .ToList();
        }

        internal static string StatePath(IDictionary fakeBoundParameters)
            => fakeBoundParameters?["StatePath"] as string ?? StateStore.DefaultPath;

        private static string Quote(string name) => name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '&', '(', ')', ',', ';', '{', '}', '@', '#', '|', '<', '>' }) < 0 ? name : "'" + name.Replace("'", "''") + "'";
    }
}
