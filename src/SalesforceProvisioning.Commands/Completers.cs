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
    /// completion stays fast; a completer never throws (no connection, offline: no suggestions).
    /// </summary>
    public abstract class OrgNameCompleter : IArgumentCompleter
    {
        private static readonly ConditionalWeakTable<SfProvisioningConnection, Dictionary<string, (DateTime Read, string[] Names)>> Cache =
            new ConditionalWeakTable<SfProvisioningConnection, Dictionary<string, (DateTime, string[])>>();
        private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

        /// <summary>The SOQL that lists the names (constant text, no input in it).</summary>
        protected abstract string Query { get; }

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
                if (perConnection.TryGetValue(Query, out var cached) && DateTime.UtcNow - cached.Read < Lifetime) return cached.Names;
            }
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                string[] names = connection.Client.QueryNamesAsync(Query, timeout.Token).GetAwaiter().GetResult().OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();
                lock (perConnection) perConnection[Query] = (DateTime.UtcNow, names);
                return names;
            }
        }
    }

    public sealed class ProfileNameCompleter : OrgNameCompleter
    {
        protected override string Query => "SELECT Name FROM Profile";
    }

    public sealed class PermissionSetNameCompleter : OrgNameCompleter
    {
        protected override string Query => "SELECT Name FROM PermissionSet WHERE IsOwnedByProfile = false";
    }

    public sealed class GroupNameCompleter : OrgNameCompleter
    {
        protected override string Query => "SELECT Name FROM Group WHERE Type = 'Regular'";
    }

    /// <summary>The User fields a source's manager values usually name.</summary>
    public sealed class ManagerKeyCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
            => Completions.Matching(SfAttributeMap.ManagerKeyFields, wordToComplete);
    }

    /// <summary>Rule names from the state store (the -StatePath being typed, or the default one).</summary>
    public sealed class RuleNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                string path = Completions.StatePath(fakeBoundParameters);
                if (!File.Exists(path)) return Enumerable.Empty<CompletionResult>();
                using (var store = new StateStore(path)) return Completions.Matching(store.Rules().Select(r => r.Name), wordToComplete);
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>();
            }
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
