using System;
using System.Management.Automation;
using System.Security;

namespace SalesforceProvisioning.Commands
{
    /// <summary>
    /// Creates a connection to a Salesforce org with the provisioning preferences of the PingOne
    /// connectors, makes it this runspace's default, and returns it. Makes no network call.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "SfProvisioningConnection", DefaultParameterSetName = ClientSecretSet)]
    [OutputType(typeof(SfProvisioningConnection))]
    public sealed class NewSfProvisioningConnectionCommand : SfCmdlet
    {
        private const string ClientSecretSet = "ClientSecret";
        private const string ClientCredentialSet = "ClientCredential";
        private const string CertificateSet = "Certificate";
        private const string CertificatePathSet = "CertificatePath";
        private const string CertificateThumbprintSet = "CertificateThumbprint";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Domain { get; set; }

        [Parameter(ParameterSetName = ClientSecretSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = CertificateSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = CertificatePathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = CertificateThumbprintSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("ConsumerKey")]
        public string ClientId { get; set; }

        /// <summary>JWT bearer: the Salesforce username the job signs in as.</summary>
        [Parameter(ParameterSetName = CertificateSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = CertificatePathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = CertificateThumbprintSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Username { get; set; }

        [Parameter(ParameterSetName = CertificateSet, Mandatory = true)]
        [ValidateNotNull]
        public System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate { get; set; }

        [Parameter(ParameterSetName = CertificatePathSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string CertificatePath { get; set; }

        [Parameter(ParameterSetName = CertificatePathSet)]
        public SecureString CertificatePassword { get; set; }

        [Parameter(ParameterSetName = CertificateThumbprintSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string CertificateThumbprint { get; set; }

        [Parameter(ParameterSetName = CertificateSet)]
        [Parameter(ParameterSetName = CertificatePathSet)]
        [Parameter(ParameterSetName = CertificateThumbprintSet)]
        [ValidateNotNullOrEmpty]
        public string Audience { get; set; }

        [Parameter(ParameterSetName = ClientSecretSet, ValueFromPipelineByPropertyName = true)]
        [Alias("ConsumerSecret")]
        public SecureString ClientSecret { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ClientCredentialSet)]
        [Credential]
        public PSCredential ClientCredential { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public SecureString AccessToken { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public SecureString RefreshToken { get; set; }

        [Parameter]
        public SfTarget Target { get; set; } = SfTarget.Salesforce;

        [Parameter] public bool CreateUsers { get; set; } = true;
        [Parameter] public bool UpdateUsers { get; set; } = true;
        [Parameter] public bool DisableUsers { get; set; } = true;
        [Parameter] public bool DeprovisionUsers { get; set; } = true;
        [Parameter] public SfDisableAction DisableAction { get; set; } = SfDisableAction.Disable;
        [Parameter] public SwitchParameter ProvisionDisabledUsers { get; set; }
        [Parameter] public SfPermissionSetManagement PermissionSetManagement { get; set; }
        [Parameter] public SfRemoveAction RemoveAction { get; set; }
        [Parameter] public SwitchParameter DeprovisionOnRuleDeletion { get; set; }
        [Parameter] public SwitchParameter DeleteGroups { get; set; }
        [Parameter] public string AccountId { get; set; }
        [Parameter] public SfRecordType RecordType { get; set; }
        [Parameter] public SwitchParameter AllowDelete { get; set; }
        [Parameter] public string DefaultCompany { get; set; }
        [Parameter] public string LeadClosedStatus { get; set; }
        [Parameter] public string LeadReopenStatus { get; set; }

        [Parameter]
        public string ApiVersion { get; set; } = SfConnectionSettings.DefaultApiVersion;

        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSeconds { get; set; } = 100;

        [Parameter]
        [ValidateRange(0, 10)]
        public int MaxRetryCount { get; set; } = 4;

        [Parameter]
        [ValidateRange(0, 60000)]
        public int RetryDelayMilliseconds { get; set; } = 500;

        /// <summary>Do not make this connection the runspace's default.</summary>
        [Parameter]
        public SwitchParameter NoDefault { get; set; }

        protected override void ProcessRecord()
        {
            var settings = new SfConnectionSettings
            {
                Domain = Domain,
                ClientId = ClientCredential?.UserName ?? ClientId,
                ClientSecret = ClientCredential?.Password ?? ClientSecret,
                AccessToken = AccessToken,
                RefreshToken = RefreshToken,
                Username = Username,
                Certificate = Certificate,
                CertificatePath = CertificatePath == null ? null : GetUnresolvedProviderPathFromPSPath(CertificatePath),
                CertificatePassword = CertificatePassword,
                CertificateThumbprint = CertificateThumbprint,
                Audience = Audience,
                Target = Target,
                ApiVersion = ApiVersion,
                Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
                MaxRetryCount = MaxRetryCount,
                RetryBaseDelay = TimeSpan.FromMilliseconds(RetryDelayMilliseconds),
                CreateUsers = CreateUsers,
                UpdateUsers = UpdateUsers,
                DisableUsers = DisableUsers,
                DeprovisionUsers = DeprovisionUsers,
                DisableAction = DisableAction,
                ProvisionDisabledUsers = ProvisionDisabledUsers,
                PermissionSetManagement = Bound(nameof(PermissionSetManagement)) ? PermissionSetManagement : (SfPermissionSetManagement?)null,
                RemoveAction = Bound(nameof(RemoveAction)) ? RemoveAction : (SfRemoveAction?)null,
                DeprovisionOnRuleDeletion = DeprovisionOnRuleDeletion,
                DeleteGroups = DeleteGroups,
                AccountId = AccountId,
                RecordType = Bound(nameof(RecordType)) ? RecordType : (SfRecordType?)null,
                AllowDelete = AllowDelete,
                DefaultCompany = DefaultCompany,
                LeadClosedStatus = LeadClosedStatus,
                LeadReopenStatus = LeadReopenStatus,
            };

            SfProvisioningConnection connection;
            try
            {
                connection = SfProvisioningConnection.Create(settings);
            }
            catch (SalesforceException ex)
            {
                ThrowFor(ex, Domain);
                return;
            }

            if (connection.AuthenticationMethod == SfAuthenticationMethod.AccessToken)
                WriteWarning("This connection has only an access token: it stops working when the token expires. Add -ClientId, -ClientSecret and -RefreshToken for unattended runs.");
            if (connection.CertificateNotAfter is DateTimeOffset expires && expires < DateTimeOffset.UtcNow.AddDays(30))
                WriteWarning(expires < DateTimeOffset.UtcNow
                    ? $"The signing certificate {connection.CertificateThumbprint} expired on {expires.ToString("u", System.Globalization.CultureInfo.InvariantCulture)}. Make a new one and upload it to the connected app."
                    : $"The signing certificate {connection.CertificateThumbprint} expires on {expires.ToString("u", System.Globalization.CultureInfo.InvariantCulture)}. Upload its successor to the connected app before then.");
            if (!NoDefault) DefaultConnection.Set(SessionState, connection);
            WriteObject(connection);
        }

        private bool Bound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);
    }
}
