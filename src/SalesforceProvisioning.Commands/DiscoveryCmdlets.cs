using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// The shape of a cmdlet that lists named org objects: the Name patterns given or piped are collected and
    /// read together in EndProcessing (one read however many are piped), and each exact name that matched
    /// nothing is one ObjectNotFound error. A derived cmdlet declares its own Name parameter (its completer,
    /// aliases and help) and says how to read and what a found object is called.
    /// </summary>
    public abstract class SfNamedListCmdlet<T> : SfConnectedCmdlet
    {
        private readonly List<string> _names = new List<string>();
        private SfProvisioningConnection _connection;

        /// <summary>The derived cmdlet's Name parameter, as bound for the current input.</summary>
        protected abstract string[] NamePatterns { get; }

        /// <summary>What is listed, in the not-found message ("profile").</summary>
        protected abstract string What { get; }

        protected abstract string NotFoundErrorId { get; }

        protected abstract Task ReadAsync(OrgReader reader, IReadOnlyList<string> names, Action<T> emit, CancellationToken ct);

        /// <summary>The names an exact pattern may have matched this object by.</summary>
        protected abstract IEnumerable<string> NamesOf(T item);

        protected override void BeginProcessing() => _connection = ResolveConnection();

        protected override void ProcessRecord()
        {
            if (NamePatterns != null) _names.AddRange(NamePatterns);
        }

        protected override void EndProcessing()
        {
            var reader = new OrgReader(_connection);
            var found = new List<string>();
            Stream<T>(_connection, (emit, ct) => ReadAsync(reader, _names, emit, ct), item => found.AddRange(NamesOf(item)));
            DiscoveryNotFound.Report(this, _names, found, What, NotFoundErrorId);
        }
    }

    /// <summary>
    /// Lists the org's profiles with their user licence and its free seats, so an admin can pick the
    /// -Profile for new users (and see why LICENSE_LIMIT_EXCEEDED happens) without opening Setup.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SfProfile")]
    [OutputType(typeof(SfProfileInfo))]
    public sealed class GetSfProfileCommand : SfNamedListCmdlet<SfProfileInfo>
    {
        /// <summary>Patterns matched against the profile Name; <c>*</c> matches any text. All profiles when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ProfileName")]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ProfileNameCompleter))]
        public string[] Name { get; set; }

        protected override string[] NamePatterns => Name;
        protected override string What => "profile";
        protected override string NotFoundErrorId => "ProfileNotFound";
        protected override Task ReadAsync(OrgReader reader, IReadOnlyList<string> names, Action<SfProfileInfo> emit, CancellationToken ct) => reader.ReadProfilesAsync(names, emit, ct);
        protected override IEnumerable<string> NamesOf(SfProfileInfo profile) => new[] { profile.Name };
    }

    /// <summary>Lists the org's roles (UserRole) with their parent role, for a map's UserRoleId.</summary>
    [Cmdlet(VerbsCommon.Get, "SfRole")]
    [OutputType(typeof(SfRole))]
    public sealed class GetSfRoleCommand : SfNamedListCmdlet<SfRole>
    {
        /// <summary>Patterns matched against Name or DeveloperName; <c>*</c> matches any text. All roles when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(RoleNameCompleter))]
        public string[] Name { get; set; }

        protected override string[] NamePatterns => Name;
        protected override string What => "role";
        protected override string NotFoundErrorId => "RoleNotFound";
        protected override Task ReadAsync(OrgReader reader, IReadOnlyList<string> names, Action<SfRole> emit, CancellationToken ct) => reader.ReadRolesAsync(names, emit, ct);
        protected override IEnumerable<string> NamesOf(SfRole role) => new[] { role.Name, role.DeveloperName };
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
