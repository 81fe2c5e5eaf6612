using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

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
    public sealed class GetSfLeadCommand : SfConnectedCmdlet
    {
        private const string ByName = "ByName";
        private const string ByEmail = "ByEmail";

        // Emails piped in are read together, this many at a time (five composite-packed queries: one counted call).
        private const int EmailsPerRead = OrgQueries.EmailsPerQuery * CompositeReader.QueriesPerComposite;

        private readonly List<string> _pending = new List<string>();
        private SfProvisioningConnection _connection;

        /// <summary>Patterns matched against Name or Email; <c>*</c> matches any text, % and _ are literal. All leads when omitted.</summary>
        [Parameter(Position = 0, ParameterSetName = ByName)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

        /// <summary>Exact emails (case-insensitive); an email that matches no lead is a LeadNotFound error.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ByEmail, ValueFromPipelineByPropertyName = true)]
        [Alias("mail")]
        [ValidateNotNullOrEmpty]
        public string[] Email { get; set; }

        /// <summary>Only leads in these statuses (<c>*</c> wildcard allowed), e.g. 'Open - Not Contacted'.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Status { get; set; }

        /// <summary>Converted leads too (read-only in Salesforce; left out by default).</summary>
        [Parameter]
        public SwitchParameter IncludeConverted { get; set; }

        protected override void BeginProcessing()
        {
            _connection = ResolveConnection();
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ByName)
            {
                Read(new SfLeadQuery { Names = Name, Statuses = Status, IncludeConverted = IncludeConverted }, Name);
                return;
            }
            _pending.AddRange(Email.Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim()));
            if (_pending.Count >= EmailsPerRead) ReadPending();
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == ByEmail) ReadPending();
        }

        private string FilterNote
        {
            get
            {
                var notes = new List<string>();
                if (!IncludeConverted) notes.Add("open (converted leads are left out without -IncludeConverted)");
                if (Status != null) notes.Add("in the given statuses (-Status)");
                return notes.Count == 0 ? string.Empty : " among leads " + string.Join(" and ", notes);
            }
        }

        private void ReadPending()
        {
            if (_pending.Count == 0) return;
            var emails = _pending.ToList();
            _pending.Clear();
            var found = Read(new SfLeadQuery { Emails = emails, Statuses = Status, IncludeConverted = IncludeConverted }, null);
            foreach (string missing in emails.Where(e => !found.Contains(e)).Distinct(StringComparer.OrdinalIgnoreCase))
                NotFound(missing, $"No Salesforce lead has the email '{missing}'{FilterNote}.",
                    "Check the email, look for a contact with Get-SfContact -Email, add -IncludeConverted, or search with Get-SfLead -Name '*part*'.");
        }

        /// <summary>Streams the leads out as pages arrive; returns the emails seen and reports names without wildcards that matched nothing.</summary>
        private HashSet<string> Read(SfLeadQuery query, string[] names)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var matchedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var exactNames = (names ?? new string[0]).Where(n => n.IndexOf('*') < 0).ToList();
            var reader = new OrgReader(_connection);
            Stream<SfLead>(_connection, (emit, ct) => reader.ReadLeadsAsync(query, emit, ct), lead =>
            {
                if (lead.Email != null) seen.Add(lead.Email);
                foreach (string n in exactNames)
                {
                    if (string.Equals(n, lead.Name, StringComparison.OrdinalIgnoreCase) || string.Equals(n, lead.Email, StringComparison.OrdinalIgnoreCase))
                        matchedNames.Add(n);
                }
            });
            foreach (string n in exactNames.Where(n => !matchedNames.Contains(n)).Distinct(StringComparer.OrdinalIgnoreCase))
                NotFound(n, $"No Salesforce lead has the name or email '{n}'{FilterNote}.", "Check the spelling, use * as a wildcard (Get-SfLead '*part*'), or add -IncludeConverted.");
            return seen;
        }

        private void NotFound(string target, string message, string remedy)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException(message), "LeadNotFound", ErrorCategory.ObjectNotFound, target)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = remedy },
            });
        }
    }
}
