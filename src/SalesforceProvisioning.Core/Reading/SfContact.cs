namespace SalesforceProvisioning
{
    /// <summary>
    /// A Salesforce contact as Get-SfContact reads it back. Its property names are the ones Sync-SfUser's
    /// default map reads on a Leads and Contacts connection (with <see cref="RecordType"/> = Contact and the
    /// <see cref="AccountId"/>), so an unchanged contact pipes back into Sync-SfUser as Unchanged.
    /// </summary>
    public sealed class SfContact
    {
        public string Id { get; set; }
        public string FirstName { get; set; }
        public string LastName { get; set; }
        public string Name { get; set; }
        public string Email { get; set; }
        public string Phone { get; set; }

        /// <summary>Null when empty or when the org does not report the field.</summary>
        public string MobilePhone { get; set; }

        public string Title { get; set; }

        /// <summary>Null when empty or when the org does not report the field.</summary>
        public string Department { get; set; }

        public string AccountId { get; set; }

        /// <summary>The name of the contact's account (Account.Name).</summary>
        public string AccountName { get; set; }

        /// <summary>Null when empty or when the org does not report the field.</summary>
        public string LeadSource { get; set; }

        /// <summary>Always <c>Contact</c>: what Sync-SfUser's RecordType pseudo-property reads.</summary>
        public string RecordType => "Contact";

        public override string ToString() => Email ?? Name ?? Id ?? string.Empty;
    }
}
