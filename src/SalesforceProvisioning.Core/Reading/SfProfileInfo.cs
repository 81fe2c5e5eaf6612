namespace SalesforceProvisioning
{
    /// <summary>
    /// A profile as Get-SfProfile reads it back, with its user licence and the licence's seats
    /// (UserLicense.TotalLicenses and UsedLicenses). Seats are null when the org does not let the
    /// integration user read UserLicense.
    /// </summary>
    public sealed class SfProfileInfo
    {
        public string Id { get; set; }
        public string Name { get; set; }

        /// <summary>Standard, PowerCustomerSuccess, CspLitePortal, PowerPartner, Guest, ...</summary>
        public string UserType { get; set; }

        public string UserLicenseId { get; set; }
        public string LicenseName { get; set; }
        public int? TotalLicenses { get; set; }
        public int? UsedLicenses { get; set; }

        /// <summary>Seats of the profile's licence still free (shared by every profile of that licence).</summary>
        public int? FreeLicenses => TotalLicenses - UsedLicenses;

        public override string ToString() => Name ?? Id ?? string.Empty;
    }

    /// <summary>A role as Get-SfRole reads it back.</summary>
    public sealed class SfRole
    {
        public string Id { get; set; }
        public string Name { get; set; }
        public string DeveloperName { get; set; }
        public string ParentRoleId { get; set; }

        /// <summary>The parent role's Name, when it was among the roles read.</summary>
        public string ParentRoleName { get; set; }

        public override string ToString() => Name ?? Id ?? string.Empty;
    }
}
