namespace SalesforceProvisioning
{
    /// <summary>A permission set as Get-SfPermissionSet reads it back.</summary>
    public sealed class SfPermissionSet
    {
        public string Id { get; set; }

        /// <summary>The API name (what permission set assignment refers to).</summary>
        public string Name { get; set; }

        public string Label { get; set; }
        public string Description { get; set; }

        /// <summary>True for the hidden permission set behind each profile (listed only with -IncludeProfileOwned).</summary>
        public bool IsOwnedByProfile { get; set; }

        /// <summary>Null when the org's API version does not report it.</summary>
        public bool? IsCustom { get; set; }

        /// <summary>Regular, Profile, Group or Session; null when the org's API version does not report it.</summary>
        public string Type { get; set; }

        /// <summary>How many users have it assigned; null unless -IncludeAssignmentCount was given.</summary>
        public int? AssignmentCount { get; set; }

        public override string ToString() => Name ?? Id ?? string.Empty;
    }
}
