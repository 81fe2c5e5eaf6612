using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Reads Salesforce users back: by name pattern (Username, Name or Email; <c>*</c> is the wildcard)
    /// or by exact usernames (piped by property name, read in chunks of 400 per query). The objects
    /// pipe back into Sync-SfUser (unchanged users stay Unchanged) and Disable-SfUser.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SfUser", DefaultParameterSetName = ByName)]
    [OutputType(typeof(SfUser))]
    public sealed class GetSfUserCommand : SfConnectedCmdlet
    {
        private const string ByName = "ByName";
        private const string ByUsername = "ByUsername";

        // Usernames piped in are read together, this many at a time (five composite-packed queries: one counted call).
        private const int UsernamesPerRead = OrgQueries.UsernamesPerQuery * CompositeReader.QueriesPerComposite;

        private readonly List<string> _pending = new List<string>();
        private SfProvisioningConnection _connection;

        /// <summary>Patterns matched against Username, Name or Email; <c>*</c> matches any text, % and _ are literal. All users when omitted.</summary>
        [Parameter(Position = 0, ParameterSetName = ByName)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

        /// <summary>Exact usernames (case-insensitive); a username that matches no user is a UserNotFound error.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ByUsername, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("UserPrincipalName", "mail")]
        [ValidateNotNullOrEmpty]
        public string[] Username { get; set; }

        /// <summary>Only active users.</summary>
        [Parameter]
        public SwitchParameter ActiveOnly { get; set; }

        /// <summary>Only users of these profiles (names; <c>*</c> wildcard allowed).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ProfileNameCompleter))]
        public string[] ProfileName { get; set; }

        /// <summary>Fill PermissionSets (assigned, not profile-owned); read in chunked queries, a few calls per 2,000 users.</summary>
        [Parameter]
        public SwitchParameter IncludePermissionSets { get; set; }

        /// <summary>Fill IsFrozen from UserLogin (always read on a connection whose DisableAction is Freeze).</summary>
        [Parameter]
        public SwitchParameter IncludeFrozenState { get; set; }

        protected override void BeginProcessing()
        {
            _connection = ResolveConnection();
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ByName)
            {
                Read(new SfUserQuery { Names = Name, ActiveOnly = ActiveOnly, ProfileNames = ProfileName }, Name);
                return;
            }
            _pending.AddRange(Username.Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => u.Trim()));
            if (_pending.Count >= UsernamesPerRead) ReadPending();
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == ByUsername) ReadPending();
        }

        private void ReadPending()
        {
            if (_pending.Count == 0) return;
            var usernames = _pending.ToList();
            _pending.Clear();
            var found = Read(new SfUserQuery { Usernames = usernames, ActiveOnly = ActiveOnly, ProfileNames = ProfileName }, null);
            foreach (string missing in usernames.Where(u => !found.Contains(u)).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                string filters = ActiveOnly || ProfileName != null ? " matching the other filters (-ActiveOnly, -ProfileName)" : string.Empty;
                string message = $"No Salesforce user has the username '{missing}'{filters}.";
                WriteError(new ErrorRecord(new ItemNotFoundException(message), "UserNotFound", ErrorCategory.ObjectNotFound, missing)
                {
                    ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Check the username (Salesforce usernames look like email addresses), or search with Get-SfUser -Name '*part*'." },
                });
            }
        }

        /// <summary>Streams the users out as pages arrive; returns the usernames seen and reports names without wildcards that matched nobody.</summary>
        private HashSet<string> Read(SfUserQuery query, string[] names)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var matchedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var exactNames = (names ?? new string[0]).Where(n => n.IndexOf('*') < 0).ToList();
            var options = new SfUserReadOptions { IncludePermissionSets = IncludePermissionSets, IncludeFrozenState = IncludeFrozenState };
            var reader = new OrgReader(_connection);
            Stream<SfUser>(_connection, (emit, ct) => reader.ReadUsersAsync(query, options, emit, ct), user =>
            {
                seen.Add(user.Username);
                foreach (string n in exactNames)
                {
                    if (string.Equals(n, user.Username, StringComparison.OrdinalIgnoreCase) || string.Equals(n, user.Name, StringComparison.OrdinalIgnoreCase)
                        || string.Equals(n, user.Email, StringComparison.OrdinalIgnoreCase))
                        matchedNames.Add(n);
                }
            });
            foreach (string n in exactNames.Where(n => !matchedNames.Contains(n)).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                string message = $"No Salesforce user has the username, name or email '{n}'{(ActiveOnly || ProfileName != null ? " matching the other filters" : string.Empty)}.";
                WriteError(new ErrorRecord(new ItemNotFoundException(message), "UserNotFound", ErrorCategory.ObjectNotFound, n)
                {
                    ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Check the spelling, or use * as a wildcard (Get-SfUser '*part*')." },
                });
            }
            return seen;
        }
    }
}
