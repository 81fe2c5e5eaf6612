using System.Globalization;
using System.Text.Json.Nodes;

namespace SalesforceProvisioning.Emulator.Data;

/// <summary>One LeadConvert of a convertLead call (the SOAP element names, already parsed).</summary>
internal sealed record LeadConvertRequest
{
    public string LeadId { get; init; }
    public string AccountId { get; init; }
    public string ContactId { get; init; }
    public string ConvertedStatus { get; init; }
    public string OwnerId { get; init; }
    public bool OverwriteLeadSource { get; init; }
}

/// <summary>A LeadConvertResult: the ids on success, the errors otherwise (then every id is null).</summary>
internal sealed record LeadConvertResult(string AccountId, string ContactId, string LeadId, IReadOnlyList<SalesforceError> Errors)
{
    public bool Success => Errors.Count == 0;

    public static LeadConvertResult Failed(SalesforceError error) => new(null, null, null, new[] { error });
}

/// <summary>
/// Lead conversion as convertLead does it: into a new or an existing business account, into a new contact or
/// merged into an existing one (only empty contact fields are filled), the lead then read-only for good.
/// No opportunity is ever created.
/// </summary>
public sealed partial class EmulatorOrg
{
    /// <summary>Lead field and the contact field it fills.</summary>
    private static readonly (string Lead, string Contact)[] LeadToContactFields =
    {
        ("FirstName", "FirstName"), ("LastName", "LastName"), ("Email", "Email"), ("Phone", "Phone"), ("Title", "Title"),
        ("City", "MailingCity"), ("Country", "MailingCountry"), ("LeadSource", "LeadSource"),
    };

    /// <summary>
    /// Converts one lead inside <paramref name="tx"/>. A failure leaves nothing behind; <paramref name="faultFor"/>
    /// may fail the lead on purpose (fault injection) once the request itself is known to be valid.
    /// </summary>
    internal LeadConvertResult ConvertLead(OrgTransaction tx, LeadConvertRequest request, Func<SObjectRecord, SalesforceError> faultFor = null)
    {
        var error = CheckConversion(request, out var lead, out var account, out var contact, out string status)
            ?? faultFor?.Invoke(lead);
        if (error != null) return LeadConvertResult.Failed(error);

        var savepoint = tx.CreateSavepoint();
        var outcome = WriteConversion(tx, request, lead, account, contact, status);
        if (!outcome.Success) tx.RollbackTo(savepoint);
        return outcome;
    }

    private LeadConvertResult WriteConversion(OrgTransaction tx, LeadConvertRequest request, SObjectRecord lead, SObjectRecord account,
        SObjectRecord contact, string status)
    {
        // New records belong to ownerId, or else to the lead's owner when that is a user (SOAP API, LeadConvert).
        string leadOwner = lead.GetString("OwnerId");
        string owner = SalesforceId.Normalize(request.OwnerId)
            ?? (leadOwner != null && leadOwner.StartsWith("005", StringComparison.Ordinal) ? leadOwner : null);
        string accountId = account?.Id;
        if (account == null)
        {
            var newAccount = new JsonObject { ["Name"] = lead.GetString("Company") };
            if (owner != null) newAccount["OwnerId"] = owner;
            if (lead.Get("Phone") != null) newAccount["Phone"] = lead.GetString("Phone");
            var created = CreateRecord(tx, "Account", newAccount, WriteMode.Api);
            if (!created.Success) return LeadConvertResult.Failed(created.Errors[0]);
            accountId = created.Id;
        }

        string contactId = contact?.Id;
        if (contact == null)
        {
            var newContact = new JsonObject { ["AccountId"] = accountId };
            if (owner != null) newContact["OwnerId"] = owner;
            foreach (var (leadField, contactField) in LeadToContactFields)
                if (lead.Get(leadField) is { } value)
                    newContact[contactField] = FieldValues.ToJson(value);
            var created = CreateRecord(tx, "Contact", newContact, WriteMode.Api);
            if (!created.Success) return LeadConvertResult.Failed(created.Errors[0]);
            contactId = created.Id;
        }
        else
        {
            // Existing data is never overwritten, except LeadSource when the caller asks for it.
            var fill = new JsonObject();
            foreach (var (leadField, contactField) in LeadToContactFields)
            {
                if (lead.Get(leadField) is not { } value) continue;
                bool overwrite = contactField == "LeadSource" && request.OverwriteLeadSource;
                if (contact.Get(contactField) == null || overwrite) fill[contactField] = FieldValues.ToJson(value);
            }
            if (fill.Count > 0)
            {
                var updated = UpdateRecord(tx, "Contact", contact.Id, fill, WriteMode.Api);
                if (!updated.Success) return LeadConvertResult.Failed(updated.Errors[0]);
            }
        }

        var converted = new JsonObject
        {
            ["IsConverted"] = true,
            ["ConvertedAccountId"] = accountId,
            ["ConvertedContactId"] = contactId,
            ["ConvertedDate"] = DateOnly.FromDateTime(Clock()).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Status"] = status,
        };
        var leadUpdate = UpdateRecord(tx, "Lead", lead.Id, converted, WriteMode.Platform);
        if (!leadUpdate.Success) return LeadConvertResult.Failed(leadUpdate.Errors[0]);
        return new LeadConvertResult(accountId, contactId, lead.Id, Array.Empty<SalesforceError>());
    }

    /// <summary>Everything that can be said about a LeadConvert before writing anything.</summary>
    private SalesforceError CheckConversion(LeadConvertRequest request, out SObjectRecord lead, out SObjectRecord account,
        out SObjectRecord contact, out string status)
    {
        lead = account = contact = null;
        status = null;

        if (string.IsNullOrWhiteSpace(request.LeadId))
            return new SalesforceError("REQUIRED_FIELD_MISSING", "Required fields are missing: [leadId]", "leadId");
        lead = FindOf("Lead", request.LeadId);
        if (lead == null)
            return WasDeleted(request.LeadId)
                ? new SalesforceError("ENTITY_IS_DELETED", "entity is deleted", "leadId")
                : new SalesforceError("INVALID_CROSS_REFERENCE_KEY", $"invalid cross reference id: leadId {request.LeadId} is not a lead", "leadId");
        if (lead.GetBool("IsConverted"))
            return AlreadyConverted(lead);

        status = Schema.ConvertedLeadStatuses.FirstOrDefault(s => string.Equals(s, request.ConvertedStatus?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (status == null)
            return new SalesforceError("INVALID_STATUS",
                $"invalid convertedStatus: {(string.IsNullOrWhiteSpace(request.ConvertedStatus) ? "(none given)" : request.ConvertedStatus)}; " +
                $"the converted lead statuses are: {string.Join(", ", Schema.ConvertedLeadStatuses)}", "convertedStatus");

        if (!string.IsNullOrWhiteSpace(request.OwnerId))
        {
            var owner = FindOf("User", request.OwnerId);
            if (owner == null)
                return new SalesforceError("INVALID_CROSS_REFERENCE_KEY", $"invalid cross reference id: ownerId {request.OwnerId} is not a user", "ownerId");
            if (!owner.GetBool("IsActive"))
                return new SalesforceError("INACTIVE_OWNER_OR_USER", $"operation performed with inactive user [{owner.Id}] as owner of lead", "ownerId");
        }

        if (!string.IsNullOrWhiteSpace(request.AccountId))
        {
            account = FindOf("Account", request.AccountId);
            if (account == null)
                return new SalesforceError("INVALID_CROSS_REFERENCE_KEY", $"invalid cross reference id: accountId {request.AccountId} is not an account", "accountId");
            if (account.GetBool("IsPersonAccount"))
                return new SalesforceError("FIELD_INTEGRITY_EXCEPTION",
                    $"field integrity exception: accountId ({account.Id} is a person account; a lead converts only into a business account)", "accountId");
        }

        if (!string.IsNullOrWhiteSpace(request.ContactId))
        {
            if (account == null)
                return new SalesforceError("FIELD_INTEGRITY_EXCEPTION",
                    "field integrity exception: accountId (an accountId is required when a contactId is given)", "accountId");
            contact = FindOf("Contact", request.ContactId);
            if (contact == null)
                return new SalesforceError("INVALID_CROSS_REFERENCE_KEY", $"invalid cross reference id: contactId {request.ContactId} is not a contact", "contactId");
            if (contact.GetString("AccountId") != account.Id)
                return new SalesforceError("FIELD_INTEGRITY_EXCEPTION",
                    $"field integrity exception: contactId (contact {contact.Id} does not belong to account {account.Id})", "contactId");
        }
        return null;
    }

    private SalesforceError AlreadyConverted(SObjectRecord lead)
    {
        var contact = FindById(lead.GetString("ConvertedContactId"));
        string who = contact?.GetString("Name") ?? lead.GetString("ConvertedContactId") ?? "(unknown)";
        string when = lead.Get("ConvertedDate") is DateOnly day ? $" on {day.ToString("M/d/yyyy", CultureInfo.InvariantCulture)}" : "";
        return new SalesforceError("CANNOT_UPDATE_CONVERTED_LEAD", $"This lead was already converted to the contact {who}{when}.", "leadId");
    }

    private SObjectRecord FindOf(string typeName, string id)
    {
        var record = FindById(id?.Trim());
        return record != null && record.Type.Name == typeName ? record : null;
    }
}
