using System;
using System.Security;

namespace SalesforceProvisioning
{
    /// <summary>
    /// A connection to one Salesforce org with its provisioning preferences. Secrets stay inside as
    /// SecureStrings; no public member, ToString or exception exposes them. Creating one makes no
    /// network call; the first API call authenticates.
    /// </summary>
    public sealed class SfProvisioningConnection : IDisposable
    {
        private readonly object _clientLock = new object();
        private SalesforceClient _client;

        private SfProvisioningConnection(SfConnectionSettings s)
        {
            Domain = SalesforceEndpoint.ParseDomain(s.Domain);
            ClientId = s.ClientId;
            ClientSecret = s.ClientSecret?.Copy();
            AccessToken = s.AccessToken?.Copy();
            RefreshToken = s.RefreshToken?.Copy();
            AuthenticationMethod = s.AuthenticationMethod;
            if (AuthenticationMethod == SfAuthenticationMethod.JwtBearer)
            {
                Username = s.Username.Trim();
                Audience = string.IsNullOrEmpty(s.Audience) ? SalesforceEndpoint.DefaultJwtAudience(Domain) : s.Audience.Trim().TrimEnd('/');
                CertificatePath = string.IsNullOrEmpty(s.CertificatePath) ? null : System.IO.Path.GetFullPath(s.CertificatePath);
                CertificatePassword = s.CertificatePassword?.Copy();
                SigningCertificate = s.Certificate != null ? JwtCertificate.FromCertificate(s.Certificate)
                    : CertificatePath != null ? JwtCertificate.FromFile(CertificatePath, CertificatePassword)
                    : JwtCertificate.FromStore(s.CertificateThumbprint);
                CertificateThumbprint = SigningCertificate.Thumbprint;
                CertificateFromStore = s.Certificate == null && CertificatePath == null;
            }
            Target = s.Target;
            ApiVersion = s.NormalizedApiVersion;
            Timeout = s.Timeout;
            MaxRetryCount = s.MaxRetryCount;
            RetryBaseDelay = s.RetryBaseDelay;
            CreateUsers = s.CreateUsers;
            UpdateUsers = s.UpdateUsers;
            DisableUsers = s.DisableUsers;
            DeprovisionUsers = s.DeprovisionUsers;
            DisableAction = s.DisableAction;
            ProvisionDisabledUsers = s.ProvisionDisabledUsers;
            PermissionSetManagement = s.PermissionSetManagement ?? SfPermissionSetManagement.Merge;
            RemoveAction = s.RemoveAction ?? SfRemoveAction.Disable;
            DeprovisionOnRuleDeletion = s.DeprovisionOnRuleDeletion;
            DeleteGroups = s.DeleteGroups;
            AccountId = s.AccountId;
            RecordType = s.RecordType ?? SfRecordType.Contact;
            AllowDelete = s.AllowDelete;
            DefaultCompany = s.DefaultCompany;
            LeadClosedStatus = string.IsNullOrWhiteSpace(s.LeadClosedStatus) ? null : s.LeadClosedStatus.Trim();
            LeadReopenStatus = string.IsNullOrWhiteSpace(s.LeadReopenStatus) ? null : s.LeadReopenStatus.Trim();
        }

        /// <summary>Validates the settings and builds the connection (no network call).</summary>
        public static SfProvisioningConnection Create(SfConnectionSettings settings)
        {
            if (settings == null) throw new ArgumentNullException(nameof(settings));
            settings.Validate();
            return new SfProvisioningConnection(settings);
        }

        public string Name { get; set; }
        public Uri Domain { get; }
        public string ClientId { get; }
        public SfAuthenticationMethod AuthenticationMethod { get; }
        public SfTarget Target { get; }
        public string ApiVersion { get; }

        /// <summary>JWT bearer: the Salesforce username signed in as.</summary>
        public string Username { get; }

        /// <summary>JWT bearer: the assertion's audience (login.salesforce.com, test.salesforce.com or a site URL).</summary>
        public string Audience { get; }

        /// <summary>JWT bearer: the signing certificate's thumbprint (null for a PEM key without its certificate).</summary>
        public string CertificateThumbprint { get; }

        /// <summary>JWT bearer: the PFX or PEM file the key was read from, if any.</summary>
        public string CertificatePath { get; }

        /// <summary>JWT bearer: when the signing certificate expires, if known.</summary>
        public DateTimeOffset? CertificateNotAfter => SigningCertificate?.NotAfter;

        public TimeSpan Timeout { get; }
        public int MaxRetryCount { get; }
        public TimeSpan RetryBaseDelay { get; }

        public bool CreateUsers { get; }
        public bool UpdateUsers { get; }
        public bool DisableUsers { get; }
        public bool DeprovisionUsers { get; }
        public SfDisableAction DisableAction { get; }
        public bool ProvisionDisabledUsers { get; }
        public SfPermissionSetManagement PermissionSetManagement { get; }
        public SfRemoveAction RemoveAction { get; }
        public bool DeprovisionOnRuleDeletion { get; }
        public bool DeleteGroups { get; }
        public string AccountId { get; }
        public SfRecordType RecordType { get; }
        public bool AllowDelete { get; }
        public string DefaultCompany { get; }

        /// <summary>Leads and Contacts: the lead status that closes a lead on deprovisioning (null: the org's first "Closed..." value).</summary>
        public string LeadClosedStatus { get; }

        /// <summary>Leads and Contacts: the lead status that reopens a lead closed that way (null: the org's default status).</summary>
        public string LeadReopenStatus { get; }

        /// <summary>The org's API host, known after the first authentication.</summary>
        public string InstanceUrl => _client?.InstanceUrl?.ToString().TrimEnd('/');

        /// <summary>The daily API usage Salesforce reported on the last response.</summary>
        public SfApiUsage ApiUsage => _client?.LastApiUsage;

        /// <summary>When Salesforce last rotated the refresh token (the new one is kept in this connection).</summary>
        public DateTimeOffset? RefreshTokenRotatedAt { get; private set; }

        /// <summary>Raised after a rotated refresh token replaced the old one, so it can be persisted.</summary>
        public event EventHandler RefreshTokenRotated;

        internal SecureString ClientSecret { get; }
        internal SecureString AccessToken { get; }
        internal SecureString RefreshToken { get; private set; }
        internal SecureString CertificatePassword { get; }
        internal JwtCertificate SigningCertificate { get; }

        /// <summary>The key was found by thumbprint in a certificate store (so a saved connection can find it again).</summary>
        internal bool CertificateFromStore { get; }

        internal void ReplaceRefreshToken(SecureString rotated)
        {
            RefreshToken = rotated;
            RefreshTokenRotatedAt = DateTimeOffset.UtcNow;
            RefreshTokenRotated?.Invoke(this, EventArgs.Empty);
        }

        /// <summary>The authenticated REST client for this connection, created on first use.</summary>
        internal SalesforceClient Client
        {
            get
            {
                lock (_clientLock)
                {
                    return _client ?? (_client = new SalesforceClient(this));
                }
            }
        }

        public override string ToString() => $"{Domain.Host} ({Target}, {AuthenticationMethod})";

        public void Dispose()
        {
            lock (_clientLock)
            {
                _client?.Dispose();
                _client = null;
                SigningCertificate?.Dispose();
            }
        }
    }

    /// <summary>Daily API usage as reported by the Sforce-Limit-Info header.</summary>
    public sealed class SfApiUsage
    {
        public SfApiUsage(long used, long max) { Used = used; Max = max; }
        public long Used { get; }
        public long Max { get; }
        public long Remaining => Math.Max(0, Max - Used);
        public override string ToString() => $"{Used}/{Max}";
    }
}
