using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Reads Salesforce contacts back: by name pattern (Name or Email; <c>*</c> is the wildcard) or by exact
    /// emails (piped by property name, read 400 to a query, five queries to a composite call), optionally only
    /// those of some accounts. The objects pipe back into Sync-SfUser on a Leads and Contacts connection
    /// (unchanged contacts stay Unchanged).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SfContact", DefaultParameterSetName = ByName)]
    [OutputType(typeof(SfContact))]
    public sealed class GetSfContactCommand : PersonReadCmdlet<SfContact>
    {
        /// <summary>Only contacts of these accounts (Ids).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] AccountId { get; set; }

        protected override string Noun => "contact";
        protected override string NotFoundErrorId => "ContactNotFound";
        protected override string FilterNote => AccountId != null ? " under the given accounts (-AccountId)" : string.Empty;
        protected override string MissingEmailRemedy => "Check the email, look for a lead with Get-SfLead -Email, or search with Get-SfContact -Name '*part*'.";

        protected override Task ReadAsync(OrgReader reader, string[] names, IReadOnlyList<string> emails, Action<SfContact> emit, CancellationToken ct)
            => reader.ReadContactsAsync(new SfContactQuery { Names = names, Emails = emails, AccountIds = AccountId }, emit, ct);

        protected override (string Name, string Email) KeysOf(SfContact contact) => (contact.Name, contact.Email);
    }
}
