using System;

namespace SalesforceProvisioning
{
    /// <summary>
    /// A Salesforce user as Get-SfUser reads it back. Its property names are the ones Sync-SfUser's
    /// default map reads, so a user read here pipes back into Sync-SfUser (and Disable-SfUser) as is.
    /// </summary>
    public sealed class SfUser
    {
        public string Id { get; set; }
        public string Username { get; set; }
        public string Email { get; set; }
        public string FirstName { get; set; }
        public string LastName { get; set; }
        public string Name { get; set; }
        public string Alias { get; set; }
        public string Title { get; set; }
        public string Department { get; set; }
        public bool IsActive { get; set; }

        /// <summary>
        /// The state Sync-SfUser reads: <see cref="IsActive"/>, except that a frozen user counts as
        /// disabled when the connection freezes instead of disabling (so piping the user back changes nothing).
        /// </summary>
        public bool Enabled { get; set; }

        public string UserType { get; set; }
        public string ProfileId { get; set; }
        public string ProfileName { get; set; }
        public string FederationIdentifier { get; set; }
        public string EmployeeNumber { get; set; }

        /// <summary>Null when the org did not return it (or the API version predates it).</summary>
        public DateTimeOffset? LastLoginDate { get; set; }

        /// <summary>UserLogin.IsFrozen; null unless the frozen state was read (-IncludeFrozenState, or a Freeze connection).</summary>
        public bool? IsFrozen { get; set; }

        /// <summary>
        /// API names of the assigned permission sets that are not owned by a profile, sorted; null
        /// (not read) unless -IncludePermissionSets was given, so "not read" is never mistaken for "none".
        /// </summary>
        public string[] PermissionSets { get; set; }

        public override string ToString() => Username ?? Id ?? string.Empty;
    }
}
