using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Reads Salesforce leads back: by name pattern (Name or Email; <c>*</c> is the wildcard) or by exact
    /// emails (piped by property name, read 400 to a query, five queries to a composite call), optionally by
    /// status. Converted leads are left out unless -IncludeConverted is given. Open leads pipe back into
    /// Sync-SfUser on a Leads and Contacts connection (unchanged leads stay Unchanged).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SfLead", DefaultParameterSetName = ByName)]
    [OutputType(typeof(SfLead))]
    public sealed class GetSfLeadCommand : PersonReadCmdlet<SfLead>
    {
        /// <summary>Only leads in these statuses (<c>*</c> wildcard allowed), e.g. 'Open - Not Contacted'.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Status { get; set; }

        /// <summary>Converted leads too (read-only in Salesforce; left out by default).</summary>
        [Parameter]
        public SwitchParameter IncludeConverted { get; set; }

        protected override string Noun => "lead";
        protected override string NotFoundErrorId => "LeadNotFound";
        protected override string MissingEmailRemedy => "Check the email, look for a contact with Get-SfContact -Email, add -IncludeConverted, or search with Get-SfLead -Name '*part*'.";

        protected override string FilterNote
        {
            get
            {
                var notes = new List<string>();
                if (!IncludeConverted) notes.Add("open (converted leads are left out without -IncludeConverted)");
                if (Status != null) notes.Add("in the given statuses (-Status)");
                return notes.Count == 0 ? string.Empty : " among leads " + string.Join(" and ", notes);
            }
        }

        protected override Task ReadAsync(OrgReader reader, string[] names, IReadOnlyList<string> emails, Action<SfLead> emit, CancellationToken ct)
            => reader.ReadLeadsAsync(new SfLeadQuery { Names = names, Emails = emails, Statuses = Status, IncludeConverted = IncludeConverted }, emit, ct);

        protected override (string Name, string Email) KeysOf(SfLead lead) => (lead.Name, lead.Email);
    }
}
