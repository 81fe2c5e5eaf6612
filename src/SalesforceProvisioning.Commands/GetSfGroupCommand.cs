using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Reads Salesforce groups back: public groups (Type Regular) by default, by Name or DeveloperName
    /// pattern; with -IncludeMembers, their direct members (usernames and nested group names), read in
    /// chunked <c>GroupId IN (...)</c> queries.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SfGroup")]
    [OutputType(typeof(SfGroup))]
    public sealed class GetSfGroupCommand : SfConnectedCmdlet
    {
        private SfProvisioningConnection _connection;

        /// <summary>Patterns matched against Name or DeveloperName; <c>*</c> matches any text. All groups of the type when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(GroupNameCompleter))]
        public string[] Name { get; set; }

        /// <summary>Group types (Regular, Role, RoleAndSubordinates, Queue, Organization, ...); * for every type. Default: Regular.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(GroupTypeCompleter))]
        public string[] Type { get; set; }

        /// <summary>Fill Members and MemberCount.</summary>
        [Parameter]
        public SwitchParameter IncludeMembers { get; set; }

        protected override void BeginProcessing()
        {
            _connection = ResolveConnection();
        }

        private readonly List<string> _names = new List<string>();
        private bool _anyName;

        // Names piped as plain strings are read together in EndProcessing: one read however many are piped.
        protected override void ProcessRecord()
        {
            if (Name == null) return;
            _anyName = true;
            _names.AddRange(Name);
        }

        protected override void EndProcessing()
        {
            string[] names = _anyName ? _names.ToArray() : null;
            var query = new SfGroupQuery { Names = names, Types = Type };
            var reader = new OrgReader(_connection);
            var exactNames = (names ?? new string[0]).Where(n => n.IndexOf('*') < 0).ToList();
            var matched = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            Stream<SfGroup>(_connection, (emit, ct) => reader.ReadGroupsAsync(query, IncludeMembers, emit, ct), group =>
            {
                foreach (string n in exactNames)
                {
                    if (string.Equals(n, group.Name, StringComparison.OrdinalIgnoreCase) || string.Equals(n, group.DeveloperName, StringComparison.OrdinalIgnoreCase))
                        matched.Add(n);
                }
            });
            foreach (string n in exactNames.Where(n => !matched.Contains(n)).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                string types = Type == null ? "public group (Type Regular)" : "group of type " + string.Join(", ", Type);
                string message = $"No {types} has the name or developer name '{n}'.";
                WriteError(new ErrorRecord(new ItemNotFoundException(message), "GroupNotFound", ErrorCategory.ObjectNotFound, n)
                {
                    ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Check the spelling, use * as a wildcard, or choose other types with -Type (-Type * for all)." },
                });
            }
        }
    }
}
