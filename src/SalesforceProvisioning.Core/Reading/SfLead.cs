namespace SalesforceProvisioning
{
    /// <summary>
    /// A Salesforce lead as Get-SfLead reads it back. Its property names are the ones Sync-SfUser's default
    /// map reads on a Leads and Contacts connection (with <see cref="RecordType"/> = Lead), so an unchanged
    /// open lead pipes back into Sync-SfUser as Unchanged. Converted leads are read-only in Salesforce and
    /// never matched by Sync-SfUser.
    /// </summary>
    public sealed class SfLead
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
        public string Company { get; set; }
        public string Status { get; set; }

        /// <summary>Null when empty or when the org does not report the field.</summary>
        public string LeadSource { get; set; }

        public bool IsConverted { get; set; }

        /// <summary>The contact a converted lead became; null for open leads.</summary>
        public string ConvertedContactId { get; set; }

        /// <summary>
        /// What Sync-SfUser's RecordType pseudo-property reads: <c>Lead</c>, or <c>Contact</c> for a converted
        /// lead, whose person now lives on as the contact it became (so piping it back never demotes them).
        /// </summary>
        public string RecordType => IsConverted ? "Contact" : "Lead";

        public override string ToString() => Email ?? Name ?? Id ?? string.Empty;
    }
}
