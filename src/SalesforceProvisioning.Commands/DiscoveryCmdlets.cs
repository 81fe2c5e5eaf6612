using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Lists the org's profiles with their user licence and its free seats, so an admin can pick the
    /// -Profile for new users (and see why LICENSE_LIMIT_EXCEEDED happens) without opening Setup.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SfProfile")]
    [OutputType(typeof(SfProfileInfo))]
    public sealed class GetSfProfileCommand : SfConnectedCmdlet
    {
        private readonly List<string> _names = new List<string>();
        private SfProvisioningConnection _connection;

        /// <summary>Patterns matched against the profile Name; <c>*</c> matches any text. All profiles when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ProfileName")]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ProfileNameCompleter))]
        public string[] Name { get; set; }

        protected override void BeginProcessing() => _connection = ResolveConnection();

        // Piped names are read together in EndProcessing: one read however many are piped.
        protected override void ProcessRecord()
        {
            if (Name != null) _names.AddRange(Name);
        }

        protected override void EndProcessing()
        {
            var reader = new OrgReader(_connection);
            var found = new List<string>();
            Stream<SfProfileInfo>(_connection, (emit, ct) => reader.ReadProfilesAsync(_names, emit, ct), p => found.Add(p.Name));
            DiscoveryNotFound.Report(this, _names, found, "profile", "ProfileNotFound");
        }
    }

    /// <summary>Lists the org's roles (UserRole) with their parent role, for a map's UserRoleId.</summary>
    [Cmdlet(VerbsCommon.Get, "SfRole")]
    [OutputType(typeof(SfRole))]
    public sealed class GetSfRoleCommand : SfConnectedCmdlet
    {
        private readonly List<string> _names = new List<string>();
        private SfProvisioningConnection _connection;

        /// <summary>Patterns matched against Name or DeveloperName; <c>*</c> matches any text. All roles when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(RoleNameCompleter))]
        public string[] Name { get; set; }

        protected override void BeginProcessing() => _connection = ResolveConnection();

        protected override void ProcessRecord()
        {
            if (Name != null) _names.AddRange(Name);
        }

        protected override void EndProcessing()
        {
            var reader = new OrgReader(_connection);
            var found = new List<string>();
            Stream<SfRole>(_connection, (emit, ct) => reader.ReadRolesAsync(_names, emit, ct), r => { found.Add(r.Name); found.Add(r.DeveloperName); });
            DiscoveryNotFound.Report(this, _names, found, "role", "RoleNotFound");
        }
    }

    internal static class DiscoveryNotFound
    {
        /// <summary>One ObjectNotFound error per exact name (no wildcard) that matched nothing.</summary>
        internal static void Report(Cmdlet cmdlet, IEnumerable<string> names, IEnumerable<string> found, string what, string errorId)
        {
            var seen = new HashSet<string>(found.Where(f => f != null), StringComparer.OrdinalIgnoreCase);
            foreach (string name in names.Where(n => n.IndexOf('*') < 0 && !seen.Contains(n)).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                string message = $"No {what} is named '{name}'.";
                cmdlet.WriteError(new ErrorRecord(new ItemNotFoundException(message), errorId, ErrorCategory.ObjectNotFound, name)
                {
                    ErrorDetails = new ErrorDetails(message) { RecommendedAction = $"Check the spelling, or use * as a wildcard (Get-Sf{char.ToUpperInvariant(what[0]) + what.Substring(1)} lists them all)." },
                });
            }
        }
    }
}
