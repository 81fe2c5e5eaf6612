namespace SalesforceProvisioning
{
    /// <summary>What an admin should do about a Salesforce error code: the one place these are worded.</summary>
    public static class Remedies
    {
        public static string For(string errorCode)
        {
            switch (errorCode)
            {
                case "DUPLICATE_USERNAME": return "Usernames are unique across all Salesforce orgs: this one is taken elsewhere. Choose another, for example with a company suffix (jane@acme.com.acmeprod).";
                case "INVALID_EMAIL_ADDRESS": return "Fix the email address in the source.";
                case "REQUIRED_FIELD_MISSING": return "Map the field Salesforce names (New-SfAttributeMap -Mapping), or give it a default.";
                case "STRING_TOO_LONG": return "Shorten the value in the source, or compute a shorter one in the attribute map.";
                case "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": return "Use one of the values the org allows for this field.";
                case "LICENSE_LIMIT_EXCEEDED": return "The org has no free licence for this profile: deactivate unused users or buy licences.";
                case "FIELD_INTEGRITY_EXCEPTION":
                case "INVALID_CROSS_REFERENCE_KEY": return "Check the Ids the record refers to (ProfileId, ContactId, ManagerId) and that the profile fits the user type.";
                case "INVALID_FIELD":
                case "INVALID_FIELD_FOR_INSERT_UPDATE": return "Check the field names in the attribute map against the object's fields; some fields can only be set on create.";
                case "INSUFFICIENT_ACCESS_OR_READONLY":
                case "INSUFFICIENT_ACCESS": return "Give the integration user the permission to manage users (Manage Users) or the object concerned.";
                case "UNABLE_TO_LOCK_ROW": return "Another process held the record through every retry; run again later.";
                case "MALFORMED_QUERY": return "This is a bug in the module's query; please report it with the verbose log.";
                case "NotProcessed": return "The Bulk API 2.0 job ended before it reached this record (see the message): run the same sync again; it writes what is missing.";
                case "NotConfirmed": return "Run the same sync again (after the stop is resolved): it reads the record back and confirms it, and never creates it twice.";
                case "NotSent": return "The run was stopped before this change was sent: run the same sync again to write it.";
                case "ConnectionDropped":
                case "Timeout": return "The outcome is unknown: run the same sync again; it reconciles what was written and never creates a user twice.";
                case "RequestLimitExceeded":
                case "REQUEST_LIMIT_EXCEEDED": return "The org's daily API allowance is used up: wait until it frees up (a rolling 24 hours) or ask Salesforce for a higher limit, then run again.";
                default: return "See the Salesforce message; fix the record or setting it names and run again.";
            }
        }
    }
}
