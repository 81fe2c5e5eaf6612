using System.Text.RegularExpressions;

namespace SalesforceProvisioning.Emulator.Data;

/// <summary>
/// The behaviour particular to each object: derived fields, cross-record checks and the writes the platform
/// makes by itself (a new user's UserLogin row and profile permission set assignment, cascading deletes).
/// </summary>
internal sealed class ObjectRules
{
    private static readonly Regex ApiNamePattern = new("^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$", RegexOptions.CultureInvariant);
    private readonly EmulatorOrg org;

    public ObjectRules(EmulatorOrg org) => this.org = org;

    /// <summary>Runs before the generic field checks: fills derived inputs and checks shapes.</summary>
    public SalesforceError Prepare(WriteContext write) => write.Type.Name switch
    {
        "User" => PrepareUser(write),
        "Group" => PrepareApiName(write, "DeveloperName", fromField: "Name"),
        "PermissionSet" => PrepareApiName(write, "Name", fromField: null),
        "PermissionSetGroup" => PrepareApiName(write, "DeveloperName", fromField: null),
        "Account" => PrepareAccount(write),
        "Contact" => PrepareContact(write),
        "Lead" => PrepareLead(write),
        _ => null,
    };

    /// <summary>Runs after the generic field checks, when references are known to be well-formed.</summary>
    public SalesforceError Validate(WriteContext write) => write.Type.Name switch
    {
        "User" => ValidateUser(write),
        "UserLogin" => ValidateUserLogin(write),
        "PermissionSetAssignment" => ValidatePermissionSetAssignment(write),
        "PermissionSetLicenseAssign" => write.IsCreate ? SeatAvailable(write, org.FindById(write.GetString("PermissionSetLicenseId"))) : null,
        _ => null,
    } ?? ValidateRecordType(write);

    public void AfterCreate(OrgTransaction tx, SObjectRecord record)
    {
        if (record.Type.Name == "Account" && record.GetBool("IsPersonAccount")) CreatePersonContact(tx, record);
        if (record.Type.Name == "PermissionSetLicenseAssign") AddSeats(tx, org.FindById(record.GetString("PermissionSetLicenseId")), +1);
        if (record.Type.Name != "User") return;
        org.InsertSideEffect(tx, "UserLogin", new(StringComparer.OrdinalIgnoreCase) { ["UserId"] = record.Id });
        AssignProfilePermissionSet(tx, record);
        if (record.GetBool("IsActive")) AddSeats(tx, LicenceOf(record), +1);
    }

    public void AfterUpdate(OrgTransaction tx, SObjectRecord before, SObjectRecord after)
    {
        if (after.Type.Name == "Account" && after.GetBool("IsPersonAccount")) MirrorPersonContact(tx, after);
        if (after.Type.Name == "User" && (before.GetBool("IsActive") != after.GetBool("IsActive") || before.GetString("ProfileId") != after.GetString("ProfileId")))
        {
            if (before.GetBool("IsActive")) AddSeats(tx, LicenceOf(before), -1);
            if (after.GetBool("IsActive")) AddSeats(tx, LicenceOf(after), +1);
        }
        if (after.Type.Name != "User" || before.GetString("ProfileId") == after.GetString("ProfileId")) return;
        var oldSet = ProfilePermissionSet(before.GetString("ProfileId"));
        var oldAssignment = oldSet == null ? null : FindAssignment(before.Id, oldSet.Id);
        if (oldAssignment != null) org.DeleteSideEffect(tx, oldAssignment);
        AssignProfilePermissionSet(tx, after);
    }

    public SalesforceError BeforeDelete(OrgTransaction tx, SObjectRecord record, WriteMode mode)
    {
        switch (record.Type.Name)
        {
            case "PermissionSetAssignment" when mode == WriteMode.Api:
                var set = org.FindById(record.GetString("PermissionSetId"));
                return set != null && set.GetBool("IsOwnedByProfile") ? ProfileOwnedSetError() : null;
            case "PermissionSetLicenseAssign" when mode == WriteMode.Api:
                return LicensedSetStillAssigned(record);
            case "Contact":
                return PortalUserOf(record) is { } user ? PortalUserDeleteError(record, user) : null;
            case "Account":
                foreach (var contact in org.Scan(org.Schema.Find("Contact")).Where(c => c.GetString("AccountId") == record.Id))
                    if (PortalUserOf(contact) is { } portalUser) return PortalUserDeleteError(contact, portalUser);
                return null;
            default:
                return null;
        }
    }

    public void AfterDelete(OrgTransaction tx, SObjectRecord record)
    {
        switch (record.Type.Name)
        {
            case "PermissionSetLicenseAssign":
                AddSeats(tx, org.FindById(record.GetString("PermissionSetLicenseId")), -1);
                break;
            case "Group":
                foreach (var member in org.Scan(org.Schema.Find("GroupMember"))
                             .Where(m => m.GetString("GroupId") == record.Id || m.GetString("UserOrGroupId") == record.Id).ToList())
                    org.DeleteSideEffect(tx, member);
                break;
            case "Account":
                foreach (var contact in org.Scan(org.Schema.Find("Contact")).Where(c => c.GetString("AccountId") == record.Id).ToList())
                    org.DeleteSideEffect(tx, contact);
                break;
        }
    }

    // ---- User ----------------------------------------------------------------------------------------------

    private static SalesforceError PrepareUser(WriteContext write)
    {
        if (write.IsCreate && write.Get("CommunityNickname") == null && write.GetString("Username") is { } username)
        {
            string localPart = username.Split('@')[0];
            write.Values["CommunityNickname"] = localPart.Length > 40 ? localPart[..40] : localPart;
        }
        return SetFullName(write);
    }

    private SalesforceError ValidateUser(WriteContext write)
    {
        var profile = org.FindById(write.GetString("ProfileId"));
        if (profile == null)
            return new SalesforceError("INVALID_CROSS_REFERENCE_KEY", "Profile ID: invalid cross reference id", "ProfileId");
        string userType = profile.GetString("UserType") ?? "Standard";

        if (write.Mode == WriteMode.Api && (write.IsCreate || write.IsChanged("ProfileId")))
        {
            if (userType == "Guest")
                return new SalesforceError("FIELD_INTEGRITY_EXCEPTION", "field integrity exception: ProfileId (guest users are created by their site, not through the API)", "ProfileId");
            if (!write.IsCreate && write.Existing.GetString("UserType") == "Guest")
                return new SalesforceError("FIELD_INTEGRITY_EXCEPTION", "field integrity exception: ProfileId (the profile of a guest user cannot be changed)", "ProfileId");
        }

        bool isCommunityProfile = StandardSchema.CommunityUserTypes.Contains(userType);
        string contactId = write.GetString("ContactId");
        if (isCommunityProfile && contactId == null)
            return new SalesforceError("FIELD_INTEGRITY_EXCEPTION",
                "field integrity exception: ContactId (a user with a community profile must be associated with a contact)", "ContactId");
        if (!isCommunityProfile && contactId != null)
            return new SalesforceError("FIELD_INTEGRITY_EXCEPTION",
                $"field integrity exception: ContactId (a user with the {profile.GetString("Name")} profile cannot be associated with a contact)", "ContactId");

        write.Values["AccountId"] = null;
        if (contactId != null)
        {
            var contact = org.FindById(contactId);
            var account = contact == null ? null : org.FindById(contact.GetString("AccountId"));
            if (contact == null)
                return new SalesforceError("INVALID_CROSS_REFERENCE_KEY", "Contact ID: invalid cross reference id", "ContactId");
            if (account == null || account.GetBool("IsPersonAccount"))
                return new SalesforceError("FIELD_INTEGRITY_EXCEPTION",
                    "field integrity exception: ContactId (the contact of a community user must belong to a business account)", "ContactId");
            write.Values["AccountId"] = account.Id;
        }
        write.Values["UserType"] = userType;
        // A seat is taken by a new active user, an activation, or an active user moving to another licence.
        var licence = LicenceOf(profile);
        bool takesSeat = write.Get("IsActive") is true
            && (write.IsCreate || !write.Existing.GetBool("IsActive") || LicenceOf(write.Existing)?.Id != licence?.Id);
        return takesSeat && write.Mode != WriteMode.Seed ? SeatAvailable(write, licence) : null;
    }

    // ---- Licences: UserLicense and PermissionSetLicense seats ---------------------------------------------

    /// <summary>The user licence of a user (through its profile) or of a profile.</summary>
    private SObjectRecord LicenceOf(SObjectRecord userOrProfile)
    {
        var profile = userOrProfile.Type.Name == "Profile" ? userOrProfile : org.FindById(userOrProfile.GetString("ProfileId"));
        return profile == null ? null : org.FindById(profile.GetString("UserLicenseId"));
    }

    /// <summary>LICENSE_LIMIT_EXCEEDED when every seat of the licence is taken (UsedLicenses = TotalLicenses).</summary>
    private static SalesforceError SeatAvailable(WriteContext write, SObjectRecord licence)
    {
        if (licence == null || write.Mode == WriteMode.Seed) return null;
        long total = licence.Get("TotalLicenses") is long t ? t : 0, used = licence.Get("UsedLicenses") is long u ? u : 0;
        return used < total ? null : new SalesforceError("LICENSE_LIMIT_EXCEEDED", "License Limit Exceeded");
    }

    private void AddSeats(OrgTransaction tx, SObjectRecord licence, int change)
    {
        if (licence == null) return;
        long used = licence.Get("UsedLicenses") is long u ? u : 0;
        org.SetSideEffect(tx, licence, "UsedLicenses", Math.Max(0, used + change));
    }

    /// <summary>Counts every seat from scratch, after a seed loads.</summary>
    public void RecountSeats(OrgTransaction tx)
    {
        var users = org.Scan(org.Schema.Find("User")).Where(u => u.GetBool("IsActive")).ToList();
        foreach (var licence in org.Scan(org.Schema.Find("UserLicense")).ToList())
            org.SetSideEffect(tx, licence, "UsedLicenses", (long)users.Count(u => LicenceOf(u)?.Id == licence.Id));
        var assignments = org.Scan(org.Schema.Find("PermissionSetLicenseAssign")).ToList();
        foreach (var licence in org.Scan(org.Schema.Find("PermissionSetLicense")).ToList())
            org.SetSideEffect(tx, licence, "UsedLicenses", (long)assignments.Count(a => a.GetString("PermissionSetLicenseId") == licence.Id));
    }

    // ---- Record types ----------------------------------------------------------------------------------------

    /// <summary>A RecordTypeId must name an active record type of the same object.</summary>
    private SalesforceError ValidateRecordType(WriteContext write)
    {
        if (!write.IsChanged("RecordTypeId") || write.GetString("RecordTypeId") is not { } id || write.Mode == WriteMode.Seed) return null;
        var recordType = org.FindById(id);
        if (recordType != null && string.Equals(recordType.GetString("SobjectType"), write.Type.Name, StringComparison.OrdinalIgnoreCase)
            && recordType.GetBool("IsActive"))
            return null;
        return new SalesforceError("INVALID_CROSS_REFERENCE_KEY", $"Record Type ID: this ID value isn't valid for the user: {id}", "RecordTypeId");
    }

    private SalesforceError ValidateUserLogin(WriteContext write)
    {
        if (!write.IsChanged("IsFrozen") || write.Get("IsFrozen") is not true) return null;
        var user = org.FindById(write.GetString("UserId"));
        return user?.GetString("UserType") == "Guest"
            ? new SalesforceError("FIELD_INTEGRITY_EXCEPTION", "Guest users cannot be frozen", "IsFrozen")
            : null;
    }

    private SObjectRecord ProfilePermissionSet(string profileId) =>
        profileId == null ? null : org.Scan(org.Schema.Find("PermissionSet"))
            .FirstOrDefault(set => set.GetBool("IsOwnedByProfile") && set.GetString("ProfileId") == profileId);

    private SObjectRecord FindAssignment(string userId, string permissionSetId) =>
        org.FindByUniqueKey(org.Schema.Find("PermissionSetAssignment"),
            new(StringComparer.OrdinalIgnoreCase) { ["AssigneeId"] = userId, ["PermissionSetId"] = permissionSetId });

    private void AssignProfilePermissionSet(OrgTransaction tx, SObjectRecord user)
    {
        var set = ProfilePermissionSet(user.GetString("ProfileId"));
        if (set != null && FindAssignment(user.Id, set.Id) == null)
            org.InsertSideEffect(tx, "PermissionSetAssignment",
                new(StringComparer.OrdinalIgnoreCase) { ["AssigneeId"] = user.Id, ["PermissionSetId"] = set.Id });
    }

    private SObjectRecord PortalUserOf(SObjectRecord contact) =>
        org.FindByUniqueField(org.Schema.Find("User"), "ContactId", contact.Id);

    private static SalesforceError PortalUserDeleteError(SObjectRecord contact, SObjectRecord user) =>
        new("DELETE_FAILED",
            $"Your attempt to delete {contact.GetString("Name")} could not be completed because it is associated with the following portal users.: {user.GetString("Name")}");

    // ---- Permission sets and groups ------------------------------------------------------------------------

    private SalesforceError ValidatePermissionSetAssignment(WriteContext write)
    {
        string setId = write.GetString("PermissionSetId");
        string groupId = write.GetString("PermissionSetGroupId");
        if (setId == null && groupId == null)
            return new SalesforceError("REQUIRED_FIELD_MISSING", "Required fields are missing: [PermissionSetId]", "PermissionSetId");
        // A group assignment holds the group's aggregate set too, so the either-or rule is the create's.
        if (setId != null && groupId != null && write.IsCreate)
            return new SalesforceError("FIELD_INTEGRITY_EXCEPTION",
                "field integrity exception: PermissionSetId, PermissionSetGroupId (assign either a permission set or a permission set group)", "PermissionSetId", "PermissionSetGroupId");
        if (setId == null && write.IsCreate)
        {
            // As in Salesforce, a group assignment points at the group's own aggregate permission set.
            var aggregate = org.Query($"SELECT Id FROM PermissionSet WHERE PermissionSetGroupId = '{SalesforceId.Normalize(groupId)}'").FirstOrDefault();
            if (aggregate != null) write.Values["PermissionSetId"] = aggregate["Id"].ToString();
        }
        var set = setId == null ? null : org.FindById(setId);
        if (write.Mode == WriteMode.Api && set != null && set.GetBool("IsOwnedByProfile"))
            return ProfileOwnedSetError();
        if (write.Mode == WriteMode.Api && write.IsCreate && set != null && RequiredLicence(set) is { } licence
            && !HoldsLicence(write.GetString("AssigneeId"), licence.Id))
        {
            var user = org.FindById(write.GetString("AssigneeId"));
            return new SalesforceError("FIELD_INTEGRITY_EXCEPTION",
                $"Can't assign permission set {set.GetString("Label")} to user {user?.GetString("Username")}. The permission set requires the permission set license " +
                $"{licence.GetString("MasterLabel")}. Before continuing, assign the user to the related permission set license.", "PermissionSetId");
        }
        return null;
    }

    // Salesforce Help, "Permission Set Licenses" (platform.users_permissionset_licenses_overview.htm): users need both the
    // permission set licence and the permission set; assigning the set without the licence is an assignment error.
    // "Remove a Permission Set License from a User" (platform.users_permissionset_licenses_remove.htm): first remove the
    // assigned permission sets that require the licence, then the licence. (The automatic removal of a licence when its
    // last set goes, Winter '26, is not emulated.)
    private SObjectRecord RequiredLicence(SObjectRecord set) =>
        set.GetString("LicenseId") is { } id && org.FindById(id) is { } licence && licence.Type.Name == "PermissionSetLicense" ? licence : null;

    private bool HoldsLicence(string userId, string licenceId) =>
        org.FindByUniqueKey(org.Schema.Find("PermissionSetLicenseAssign"), new(StringComparer.OrdinalIgnoreCase)
            { ["AssigneeId"] = SalesforceId.Normalize(userId), ["PermissionSetLicenseId"] = SalesforceId.Normalize(licenceId) }) != null;

    private SalesforceError LicensedSetStillAssigned(SObjectRecord licenceAssignment)
    {
        string userId = licenceAssignment.GetString("AssigneeId"), licenceId = SalesforceId.Normalize(licenceAssignment.GetString("PermissionSetLicenseId"));
        var needing = org.Scan(org.Schema.Find("PermissionSetAssignment"))
            .Where(a => a.GetString("AssigneeId") == userId && a.GetString("PermissionSetGroupId") == null)
            .Select(a => org.FindById(a.GetString("PermissionSetId")))
            .FirstOrDefault(set => set != null && RequiredLicence(set)?.Id == licenceId);
        return needing == null ? null : new SalesforceError("FIELD_INTEGRITY_EXCEPTION",
            $"Can't remove the permission set license {org.FindById(licenceId)?.GetString("MasterLabel")}: the user is assigned the permission set {needing.GetString("Label")}, which requires it. " +
            "Remove the permission sets that require the license first.");
    }

    private static SalesforceError ProfileOwnedSetError() =>
        new("INVALID_CROSS_REFERENCE_KEY",
            "You can't assign or unassign this permission set because it's associated with a profile.", "PermissionSetId");

    /// <summary>Developer names: letters, digits and single underscores, starting with a letter, at most 80 characters.</summary>
    private static SalesforceError PrepareApiName(WriteContext write, string nameField, string fromField)
    {
        if (write.IsCreate && write.Get(nameField) == null && fromField != null && write.GetString(fromField) is { } source)
            write.Values[nameField] = ApiNameFrom(source);
        if (!write.IsChanged(nameField) && !(write.IsCreate && fromField != null)) return null;
        if (write.GetString(nameField) is not { } name) return null;
        if (name.Length > 80 || !ApiNamePattern.IsMatch(name) || name.EndsWith('_'))
            return new SalesforceError("INVALID_FIELD",
                $"The {nameField} can only contain underscores and alphanumeric characters. It must be unique, begin with a letter, not include spaces, " +
                "not end with an underscore, and not contain two consecutive underscores.", nameField);
        return null;
    }

    private static string ApiNameFrom(string label)
    {
        string name = Regex.Replace(label, "[^A-Za-z0-9]+", "_").Trim('_');
        name = Regex.Replace(name, "_+", "_");
        if (name.Length == 0 || !char.IsAsciiLetter(name[0])) name = "X" + name;
        return name.Length > 80 ? name[..80].TrimEnd('_') : name;
    }

    // ---- Sales objects -------------------------------------------------------------------------------------

    private static readonly string[] PersonAccountFields = { "FirstName", "LastName", "PersonEmail" };

    private SalesforceError PrepareAccount(WriteContext write)
    {
        // In an org without Person Accounts the person fields do not exist (the input reader refused them already).
        if (!org.Schema.Shape.PersonAccounts)
            return write.Get("Name") == null ? new SalesforceError("REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", "Name") : null;
        // A person account has a person account record type; without record types, a new account with a person's
        // name and no Name is one too (seeds may also say so).
        if (write.IsCreate)
            write.Values["IsPersonAccount"] = (write.Mode == WriteMode.Seed && write.Get("IsPersonAccount") is true)
                || org.FindById(write.GetString("RecordTypeId"))?.GetBool("IsPersonType") == true
                || (write.Get("Name") == null && (write.Get("FirstName") != null || write.Get("LastName") != null));

        if (write.Get("IsPersonAccount") is true)
        {
            if (!write.IsCreate && write.IsChanged("Name"))
                return new SalesforceError("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: Name. The name of a person account comes from FirstName and LastName.", "Name");
            if (write.Get("LastName") == null)
                return new SalesforceError("REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", "LastName");
            return SetFullName(write);
        }

        var personFields = PersonAccountFields.Where(f => write.IsChanged(f) && write.Get(f) != null).ToArray();
        if (personFields.Length > 0)
            return new SalesforceError("INVALID_FIELD_FOR_INSERT_UPDATE",
                $"Unable to create/update fields: {string.Join(", ", personFields)}. These fields exist only on person accounts.", personFields);
        if (write.Get("Name") == null)
            return new SalesforceError("REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", "Name");
        return null;
    }

    // ---- Person contacts (Object Reference, "Person Account Record Types") ---------------------------------

    /// <summary>The person fields an account mirrors onto its person contact: account field, contact field.</summary>
    private static readonly (string Account, string Contact)[] PersonContactFields =
        { ("FirstName", "FirstName"), ("LastName", "LastName"), ("Name", "Name"), ("PersonEmail", "Email") };

    /// <summary>A new person account gets its person contact, whose id it keeps in PersonContactId.</summary>
    private void CreatePersonContact(OrgTransaction tx, SObjectRecord account)
    {
        var values = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase)
        {
            ["AccountId"] = account.Id, ["IsPersonAccount"] = true, ["OwnerId"] = account.Get("OwnerId"),
        };
        foreach (var (accountField, contactField) in PersonContactFields) values[contactField] = account.Get(accountField);
        var contact = org.InsertSideEffect(tx, "Contact", values);
        org.SetSideEffect(tx, account, "PersonContactId", contact.Id);
    }

    private void MirrorPersonContact(OrgTransaction tx, SObjectRecord account)
    {
        foreach (var (accountField, contactField) in PersonContactFields)
        {
            var contact = org.FindById(account.GetString("PersonContactId"));
            if (contact != null && !Equals(contact.Get(contactField), account.Get(accountField)))
                org.SetSideEffect(tx, contact, contactField, account.Get(accountField));
        }
    }

    /// <summary>A person account holds only its own person contact, which changes through the account.</summary>
    private SalesforceError PrepareContact(WriteContext write)
    {
        if (write.Mode != WriteMode.Seed && org.Schema.Shape.PersonAccounts)
        {
            if (!write.IsCreate && write.Existing.GetBool("IsPersonAccount"))
                return new SalesforceError("INVALID_FIELD_FOR_INSERT_UPDATE",
                    "Unable to create/update fields: the contact of a person account changes through its account.", write.Changed.ToArray());
            if (write.IsChanged("AccountId") && org.FindById(write.GetString("AccountId"))?.GetBool("IsPersonAccount") == true)
                return new SalesforceError("FIELD_INTEGRITY_EXCEPTION",
                    "field integrity exception: AccountId (a person account holds only its own person contact)", "AccountId");
        }
        return SetFullName(write);
    }

    private static SalesforceError PrepareLead(WriteContext write)
    {
        if (!write.IsCreate && write.Existing.GetBool("IsConverted") && write.Mode == WriteMode.Api)
            return new SalesforceError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead");
        return SetFullName(write);
    }

    private static SalesforceError SetFullName(WriteContext write)
    {
        string name = $"{write.GetString("FirstName")} {write.GetString("LastName")}".Trim();
        write.Values["Name"] = name.Length == 0 ? null : name;
        return null;
    }
}
