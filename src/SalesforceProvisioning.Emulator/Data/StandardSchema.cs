namespace SalesforceProvisioning.Emulator.Data;

/// <summary>The objects the emulated org knows, declared field by field as describe reports them.</summary>
public sealed class StandardSchema
{
    public static readonly string[] TimeZones =
    {
        "America/Los_Angeles", "America/Denver", "America/Phoenix", "America/Chicago", "America/New_York", "America/Sao_Paulo",
        "Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam", "Europe/Madrid", "Europe/Rome",
        "Asia/Tokyo", "Asia/Singapore", "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland", "GMT",
    };
    public static readonly string[] Locales = { "en_US", "en_GB", "en_CA", "en_AU", "fr_FR", "fr_CA", "de_DE", "es_ES", "it_IT", "ja_JP", "nl_NL", "pt_BR" };
    public static readonly string[] EmailEncodings = { "UTF-8", "ISO-8859-1", "Shift_JIS" };
    public static readonly string[] Languages = { "en_US", "en_GB", "fr", "de", "es", "it", "ja", "nl_NL", "pt_BR" };
    public static readonly string[] UserTypes = { "Standard", "PowerCustomerSuccess", "CspLitePortal", "PowerPartner", "Guest" };
    public static readonly string[] CommunityUserTypes = { "PowerCustomerSuccess", "CspLitePortal", "PowerPartner" };
    public static readonly string[] LeadSources = { "Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other" };

    public const string DuplicateUsernameMessage =
        "Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all " +
        "Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address). ";

    private readonly Dictionary<string, ObjectDefinition> objects = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ObjectDefinition> objectsByPrefix = new(StringComparer.Ordinal);

    public StandardSchema() : this(OrgShape.Read(null, new System.Text.Json.Nodes.JsonObject())) { }

    internal StandardSchema(OrgShape shape)
    {
        Shape = shape;
        ConvertedLeadStatuses = shape.LeadStatuses.Where(s => s.IsConverted).Select(s => s.ApiName).ToArray();
        foreach (var definition in new[]
                 {
                     Organization(), UserLicense(), UserRole(), Profile(), User(), UserLogin(), PermissionSetGroup(), PermissionSet(),
                     PermissionSetAssignment(), PermissionSetLicense(), PermissionSetLicenseAssign(), Group(), GroupMember(),
                     RecordType(), LeadStatus(), Account(shape.PersonAccounts), Contact(shape.PersonAccounts), Lead(shape.LeadStatuses),
                 })
        {
            foreach (var custom in shape.CustomFields.Where(c => c.ObjectName == definition.Name))
            {
                if (definition.FindField(custom.Field.Name) != null)
                    throw new InvalidDataException($"Seed org.fields: {definition.Name}.{custom.Field.Name} is declared twice.");
                definition.Add(custom.Field);
            }
            if (shape.ObjectsWithRecordTypes.Contains(definition.Name))
                definition.Add(Ref("RecordTypeId", "Record Type ID", "RecordType"));
            definition.WithSystemFields();
            foreach (var rule in shape.ValidationRules.Where(r => string.Equals(r.ObjectName, definition.Name, StringComparison.OrdinalIgnoreCase)))
                definition.ValidationRules.Add(rule);
            objects[definition.Name] = definition;
            objectsByPrefix[definition.KeyPrefix] = definition;
        }
        foreach (var rule in shape.ValidationRules)
            if (Find(rule.ObjectName) == null)
                throw new InvalidDataException($"Seed org.validationRules: unknown object '{rule.ObjectName}'.");
        foreach (var custom in shape.CustomFields)
            foreach (var target in custom.Field.ReferenceTo)
                if (Find(target) == null)
                    throw new InvalidDataException($"Seed org.fields: {custom.ObjectName}.{custom.Field.Name} refers to the unknown object '{target}'.");
    }

    internal OrgShape Shape { get; }

    /// <summary>The lead statuses marked converted (what convertLead's convertedStatus must name).</summary>
    public IReadOnlyList<string> ConvertedLeadStatuses { get; }

    public IEnumerable<ObjectDefinition> Objects => objects.Values;

    /// <summary>The child relationships of an object: the lookups on other objects that point at it and have a relationship name.</summary>
    public IEnumerable<(string Name, ObjectDefinition ChildType, FieldDefinition Field)> ChildRelationships(ObjectDefinition parent) =>
        objects.Values.SelectMany(child => child.Fields
            .Where(f => f.ChildRelationshipName != null && f.ReferenceTo.Contains(parent.Name, StringComparer.OrdinalIgnoreCase))
            .Select(f => (f.ChildRelationshipName, child, f)));

    public ObjectDefinition Find(string name) => name != null && objects.TryGetValue(name, out var definition) ? definition : null;

    public ObjectDefinition FindByPrefix(string id) =>
        id != null && id.Length >= 3 && objectsByPrefix.TryGetValue(id[..3], out var definition) ? definition : null;

    private static FieldDefinition Text(string name, int length, string label = null) =>
        new() { Name = name, Label = label, Type = FieldType.String, Length = length };

    private static FieldDefinition Area(string name, int length = 255) => new() { Name = name, Type = FieldType.TextArea, Length = length };

    private static FieldDefinition EmailField(string name, string label = null) =>
        new() { Name = name, Label = label, Type = FieldType.Email, Length = 128, EmailFormat = true };

    private static FieldDefinition PhoneField(string name) => new() { Name = name, Type = FieldType.Phone, Length = 40 };

    private static FieldDefinition Bool(string name, bool defaultValue) =>
        new() { Name = name, Type = FieldType.Boolean, Nillable = false, DefaultValue = defaultValue };

    private static FieldDefinition Ref(string name, string label, params string[] targets) =>
        new() { Name = name, Label = label, Type = FieldType.Reference, Length = 18, ReferenceTo = targets };

    private static FieldDefinition Pick(string name, string label, bool restricted, params string[] values) =>
        new() { Name = name, Label = label, Type = FieldType.Picklist, Length = 255, RestrictedPicklist = restricted, PicklistValues = values };

    private static FieldDefinition ReadOnly(FieldDefinition field) => field with { Createable = false, Updateable = false };

    private static FieldDefinition Required(FieldDefinition field) => field with { RequiredOnCreate = true, Nillable = false };

    private static FieldDefinition CreateOnly(FieldDefinition field) => field with { Updateable = false };

    private static UniqueKey PairKey(string first, string second, string errorCode, Func<string, string, string> message) =>
        new(new[] { first, second }, errorCode, message);

    private static ObjectDefinition Organization() =>
        new ObjectDefinition("Organization", "Organization", "00D", isSetupObject: true) { Createable = false, Updateable = false, Deletable = false }
            .Add(ReadOnly(Text("Name", 80)))
            .Add(ReadOnly(Text("OrganizationType", 40, "Edition")))
            .Add(ReadOnly(Text("InstanceName", 5)))
            .Add(ReadOnly(Bool("IsSandbox", false)))
            // Read by the Salesforce CLI when it logs in (null in an org that is neither a trial nor namespaced).
            .Add(ReadOnly(new FieldDefinition { Name = "TrialExpirationDate", Type = FieldType.DateTime }))
            .Add(ReadOnly(Text("NamespacePrefix", 15)));

    private static ObjectDefinition UserRole() =>
        new ObjectDefinition("UserRole", "Role", "00E", isSetupObject: true) { Createable = false, Updateable = false, Deletable = false }
            .Add(ReadOnly(Text("Name", 80)))
            .Add(ReadOnly(Text("DeveloperName", 80)))
            .Add(ReadOnly(Ref("ParentRoleId", "Parent Role ID", "UserRole")));

    private static ObjectDefinition Profile() =>
        new ObjectDefinition("Profile", "Profile", "00e", isSetupObject: true) { Createable = false, Updateable = false, Deletable = false }
            .Add(ReadOnly(Text("Name", 255)))
            .Add(ReadOnly(Pick("UserType", "User Type", true, UserTypes)))
            .Add(ReadOnly(Ref("UserLicenseId", "User License ID", "UserLicense")))
            .Add(ReadOnly(Area("Description")));

    private static ObjectDefinition User() =>
        new ObjectDefinition("User", "User", "005", isSetupObject: true) { Deletable = false }
            .Add(Required(Text("Username", 80) with { Unique = true, DuplicateErrorCode = "DUPLICATE_USERNAME", DuplicateMessage = DuplicateUsernameMessage, EmailFormat = true }))
            .Add(Required(Text("LastName", 80, "Last Name")))
            .Add(Text("FirstName", 40, "First Name"))
            .Add(ReadOnly(Text("Name", 121, "Full Name")))
            .Add(Required(EmailField("Email")))
            .Add(Required(Text("Alias", 8)))
            .Add(Text("CommunityNickname", 40, "Nickname"))
            .Add(Required(Pick("TimeZoneSidKey", "Time Zone", true, TimeZones)))
            .Add(Required(Pick("LocaleSidKey", "Locale", true, Locales)))
            .Add(Required(Pick("EmailEncodingKey", "Email Encoding", true, EmailEncodings)))
            .Add(Required(Pick("LanguageLocaleKey", "Language", true, Languages)))
            .Add(Required(Ref("ProfileId", "Profile ID", "Profile") with { ChildRelationshipName = "Users" }))
            .Add(Ref("UserRoleId", "Role ID", "UserRole") with { ChildRelationshipName = "Users" })
            .Add(CreateOnly(Ref("ContactId", "Contact ID", "Contact")))
            .Add(ReadOnly(Ref("AccountId", "Account ID", "Account")))
            .Add(Bool("IsActive", true) with { Label = "Active" })
            .Add(ReadOnly(Pick("UserType", "User Type", true, UserTypes)))
            .Add(Text("FederationIdentifier", 512, "SAML Federation ID"))
            .Add(Text("EmployeeNumber", 20, "Employee Number"))
            .Add(Text("Title", 80))
            .Add(Text("Department", 80))
            .Add(Text("Division", 80))
            .Add(Text("CompanyName", 80, "Company Name"))
            .Add(PhoneField("Phone"))
            .Add(PhoneField("MobilePhone"))
            .Add(Area("Street"))
            .Add(Text("City", 40))
            .Add(Text("State", 80, "State/Province"))
            .Add(Text("PostalCode", 20, "Zip/Postal Code"))
            .Add(Text("Country", 80))
            .Add(Ref("ManagerId", "Manager ID", "User") with { ChildRelationshipName = "ManagedUsers" })
            // The login time Salesforce records (a read-only dateTime).
            .Add(ReadOnly(new FieldDefinition { Name = "LastLoginDate", Label = "Last Login", Type = FieldType.DateTime }))
            .AddUniqueKey(new UniqueKey(new[] { "ContactId" }, "PORTAL_USER_ALREADY_EXISTS_FOR_CONTACT",
                (existingId, _) => $"portal user already exists for contact: {existingId}"));

    private static ObjectDefinition UserLogin() =>
        new ObjectDefinition("UserLogin", "User Login", "060", isSetupObject: true) { Createable = false, Deletable = false }
            .Add(ReadOnly(Ref("UserId", "User ID", "User") with { ChildRelationshipName = "UserLogins" }))
            .Add(Bool("IsFrozen", false) with { Createable = false })
            .Add(Bool("IsPasswordLocked", false) with { Createable = false })
            // One login row per user: indexed, so every request can check IsFrozen without a scan.
            .AddUniqueKey(new UniqueKey(new[] { "UserId" }, "DUPLICATE_VALUE", (existingId, _) => $"duplicate value found: UserId duplicates value on record with id: {existingId}"));

    private static ObjectDefinition PermissionSetGroup() =>
        new ObjectDefinition("PermissionSetGroup", "Permission Set Group", "0PG", isSetupObject: true)
            .Add(Required(Text("DeveloperName", 80, "Developer Name") with { Unique = true, DuplicateErrorCode = "DUPLICATE_DEVELOPER_NAME" }))
            .Add(Required(Text("MasterLabel", 80, "Label")))
            .Add(Area("Description"))
            .Add(ReadOnly(Text("Status", 40) with { DefaultValue = "Updated" }));

    private static ObjectDefinition PermissionSet() =>
        new ObjectDefinition("PermissionSet", "Permission Set", "0PS", isSetupObject: true)
            .Add(Required(Text("Name", 80) with { Unique = true, DuplicateErrorCode = "DUPLICATE_DEVELOPER_NAME" }))
            .Add(Required(Text("Label", 80)))
            .Add(Area("Description"))
            .Add(ReadOnly(Bool("IsOwnedByProfile", false)))
            .Add(ReadOnly(Ref("ProfileId", "Profile ID", "Profile")))
            .Add(ReadOnly(Pick("Type", "Type", true, "Regular", "Profile", "Group", "Session") with { DefaultValue = "Regular" }))
            .Add(ReadOnly(Ref("PermissionSetGroupId", "Permission Set Group ID", "PermissionSetGroup")))
            // Object Reference, PermissionSet: LicenseId, "the ID of either the related PermissionSetLicense or UserLicense
            // associated with this permission set" (seeded; a set needing a permission set licence, see ObjectRules).
            .Add(ReadOnly(Ref("LicenseId", "License ID", "PermissionSetLicense", "UserLicense")));

    private static ObjectDefinition PermissionSetAssignment() =>
        new ObjectDefinition("PermissionSetAssignment", "Permission Set Assignment", "0Pa", isSetupObject: true)
            .Add(Required(CreateOnly(Ref("AssigneeId", "Assignee ID", "User") with { ChildRelationshipName = "PermissionSetAssignments" })))
            .Add(CreateOnly(Ref("PermissionSetId", "Permission Set ID", "PermissionSet") with { ChildRelationshipName = "Assignments" }))
            .Add(CreateOnly(Ref("PermissionSetGroupId", "Permission Set Group ID", "PermissionSetGroup")))
            // Object Reference, PermissionSetAssignment: ExpirationDate "Expires On", dateTime, Create, Nillable,
            // Update (API 52.0): when the assignment of the set or group expires for the user.
            .Add(new FieldDefinition { Name = "ExpirationDate", Label = "Expires On", Type = FieldType.DateTime })
            .AddUniqueKey(PairKey("AssigneeId", "PermissionSetId", "DUPLICATE_VALUE",
                (existingId, _) => $"Duplicate PermissionSetAssignment. Assignee already has this permission set (assignment {existingId})."))
            .AddUniqueKey(PairKey("AssigneeId", "PermissionSetGroupId", "DUPLICATE_VALUE",
                (existingId, _) => $"Duplicate PermissionSetAssignment. Assignee already has this permission set group (assignment {existingId})."));

    private static ObjectDefinition Group() =>
        new ObjectDefinition("Group", "Group", "00G", isSetupObject: true)
            .Add(Required(Text("Name", 40, "Label")))
            .Add(Text("DeveloperName", 80, "Group Name") with { Unique = true, DuplicateErrorCode = "DUPLICATE_DEVELOPER_NAME" })
            .Add(CreateOnly(Pick("Type", "Type", true, "Regular", "Role", "RoleAndSubordinates", "Queue", "Organization", "Manager") with { DefaultValue = "Regular", Nillable = false }))
            .Add(Area("Description"))
            .Add(EmailField("Email"))
            .Add(Bool("DoesIncludeBosses", true) with { Label = "Grant Access Using Hierarchies" })
            .Add(Bool("DoesSendEmailToMembers", false));

    private static ObjectDefinition GroupMember() =>
        new ObjectDefinition("GroupMember", "Group Member", "011", isSetupObject: true)
            .Add(Required(CreateOnly(Ref("GroupId", "Group ID", "Group") with { ChildRelationshipName = "GroupMembers" })))
            .Add(Required(CreateOnly(Ref("UserOrGroupId", "User/Group ID", "User", "Group"))))
            .AddUniqueKey(PairKey("GroupId", "UserOrGroupId", "DUPLICATE_VALUE",
                (existingId, _) => $"duplicate value found: <unknown> duplicates value on record with id: {existingId}"));

    private static ObjectDefinition Account(bool personAccounts)
    {
        var account = new ObjectDefinition("Account", "Account", "001", isSetupObject: false)
            .Add(Text("Name", 255, "Account Name"));
        // Person Account fields exist only in orgs that enabled Person Accounts (Object Reference, Account).
        if (personAccounts)
            account
                .Add(ReadOnly(Bool("IsPersonAccount", false) with { Label = "Is Person Account" }))
                .Add(Text("FirstName", 40, "First Name"))
                .Add(Text("LastName", 80, "Last Name"))
                .Add(EmailField("PersonEmail", "Email"))
                .Add(ReadOnly(Ref("PersonContactId", "Person Contact ID", "Contact")));
        return account
            .Add(Pick("Type", "Account Type", false, "Prospect", "Customer", "Partner", "Other"))
            .Add(Pick("Industry", "Industry", false, "Technology", "Finance", "Retail", "Manufacturing", "Healthcare", "Other"))
            .Add(PhoneField("Phone"))
            .Add(Owner("User"));
    }

    private static ObjectDefinition Contact(bool personAccounts)
    {
        var contact = new ObjectDefinition("Contact", "Contact", "003", isSetupObject: false)
            .Add(Ref("AccountId", "Account ID", "Account") with { ChildRelationshipName = "Contacts" })
            .Add(Text("FirstName", 40, "First Name"))
            .Add(Required(Text("LastName", 80, "Last Name")))
            .Add(ReadOnly(Text("Name", 121, "Full Name")))
            .Add(EmailField("Email"))
            .Add(PhoneField("Phone"))
            .Add(Text("Title", 128))
            .Add(Text("Department", 80))
            .Add(Text("MailingCity", 40, "Mailing City"))
            .Add(Text("MailingCountry", 80, "Mailing Country"))
            .Add(Pick("LeadSource", "Lead Source", false, LeadSources))
            .Add(Owner("User"));
        if (personAccounts) contact.Add(ReadOnly(Bool("IsPersonAccount", false) with { Label = "Is Person Account" }));
        return contact;
    }

    private static ObjectDefinition Lead(IReadOnlyList<LeadStatusValue> statuses)
    {
        var ordered = statuses.OrderBy(s => s.SortOrder).ToList();
        var status = Pick("Status", "Lead Status", true, ordered.Select(s => s.ApiName).ToArray()) with
        {
            DefaultValue = (ordered.FirstOrDefault(s => s.IsDefault) ?? ordered[0]).ApiName,
            Nillable = false,
            PicklistLabels = ordered.ToDictionary(s => s.ApiName, s => s.MasterLabel, StringComparer.OrdinalIgnoreCase),
        };
        return new ObjectDefinition("Lead", "Lead", "00Q", isSetupObject: false)
            .Add(Text("FirstName", 40, "First Name"))
            .Add(Required(Text("LastName", 80, "Last Name")))
            .Add(ReadOnly(Text("Name", 121, "Full Name")))
            .Add(Required(Text("Company", 255)))
            .Add(EmailField("Email"))
            .Add(PhoneField("Phone"))
            .Add(Text("Title", 128))
            .Add(Text("City", 40))
            .Add(Text("Country", 80))
            .Add(Pick("LeadSource", "Lead Source", false, LeadSources))
            .Add(status)
            .Add(ReadOnly(Bool("IsConverted", false) with { Label = "Converted" }))
            .Add(ReadOnly(Ref("ConvertedContactId", "Converted Contact ID", "Contact")))
            .Add(ReadOnly(Ref("ConvertedAccountId", "Converted Account ID", "Account")))
            .Add(ReadOnly(new FieldDefinition { Name = "ConvertedDate", Label = "Converted Date", Type = FieldType.Date }))
            .Add(Owner("User", "Group"));
    }

    /// <summary>OwnerId: who owns the record; the API user when a create does not say.</summary>
    private static FieldDefinition Owner(params string[] targets) => Ref("OwnerId", "Owner ID", targets) with { Nillable = false, DefaultedOnCreate = true };

    // Object Reference: UserLicense, PermissionSetLicense, PermissionSetLicenseAssign, RecordType, LeadStatus.
    private static ObjectDefinition UserLicense() =>
        new ObjectDefinition("UserLicense", "User License", "100", isSetupObject: true) { Createable = false, Updateable = false, Deletable = false }
            .Add(ReadOnly(Text("Name", 40)))
            .Add(ReadOnly(Text("MasterLabel", 40, "Master Label")))
            .Add(ReadOnly(Text("LicenseDefinitionKey", 40, "License Def. ID")))
            .Add(ReadOnly(Pick("Status", "Status", true, "Active", "Disabled") with { DefaultValue = "Active" }))
            .Add(ReadOnly(new FieldDefinition { Name = "TotalLicenses", Label = "Total Licenses", Type = FieldType.Int, Nillable = false, DefaultValue = 0L }))
            .Add(ReadOnly(new FieldDefinition { Name = "UsedLicenses", Label = "Used Licenses", Type = FieldType.Int, Nillable = false, DefaultValue = 0L }));

    private static ObjectDefinition PermissionSetLicense() =>
        new ObjectDefinition("PermissionSetLicense", "Permission Set License", "0PL", isSetupObject: true) { Createable = false, Updateable = false, Deletable = false }
            .Add(ReadOnly(Text("DeveloperName", 80, "Developer Name")))
            .Add(ReadOnly(Text("MasterLabel", 80, "Permission Set License Label")))
            .Add(ReadOnly(Text("PermissionSetLicenseKey", 81, "Permission Set License Key")))
            .Add(ReadOnly(Pick("Status", "Status", true, "Active", "Disabled") with { DefaultValue = "Active" }))
            .Add(ReadOnly(new FieldDefinition { Name = "ExpirationDate", Label = "Expiration Date", Type = FieldType.Date }))
            .Add(ReadOnly(new FieldDefinition { Name = "TotalLicenses", Label = "Total Licenses", Type = FieldType.Int, Nillable = false, DefaultValue = 0L }))
            .Add(ReadOnly(new FieldDefinition { Name = "UsedLicenses", Label = "Used Licenses", Type = FieldType.Int, Nillable = false, DefaultValue = 0L }));

    private static ObjectDefinition PermissionSetLicenseAssign() =>
        new ObjectDefinition("PermissionSetLicenseAssign", "Permission Set License Assignment", "2LA", isSetupObject: true) { Updateable = false }
            .Add(Required(CreateOnly(Ref("AssigneeId", "User ID", "User") with { ChildRelationshipName = "PermissionSetLicenseAssignments" })))
            .Add(Required(CreateOnly(Ref("PermissionSetLicenseId", "Permission Set License ID", "PermissionSetLicense") with { ChildRelationshipName = "PermissionSetLicenseAssignments" })))
            .AddUniqueKey(PairKey("AssigneeId", "PermissionSetLicenseId", "DUPLICATE_VALUE",
                (existingId, _) => $"duplicate value found: <unknown> duplicates value on record with id: {existingId}"));

    private static ObjectDefinition RecordType() =>
        new ObjectDefinition("RecordType", "Record Type", "012", isSetupObject: true) { Createable = false, Updateable = false, Deletable = false }
            .Add(ReadOnly(Text("Name", 80, "Record Type Name")))
            .Add(ReadOnly(Text("DeveloperName", 80, "Record Type Name")))
            .Add(ReadOnly(Text("SobjectType", 40, "SObject Type Name")))
            .Add(ReadOnly(Area("Description")))
            .Add(ReadOnly(Bool("IsActive", true) with { Label = "Active" }))
            .Add(ReadOnly(Bool("IsPersonType", false) with { Label = "Is Person Type" }));

    private static ObjectDefinition LeadStatus() =>
        new ObjectDefinition("LeadStatus", "Lead Status Value", "01J", isSetupObject: false) { Createable = false, Updateable = false, Deletable = false }
            .Add(ReadOnly(Text("ApiName", 255, "API Name")))
            .Add(ReadOnly(Text("MasterLabel", 255, "Master Label")))
            .Add(ReadOnly(Bool("IsConverted", false) with { Label = "Is Converted" }))
            .Add(ReadOnly(Bool("IsDefault", false) with { Label = "Is Default" }))
            .Add(ReadOnly(new FieldDefinition { Name = "SortOrder", Label = "Sort Order", Type = FieldType.Int }));
}
