using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// What Get-SfContact and Get-SfLead share: -Name patterns (Name or Email; <c>*</c> is the wildcard) or exact
    /// -Email values piped by property name and read together (400 to a query, five queries to one counted call),
    /// with a not-found error for every exact name or email that matched nothing.
    /// </summary>
    public abstract class PersonReadCmdlet<T> : SfConnectedCmdlet where T : class
    {
        protected const string ByName = "ByName";
        protected const string ByEmail = "ByEmail";

        // Emails piped in are read together, this many at a time (five composite-packed queries: one counted call).
        private const int EmailsPerRead = OrgQueries.EmailsPerQuery * CompositeReader.QueriesPerComposite;

        private readonly List<string> _pending = new List<string>();
        private SfProvisioningConnection _connection;

        /// <summary>Patterns matched against Name or Email; <c>*</c> matches any text, % and _ are literal. All records when omitted.</summary>
        [Parameter(Position = 0, ParameterSetName = ByName)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

        /// <summary>Exact emails (case-insensitive); an email that matches no record is a not-found error.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ByEmail, ValueFromPipelineByPropertyName = true)]
        [Alias("mail")]
        [ValidateNotNullOrEmpty]
        public string[] Email { get; set; }

        /// <summary>"contact" or "lead", for messages.</summary>
        protected abstract string Noun { get; }

        /// <summary>ContactNotFound or LeadNotFound.</summary>
        protected abstract string NotFoundErrorId { get; }

        /// <summary>Why an existing record may still not have been found (the cmdlet's own filters), or empty.</summary>
        protected abstract string FilterNote { get; }

        protected abstract string MissingEmailRemedy { get; }

        /// <summary>Reads the records for these name patterns or these exact emails (one of them is null).</summary>
        protected abstract Task ReadAsync(OrgReader reader, string[] names, IReadOnlyList<string> emails, Action<T> emit, CancellationToken ct);

        protected abstract (string Name, string Email) KeysOf(T record);

        protected override void BeginProcessing()
        {
            _connection = ResolveConnection();
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ByName)
            {
                Read(Name, null);
                return;
            }
            _pending.AddRange(Email.Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim()));
            if (_pending.Count >= EmailsPerRead) ReadPending();
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == ByEmail) ReadPending();
        }

        private void ReadPending()
        {
            if (_pending.Count == 0) return;
            var emails = _pending.ToList();
            _pending.Clear();
            var found = Read(null, emails);
            foreach (string missing in emails.Where(e => !found.Contains(e)).Distinct(StringComparer.OrdinalIgnoreCase))
                NotFound(missing, $"No Salesforce {Noun} has the email '{missing}'{FilterNote}.", MissingEmailRemedy);
        }

        /// <summary>Streams the records out as pages arrive; returns the emails seen and reports names without wildcards that matched nothing.</summary>
        private HashSet<string> Read(string[] names, IReadOnlyList<string> emails)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var matchedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var exactNames = (names ?? new string[0]).Where(n => n.IndexOf('*') < 0).ToList();
            var reader = new OrgReader(_connection);
            Stream<T>(_connection, (emit, ct) => ReadAsync(reader, names, emails, emit, ct), record =>
            {
                var (name, email) = KeysOf(record);
                if (email != null) seen.Add(email);
                foreach (string n in exactNames)
                {
                    if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase) || string.Equals(n, email, StringComparison.OrdinalIgnoreCase))
                        matchedNames.Add(n);
                }
            });
            foreach (string n in exactNames.Where(n => !matchedNames.Contains(n)).Distinct(StringComparer.OrdinalIgnoreCase))
                NotFound(n, $"No Salesforce {Noun} has the name or email '{n}'{FilterNote}.", $"Check the spelling, or use * as a wildcard ({MyInvocation.MyCommand.Name} '*part*').");
            return seen;
        }

        private void NotFound(string target, string message, string remedy)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException(message), NotFoundErrorId, ErrorCategory.ObjectNotFound, target)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = remedy },
            });
        }
    }
}
