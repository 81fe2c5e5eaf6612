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
    public static readonly string[] LeadStatuses = { "Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted", "Qualified" };
    /// <summary>The lead statuses marked "Converted" (what convertLead's convertedStatus must name).</summary>
    public static readonly string[] ConvertedLeadStatuses = { "Closed - Converted", "Qualified" };
    public static readonly string[] LeadSources = { "Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other" };

    public const string DuplicateUsernameMessage =
        "Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all " +
        "Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address). ";

    private readonly Dictionary<string, ObjectDefinition> objects = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ObjectDefinition> objectsByPrefix = new(StringComparer.Ordinal);

    public StandardSchema()
    {
        foreach (var definition in new[]
                 {
                     Organization(), UserRole(), Profile(), User(), UserLogin(), PermissionSetGroup(), PermissionSet(),
                     PermissionSetAssignment(), Group(), GroupMember(), Account(), Contact(), Lead(),
                 })
        {
            objects[definition.Name] = definition;
            objectsByPrefix[definition.KeyPrefix] = definition;
        }
    }

    public IEnumerable<ObjectDefinition> Objects => objects.Values;

    public ObjectDefinition Find(string name) => name != null && objects.TryGetValue(name, out var definition) ? definition : null;

    /// <summary>The lookups of other objects that point at <paramref name="parent"/> under a declared relationship name.</summary>
    public IEnumerable<(ObjectDefinition Child, FieldDefinition Field)> ChildRelationships(ObjectDefinition parent) =>
        objects.Values.OrderBy(o => o.Name, StringComparer.Ordinal)
            .SelectMany(child => child.Fields.Where(f => f.ChildRelationshipName != null && f.ReferenceTo.Contains(parent.Name)).Select(f => (child, f)));

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
            .Add(ReadOnly(Text("NamespacePrefix", 15)))
            .WithSystemFields();

    private static ObjectDefinition UserRole() =>
        new ObjectDefinition("UserRole", "Role", "00E", isSetupObject: true) { Createable = false, Updateable = false, Deletable = false }
            .Add(ReadOnly(Text("Name", 80)))
            .Add(ReadOnly(Text("DeveloperName", 80)))
            .Add(ReadOnly(Ref("ParentRoleId", "Parent Role ID", "UserRole")))
            .WithSystemFields();

    private static ObjectDefinition Profile() =>
        new ObjectDefinition("Profile", "Profile", "00e", isSetupObject: true) { Createable = false, Updateable = false, Deletable = false }
            .Add(ReadOnly(Text("Name", 255)))
            .Add(ReadOnly(Pick("UserType", "User Type", true, UserTypes)))
            .Add(ReadOnly(Text("UserLicenseId", 18, "User License ID")))
            .Add(ReadOnly(Area("Description")))
            .WithSystemFields();

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
            .Add(Required(Ref("ProfileId", "Profile ID", "Profile")))
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
            .Add(new FieldDefinition
            {
                Name = "Skills__c", Label = "Skills", Type = FieldType.MultiPicklist, Length = 4099, RestrictedPicklist = true,
                PicklistValues = new[] { "Apex", "Flows", "Reports", "Service", "Sales" },
            })
            .Add(Text("Employee_Id__c", 20, "Employee Id") with { Unique = true, ExternalId = true })
            .AddUniqueKey(new UniqueKey(new[] { "ContactId" }, "PORTAL_USER_ALREADY_EXISTS_FOR_CONTACT",
                (existingId, _) => $"portal user already exists for contact: {existingId}"))
            .WithSystemFields();

    private static ObjectDefinition UserLogin() =>
        new ObjectDefinition("UserLogin", "User Login", "060", isSetupObject: true) { Createable = false, Deletable = false }
            .Add(ReadOnly(Ref("UserId", "User ID", "User")))
            .Add(Bool("IsFrozen", false) with { Createable = false })
            .Add(Bool("IsPasswordLocked", false) with { Createable = false })
            // One login row per user: indexed, so every request can check IsFrozen without a scan.
            .AddUniqueKey(new UniqueKey(new[] { "UserId" }, "DUPLICATE_VALUE", (existingId, _) => $"duplicate value found: UserId duplicates value on record with id: {existingId}"))
            .WithSystemFields();

    private static ObjectDefinition PermissionSetGroup() =>
        new ObjectDefinition("PermissionSetGroup", "Permission Set Group", "0PG", isSetupObject: true)
            .Add(Required(Text("DeveloperName", 80, "Developer Name") with { Unique = true, DuplicateErrorCode = "DUPLICATE_DEVELOPER_NAME" }))
            .Add(Required(Text("MasterLabel", 80, "Label")))
            .Add(Area("Description"))
            .Add(ReadOnly(Text("Status", 40) with { DefaultValue = "Updated" }))
            .WithSystemFields();

    private static ObjectDefinition PermissionSet() =>
        new ObjectDefinition("PermissionSet", "Permission Set", "0PS", isSetupObject: true)
            .Add(Required(Text("Name", 80) with { Unique = true, DuplicateErrorCode = "DUPLICATE_DEVELOPER_NAME" }))
            .Add(Required(Text("Label", 80)))
            .Add(Area("Description"))
            .Add(ReadOnly(Bool("IsOwnedByProfile", false)))
            .Add(ReadOnly(Ref("ProfileId", "Profile ID", "Profile")))
            .Add(ReadOnly(Pick("Type", "Type", true, "Regular", "Profile", "Group", "Session") with { DefaultValue = "Regular" }))
            .Add(ReadOnly(Ref("PermissionSetGroupId", "Permission Set Group ID", "PermissionSetGroup")))
            .WithSystemFields();

    private static ObjectDefinition PermissionSetAssignment() =>
        new ObjectDefinition("PermissionSetAssignment", "Permission Set Assignment", "0Pa", isSetupObject: true)
            .Add(Required(CreateOnly(Ref("AssigneeId", "Assignee ID", "User"))) with { ChildRelationshipName = "PermissionSetAssignments" })
            .Add(CreateOnly(Ref("PermissionSetId", "Permission Set ID", "PermissionSet")) with { ChildRelationshipName = "Assignments" })
            .Add(CreateOnly(Ref("PermissionSetGroupId", "Permission Set Group ID", "PermissionSetGroup")))
            .AddUniqueKey(PairKey("AssigneeId", "PermissionSetId", "DUPLICATE_VALUE",
                (existingId, _) => $"Duplicate PermissionSetAssignment. Assignee already has this permission set (assignment {existingId})."))
            .AddUniqueKey(PairKey("AssigneeId", "PermissionSetGroupId", "DUPLICATE_VALUE",
                (existingId, _) => $"Duplicate PermissionSetAssignment. Assignee already has this permission set group (assignment {existingId})."))
            .WithSystemFields();

    private static ObjectDefinition Group() =>
        new ObjectDefinition("Group", "Group", "00G", isSetupObject: true)
            .Add(Required(Text("Name", 40, "Label")))
            .Add(Text("DeveloperName", 80, "Group Name") with { Unique = true, DuplicateErrorCode = "DUPLICATE_DEVELOPER_NAME" })
            .Add(CreateOnly(Pick("Type", "Type", true, "Regular", "Role", "RoleAndSubordinates", "Queue", "Organization", "Manager") with { DefaultValue = "Regular", Nillable = false }))
            .Add(Area("Description"))
            .Add(EmailField("Email"))
            .Add(Bool("DoesIncludeBosses", true) with { Label = "Grant Access Using Hierarchies" })
            .Add(Bool("DoesSendEmailToMembers", false))
            .WithSystemFields();

    private static ObjectDefinition GroupMember() =>
        new ObjectDefinition("GroupMember", "Group Member", "011", isSetupObject: true)
            .Add(Required(CreateOnly(Ref("GroupId", "Group ID", "Group"))) with { ChildRelationshipName = "GroupMembers" })
            .Add(Required(CreateOnly(Ref("UserOrGroupId", "User/Group ID", "User", "Group"))))
            .AddUniqueKey(PairKey("GroupId", "UserOrGroupId", "DUPLICATE_VALUE",
                (existingId, _) => $"duplicate value found: <unknown> duplicates value on record with id: {existingId}"))
            .WithSystemFields();

    private static ObjectDefinition Account() =>
        new ObjectDefinition("Account", "Account", "001", isSetupObject: false)
            .Add(Text("Name", 255, "Account Name"))
            .Add(ReadOnly(Bool("IsPersonAccount", false)))
            .Add(Text("FirstName", 40, "First Name"))
            .Add(Text("LastName", 80, "Last Name"))
            .Add(EmailField("PersonEmail", "Email"))
            .Add(Pick("Type", "Account Type", false, "Prospect", "Customer", "Partner", "Other"))
            .Add(Pick("Industry", "Industry", false, "Technology", "Finance", "Retail", "Manufacturing", "Healthcare", "Other"))
            .Add(PhoneField("Phone"))
            .WithSystemFields();

    private static ObjectDefinition Contact() =>
        new ObjectDefinition("Contact", "Contact", "003", isSetupObject: false)
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
            .WithSystemFields();

    private static ObjectDefinition Lead() =>
        new ObjectDefinition("Lead", "Lead", "00Q", isSetupObject: false)
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
            .Add(Pick("Status", "Lead Status", true, LeadStatuses) with { DefaultValue = "Open - Not Contacted", Nillable = false })
            .Add(ReadOnly(Bool("IsConverted", false) with { Label = "Converted" }))
            .Add(ReadOnly(Ref("ConvertedContactId", "Converted Contact ID", "Contact")))
            .Add(ReadOnly(Ref("ConvertedAccountId", "Converted Account ID", "Account")))
            .Add(ReadOnly(new FieldDefinition { Name = "ConvertedDate", Label = "Converted Date", Type = FieldType.Date }))
            .WithSystemFields();
}
