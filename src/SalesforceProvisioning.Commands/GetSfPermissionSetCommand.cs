using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Reads permission sets back by Name (API name) or Label pattern. The hidden permission sets that
    /// profiles own are left out unless -IncludeProfileOwned.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SfPermissionSet")]
    [OutputType(typeof(SfPermissionSet))]
    public sealed class GetSfPermissionSetCommand : SfConnectedCmdlet
    {
        private SfProvisioningConnection _connection;

        /// <summary>Patterns matched against Name or Label; <c>*</c> matches any text. All permission sets when omitted.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(PermissionSetNameCompleter))]
        public string[] Name { get; set; }

        /// <summary>Also list the permission sets owned by profiles.</summary>
        [Parameter]
        public SwitchParameter IncludeProfileOwned { get; set; }

        /// <summary>Fill AssignmentCount (reads one row per assignment of the listed sets).</summary>
        [Parameter]
        public SwitchParameter IncludeAssignmentCount { get; set; }

        protected override void BeginProcessing()
        {
            _connection = ResolveConnection();
        }

        protected override void ProcessRecord()
        {
            var query = new SfPermissionSetQuery { Names = Name, IncludeProfileOwned = IncludeProfileOwned };
            var reader = new OrgReader(_connection);
            var exactNames = (Name ?? new string[0]).Where(n => n.IndexOf('*') < 0).ToList();
            var matched = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            Stream<SfPermissionSet>(_connection, (emit, ct) => reader.ReadPermissionSetsAsync(query, IncludeAssignmentCount, emit, ct), set =>
            {
                foreach (string n in exactNames)
                {
                    if (string.Equals(n, set.Name, StringComparison.OrdinalIgnoreCase) || string.Equals(n, set.Label, StringComparison.OrdinalIgnoreCase))
                        matched.Add(n);
                }
            });
            foreach (string n in exactNames.Where(n => !matched.Contains(n)).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                string message = $"No permission set has the name or label '{n}'{(IncludeProfileOwned ? string.Empty : " (profile-owned sets are left out)")}.";
                WriteError(new ErrorRecord(new ItemNotFoundException(message), "PermissionSetNotFound", ErrorCategory.ObjectNotFound, n)
                {
                    ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Check the spelling (API name or label), use * as a wildcard, or add -IncludeProfileOwned." },
                });
            }
        }
    }
}
