using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

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
    public sealed class GetSfContactCommand : SfConnectedCmdlet
    {
        private const string ByName = "ByName";
        private const string ByEmail = "ByEmail";

        // Emails piped in are read together, this many at a time (five composite-packed queries: one counted call).
        private const int EmailsPerRead = OrgQueries.EmailsPerQuery * CompositeReader.QueriesPerComposite;

        private readonly List<string> _pending = new List<string>();
        private SfProvisioningConnection _connection;

        /// <summary>Patterns matched against Name or Email; <c>*</c> matches any text, % and _ are literal. All contacts when omitted.</summary>
        [Parameter(Position = 0, ParameterSetName = ByName)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

        /// <summary>Exact emails (case-insensitive); an email that matches no contact is a ContactNotFound error.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ByEmail, ValueFromPipelineByPropertyName = true)]
        [Alias("mail")]
        [ValidateNotNullOrEmpty]
        public string[] Email { get; set; }

        /// <summary>Only contacts of these accounts (Ids).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] AccountId { get; set; }

        protected override void BeginProcessing()
        {
            _connection = ResolveConnection();
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ByName)
            {
                Read(new SfContactQuery { Names = Name, AccountIds = AccountId }, Name);
                return;
            }
            _pending.AddRange(Email.Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim()));
            if (_pending.Count >= EmailsPerRead) ReadPending();
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == ByEmail) ReadPending();
        }

        private string FilterNote => AccountId != null ? " under the given accounts (-AccountId)" : string.Empty;

        private void ReadPending()
        {
            if (_pending.Count == 0) return;
            var emails = _pending.ToList();
            _pending.Clear();
            var found = Read(new SfContactQuery { Emails = emails, AccountIds = AccountId }, null);
            foreach (string missing in emails.Where(e => !found.Contains(e)).Distinct(StringComparer.OrdinalIgnoreCase))
                NotFound(missing, $"No Salesforce contact has the email '{missing}'{FilterNote}.",
                    "Check the email, look for a lead with Get-SfLead -Email, or search with Get-SfContact -Name '*part*'.");
        }

        /// <summary>Streams the contacts out as pages arrive; returns the emails seen and reports names without wildcards that matched nothing.</summary>
        private HashSet<string> Read(SfContactQuery query, string[] names)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var matchedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var exactNames = (names ?? new string[0]).Where(n => n.IndexOf('*') < 0).ToList();
            var reader = new OrgReader(_connection);
            Stream<SfContact>(_connection, (emit, ct) => reader.ReadContactsAsync(query, emit, ct), contact =>
            {
                if (contact.Email != null) seen.Add(contact.Email);
                foreach (string n in exactNames)
                {
                    if (string.Equals(n, contact.Name, StringComparison.OrdinalIgnoreCase) || string.Equals(n, contact.Email, StringComparison.OrdinalIgnoreCase))
                        matchedNames.Add(n);
                }
            });
            foreach (string n in exactNames.Where(n => !matchedNames.Contains(n)).Distinct(StringComparer.OrdinalIgnoreCase))
                NotFound(n, $"No Salesforce contact has the name or email '{n}'{FilterNote}.", "Check the spelling, or use * as a wildcard (Get-SfContact '*part*').");
            return seen;
        }

        private void NotFound(string target, string message, string remedy)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException(message), "ContactNotFound", ErrorCategory.ObjectNotFound, target)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = remedy },
            });
        }
    }
}
