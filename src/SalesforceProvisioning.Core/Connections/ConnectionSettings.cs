using System;
using System.Security;
using System.Text.RegularExpressions;

namespace SalesforceProvisioning
{
    public enum SfTarget { Salesforce, Communities, LeadsAndContacts }
    public enum SfDisableAction { Disable, Freeze }
    public enum SfPermissionSetManagement { Merge, Overwrite }
    public enum SfRemoveAction { Disable, Delete }
    public enum SfRecordType { Contact, Lead }
    public enum SfAuthenticationMethod { RefreshToken, ClientCredentials, AccessToken, JwtBearer }

    /// <summary>
    /// Everything an admin chooses for a connection: where, how to authenticate, and the
    /// provisioning preferences of the PingOne connectors with their defaults.
    /// <see cref="Validate"/> refuses invalid combinations, naming the parameter.
    /// </summary>
    public sealed class SfConnectionSettings
    {
        public const string DefaultApiVersion = "62.0";

        public string Domain { get; set; }
        public string ClientId { get; set; }
        public SecureString ClientSecret { get; set; }
        public SecureString AccessToken { get; set; }
        public SecureString RefreshToken { get; set; }

        /// <summary>The Salesforce username a JWT bearer connection signs in as (the assertion's sub).</summary>
        public string Username { get; set; }

        /// <summary>JWT bearer: the certificate with its private key, given as an object.</summary>
        public System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate { get; set; }

        /// <summary>JWT bearer: a PFX or PEM file holding the private key.</summary>
        public string CertificatePath { get; set; }

        /// <summary>The PFX file's password.</summary>
        public SecureString CertificatePassword { get; set; }

        /// <summary>JWT bearer: the thumbprint of a certificate in the CurrentUser\My (or LocalMachine\My) store.</summary>
        public string CertificateThumbprint { get; set; }

        /// <summary>The assertion's aud; by default https://test.salesforce.com for a sandbox domain, else https://login.salesforce.com.</summary>
        public string Audience { get; set; }

        public SfTarget Target { get; set; } = SfTarget.Salesforce;
        public string ApiVersion { get; set; } = DefaultApiVersion;
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>Retries of transient failures (503, dropped connections, UNABLE_TO_LOCK_ROW).</summary>
        public int MaxRetryCount { get; set; } = 4;

        /// <summary>The first back-off delay; later ones grow exponentially with jitter.</summary>
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

        public bool CreateUsers { get; set; } = true;
        public bool UpdateUsers { get; set; } = true;
        public bool DisableUsers { get; set; } = true;
        public bool DeprovisionUsers { get; set; } = true;
        public SfDisableAction DisableAction { get; set; } = SfDisableAction.Disable;
        public bool ProvisionDisabledUsers { get; set; }
        public SfPermissionSetManagement? PermissionSetManagement { get; set; }
        public SfRemoveAction? RemoveAction { get; set; }
        public bool DeprovisionOnRuleDeletion { get; set; }

        /// <summary>Groups deleted in the source, or gone from its scope, are deleted in Salesforce (permanent).</summary>
        public bool DeleteGroups { get; set; }
        public string AccountId { get; set; }
        public SfRecordType? RecordType { get; set; }
        public bool AllowDelete { get; set; }
        public string DefaultCompany { get; set; }

        /// <summary>Leads and Contacts: the LeadStatus value that closes the lead of a person disabled or deleted in the source.</summary>
        public string LeadClosedStatus { get; set; }

        /// <summary>Leads and Contacts: the LeadStatus value a lead closed that way gets when the person is enabled again.</summary>
        public string LeadReopenStatus { get; set; }

        private static readonly Regex ClientIdShape = new Regex(@"^[A-Za-z0-9._\-]{1,256}$");
        private static readonly Regex AccountIdShape = new Regex(@"^001[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$");
        private static readonly Regex ApiVersionShape = new Regex(@"^v?(\d{2,3})\.0$");

        /// <summary>Throws <see cref="SalesforceConfigurationException"/> for the first problem found.</summary>
        public void Validate()
        {
            SalesforceEndpoint.ParseDomain(Domain);

            if (!string.IsNullOrEmpty(ClientId) && !ClientIdShape.IsMatch(ClientId))
                throw new SalesforceConfigurationException("ClientId", "The client id has characters a connected app's Consumer Key never has.", "Copy the Consumer Key from the connected app in Salesforce Setup.");
            bool hasSecret = !SecretText.IsEmpty(ClientSecret);
            bool hasRefresh = !SecretText.IsEmpty(RefreshToken);
            bool hasAccess = !SecretText.IsEmpty(AccessToken);
            if (UsesJwtBearer || !string.IsNullOrEmpty(Username)) ValidateJwtBearer(hasSecret, hasRefresh, hasAccess);
            if (hasSecret && string.IsNullOrEmpty(ClientId))
                throw new SalesforceConfigurationException("ClientId", "A client secret was given without the client id it belongs to.", "Give -ClientId (the Consumer Key) or use -ClientCredential.");
            if (hasRefresh && (!hasSecret || string.IsNullOrEmpty(ClientId)))
                throw new SalesforceConfigurationException("ClientSecret", "A refresh token can only be used with the connected app's client id and secret.", "Give -ClientId and -ClientSecret (or -ClientCredential) with -RefreshToken.");
            if (!hasAccess && !hasSecret && !UsesJwtBearer)
                throw new SalesforceConfigurationException("ClientSecret", "There is no way to authenticate: no client secret, refresh token or access token.", "Give -ClientId and -ClientSecret (with -RefreshToken for the refresh-token flow, without it for client credentials), or -AccessToken.");

            var version = ApiVersionShape.Match(ApiVersion ?? string.Empty);
            if (!version.Success || int.Parse(version.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) < 40)
                throw new SalesforceConfigurationException("ApiVersion", $"'{ApiVersion}' is not an API version this module supports.", "Use a version such as 62.0 (40.0 or later).");
            if (Timeout <= TimeSpan.Zero)
                throw new SalesforceConfigurationException("TimeoutSeconds", "The timeout must be positive.", "Give a number of seconds greater than zero.");

            if (MaxRetryCount < 0 || MaxRetryCount > 10)
                throw new SalesforceConfigurationException("MaxRetryCount", "The retry count must be between 0 and 10.", "Give a small number such as 4.");
            if (RetryBaseDelay < TimeSpan.Zero)
                throw new SalesforceConfigurationException("RetryDelayMilliseconds", "The retry delay cannot be negative.", "Give 0 or more milliseconds.");

            ValidateTargetPreferences();
        }

        private bool UsesJwtBearer => Certificate != null || !string.IsNullOrEmpty(CertificatePath) || !string.IsNullOrEmpty(CertificateThumbprint);

        private void ValidateJwtBearer(bool hasSecret, bool hasRefresh, bool hasAccess)
        {
            int sources = (Certificate != null ? 1 : 0) + (string.IsNullOrEmpty(CertificatePath) ? 0 : 1) + (string.IsNullOrEmpty(CertificateThumbprint) ? 0 : 1);
            RefuseFor(sources == 0, "Username", "A username is used only by the JWT bearer flow, which also needs the certificate that signs the token request.", "Add -CertificatePath, -CertificateThumbprint or -Certificate, or remove -Username.");
            RefuseFor(sources > 1, "CertificatePath", "Give the signing certificate one way only.", "Use one of -Certificate, -CertificatePath or -CertificateThumbprint.");
            RefuseFor(string.IsNullOrEmpty(ClientId), "ClientId", "The JWT bearer flow needs the connected app's Consumer Key (the assertion's issuer).", "Give -ClientId.");
            RefuseFor(string.IsNullOrWhiteSpace(Username), "Username", "The JWT bearer flow signs in as a named user.", "Give -Username, the integration user's Salesforce username (e.g. integration@acme.com).");
            RefuseFor(hasSecret || hasRefresh || hasAccess, "ClientSecret", "A certificate connection signs its own token requests; a client secret, refresh token or access token would be a second way to sign in.", "Remove -ClientSecret, -RefreshToken and -AccessToken, or the certificate.");
            RefuseFor(!SecretText.IsEmpty(CertificatePassword) && string.IsNullOrEmpty(CertificatePath), "CertificatePassword", "A certificate password opens a PFX file.", "Use it with -CertificatePath.");
            if (!string.IsNullOrEmpty(Audience))
            {
                bool absolute = Uri.TryCreate(Audience, UriKind.Absolute, out Uri audience);
                RefuseFor(!absolute || (audience.Scheme != "https" && !audience.IsLoopback), "Audience", $"'{Audience}' is not an https URL.",
                    "Use https://login.salesforce.com (production), https://test.salesforce.com (sandbox) or your Experience Cloud site's URL.");
            }
        }

        private void ValidateTargetPreferences()
        {
            switch (Target)
            {
                case SfTarget.Salesforce:
                    RefuseFor(RemoveAction.HasValue, "RemoveAction", "Remove Action is not available for the Salesforce target: Salesforce users are never deleted, only disabled or frozen.", "Use -DisableAction Disable or Freeze instead.");
                    RefuseFor(AccountId != null, "AccountId", "An account id is used only by the Communities and LeadsAndContacts targets.", "Remove -AccountId, or choose -Target Communities.");
                    RefuseLeadsAndContactsOnly();
                    break;
                case SfTarget.Communities:
                    RefuseFor(RemoveAction == SfRemoveAction.Delete, "RemoveAction", "Community users cannot be deleted in Salesforce.", "Use -RemoveAction Disable, or -DisableAction Freeze.");
                    RefuseLeadsAndContactsOnly();
                    break;
                case SfTarget.LeadsAndContacts:
                    RefuseFor(DisableAction == SfDisableAction.Freeze, "DisableAction", "Leads and Contacts cannot be frozen; only users can.", "Use -RemoveAction Disable or Delete (with -AllowDelete).");
                    RefuseFor(PermissionSetManagement.HasValue, "PermissionSetManagement", "Leads and Contacts have no permission sets.", "Remove -PermissionSetManagement, or choose -Target Salesforce or Communities.");
                    RefuseFor(RemoveAction == SfRemoveAction.Delete && !AllowDelete, "RemoveAction", "Remove Action Delete needs records to be deletable.", "Add -AllowDelete, or use -RemoveAction Disable.");
                    break;
            }
            if (AccountId != null && !AccountIdShape.IsMatch(AccountId))
                throw new SalesforceConfigurationException("AccountId", $"'{AccountId}' is not an Account id (15 or 18 characters starting with 001).", "Copy the business account's Id from Salesforce.");
        }

        private void RefuseLeadsAndContactsOnly()
        {
            RefuseFor(RecordType.HasValue, "RecordType", "A record type applies only to the LeadsAndContacts target.", "Remove -RecordType, or choose -Target LeadsAndContacts.");
            RefuseFor(AllowDelete, "AllowDelete", "Deleting records applies only to the LeadsAndContacts target; Salesforce users are never deleted.", "Remove -AllowDelete, or choose -Target LeadsAndContacts.");
            RefuseFor(DefaultCompany != null, "DefaultCompany", "A default company applies only to Leads.", "Remove -DefaultCompany, or choose -Target LeadsAndContacts.");
            RefuseFor(LeadClosedStatus != null, "LeadClosedStatus", "A lead status applies only to Leads.", "Remove -LeadClosedStatus, or choose -Target LeadsAndContacts.");
            RefuseFor(LeadReopenStatus != null, "LeadReopenStatus", "A lead status applies only to Leads.", "Remove -LeadReopenStatus, or choose -Target LeadsAndContacts.");
        }

        private static void RefuseFor(bool condition, string parameter, string problem, string remedy)
        {
            if (condition) throw new SalesforceConfigurationException(parameter, problem, remedy);
        }

        internal SfAuthenticationMethod AuthenticationMethod =>
            UsesJwtBearer ? SfAuthenticationMethod.JwtBearer
            : !SecretText.IsEmpty(RefreshToken) ? SfAuthenticationMethod.RefreshToken
            : !SecretText.IsEmpty(ClientSecret) ? SfAuthenticationMethod.ClientCredentials
            : SfAuthenticationMethod.AccessToken;

        internal string NormalizedApiVersion => ApiVersionShape.Match(ApiVersion).Groups[1].Value + ".0";
    }
}
