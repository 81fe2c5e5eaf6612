using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Builds an attribute map: Salesforce User fields from source properties or script blocks, with
    /// the seeds' per-attribute Update flags (only Email by default), required fields made optional,
    /// fields kept when the source is empty, and defaults.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "SfAttributeMap")]
    [OutputType(typeof(SfAttributeMap))]
    public sealed class NewSfAttributeMapCommand : SfCmdlet
    {
        /// <summary>Salesforce field = source property name, list of alternative names, or script block.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNull]
        public IDictionary Mapping { get; set; }

        /// <summary>Fields updated on existing users; '*' for all. Email is updated unless listed in -NoUpdate.</summary>
        [Parameter] [ArgumentCompleter(typeof(UserFieldNameCompleter))] public string[] Update { get; set; }
        [Parameter] [ArgumentCompleter(typeof(UserFieldNameCompleter))] public string[] NoUpdate { get; set; }
        [Parameter] [ArgumentCompleter(typeof(UserFieldNameCompleter))] public string[] Optional { get; set; }
        [Parameter] [ArgumentCompleter(typeof(UserFieldNameCompleter))] public string[] KeepWhenEmpty { get; set; }
        [Parameter] public IDictionary Default { get; set; }

        /// <summary>Profile (name or Id) for new users whose source names none.</summary>
        [Parameter] [ArgumentCompleter(typeof(ProfileNameCompleter))] public string Profile { get; set; }

        /// <summary>User fields existing users are matched by, in order of precedence (default Username); saved with the map in rules.</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string[] MatchBy { get; set; }

        /// <summary>The User field the source's Manager values name (Username, FederationIdentifier or EmployeeNumber; default Username).</summary>
        [Parameter] [ValidateNotNullOrEmpty] [ArgumentCompleter(typeof(ManagerKeyCompleter))] public string ManagerKey { get; set; }

        protected override void ProcessRecord()
        {
            var map = new SfAttributeMap { DefaultProfile = Profile };
            if (MatchBy != null) map.MatchBy = MatchBy;
            if (ManagerKey != null) map.ManagerKey = ManagerKey;
            try
            {
                foreach (DictionaryEntry entry in Mapping)
                    map.Add(ToMapping(Convert.ToString(entry.Key), entry.Value));
                if (Default != null)
                {
                    foreach (DictionaryEntry entry in Default)
                    {
                        string field = Convert.ToString(entry.Key);
                        SfFieldMapping mapping = map[field];
                        if (mapping == null) map.Add(mapping = new SfFieldMapping(field));
                        mapping.Default = SourceObjects.Unwrap(entry.Value);
                    }
                }
                bool all = Update != null && Update.Contains("*");
                foreach (SfFieldMapping m in map.Mappings)
                    m.Update = all || m.Field.Equals("Email", StringComparison.OrdinalIgnoreCase);
                Apply(map, Update?.Where(u => u != "*"), nameof(Update), m => m.Update = true);
                Apply(map, NoUpdate, nameof(NoUpdate), m => m.Update = false);
                Apply(map, Optional, nameof(Optional), m => m.Optional = true);
                Apply(map, KeepWhenEmpty, nameof(KeepWhenEmpty), m => m.KeepWhenEmpty = true);
            }
            catch (SalesforceException ex)
            {
                ThrowFor(ex, Mapping);
            }
            WriteObject(map);
        }

        private static void Apply(SfAttributeMap map, IEnumerable<string> fields, string parameter, Action<SfFieldMapping> set)
        {
            if (fields == null) return;
            foreach (string field in fields)
            {
                SfFieldMapping mapping = map[field];
                if (mapping == null)
                    throw new SalesforceConfigurationException(parameter, $"'{field}' is not in -Mapping or -Default.", "Name only fields that the map maps.");
                set(mapping);
            }
        }

        private static SfFieldMapping ToMapping(string field, object source)
        {
            object value = source is PSObject pso ? pso.BaseObject : source;
            switch (value)
            {
                case ScriptBlock script:
                    return new SfFieldMapping(field, compute: SourceObjects.ToFunction(script)) { ComputeText = script.ToString().Trim() };
                case string name when !string.IsNullOrWhiteSpace(name):
                    return new SfFieldMapping(field, new[] { name.Trim() });
                case IEnumerable names when !(value is string):
                    var list = names.Cast<object>().Select(n => Convert.ToString(SourceObjects.Unwrap(n))).Where(n => !string.IsNullOrWhiteSpace(n)).ToArray();
                    if (list.Length > 0) return new SfFieldMapping(field, list);
                    break;
            }
            throw new SalesforceConfigurationException("Mapping", $"The source for '{field}' must be a property name, a list of property names, or a script block.", "For example: @{ LastName = 'sn'; Username = 'UserPrincipalName','mail'; Alias = { $_.sAMAccountName } }.");
        }
    }
}
