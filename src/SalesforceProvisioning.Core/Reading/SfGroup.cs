namespace SalesforceProvisioning
{
    /// <summary>A Salesforce group (public group by default) as Get-SfGroup reads it back.</summary>
    public sealed class SfGroup
    {
        public string Id { get; set; }
        public string Name { get; set; }
        public string DeveloperName { get; set; }
        public string Type { get; set; }
        public string Description { get; set; }
        public bool DoesIncludeBosses { get; set; }

        /// <summary>
        /// Usernames of user members and names of nested groups, sorted; null (not read) unless
        /// -IncludeMembers was given.
        /// </summary>
        public string[] Members { get; set; }

        /// <summary>How many direct members (users and nested groups); null unless -IncludeMembers was given.</summary>
        public int? MemberCount { get; set; }

        public override string ToString() => Name ?? DeveloperName ?? Id ?? string.Empty;
    }
}
