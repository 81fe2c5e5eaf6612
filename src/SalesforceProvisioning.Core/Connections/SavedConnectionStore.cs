using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security;
using System.Security.Cryptography;
using Newtonsoft.Json;

namespace SalesforceProvisioning
{
    /// <summary>What Get-SfProvisioningConnection lists without opening any secret.</summary>
    public sealed class SfSavedConnectionInfo
    {
        public string Name { get; set; }
        public string Domain { get; set; }
        public SfTarget Target { get; set; }
        public SfAuthenticationMethod AuthenticationMethod { get; set; }
        public SfSecretProtection Protection { get; set; }
        public DateTimeOffset SavedAt { get; set; }
        public DateTimeOffset? RefreshTokenRotatedAt { get; set; }
    }

    /// <summary>
    /// Connections saved by name in one JSON file (default: the user's local data folder), secrets
    /// encrypted by <see cref="SecretProtector"/> or kept as the names of environment variables; never in
    /// plain text. The key file lives in another folder (the user's config folder).
    /// </summary>
    public sealed class SavedConnectionStore
    {
        private readonly string _path;
        private readonly string _keyPath;
        private static readonly object FileLock = new object();

        public SavedConnectionStore(string path = null, string keyPath = null)
        {
            _path = path ?? DefaultPath;
            _keyPath = keyPath ?? Environment.GetEnvironmentVariable("SFPROVISIONING_KEY_PATH") ?? DefaultKeyPath;
        }

        public static string DefaultPath => Path.Combine(DataFolder(Environment.SpecialFolder.LocalApplicationData, ".local/share"), "SalesforceProvisioning", "connections.json");

        /// <summary>Apart from the store: the user's config folder (~/.config on Linux, %APPDATA% on Windows).</summary>
        public static string DefaultKeyPath => Path.Combine(DataFolder(Environment.SpecialFolder.ApplicationData, ".config"), "SalesforceProvisioning", "connection-key");

        private static string DataFolder(Environment.SpecialFolder folder, string fallback)
        {
            string root = Environment.GetFolderPath(folder, Environment.SpecialFolderOption.DoNotVerify);
            return string.IsNullOrEmpty(root) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), fallback) : root;
        }

        public string FilePath => _path;

        public void Save(string name, SfProvisioningConnection connection, SfSecretProtection protection, SecureString passphrase,
            string clientSecretVariable, string refreshTokenVariable, bool overwrite, string certificatePasswordVariable = null)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new SalesforceConfigurationException("Name", "A saved connection needs a name.", "Give -Name, for example 'prod'.");
            RefuseUnfindableCertificate(connection);
            protection = SecretProtector.Resolve(protection);
            var record = new SavedConnection
            {
                Name = name,
                Settings = SavedSettings.From(connection),
                Protection = protection,
                SavedAt = DateTimeOffset.UtcNow,
            };
            if (protection == SfSecretProtection.EnvironmentVariable)
            {
                if (string.IsNullOrEmpty(clientSecretVariable) && connection.ClientSecret != null)
                    throw new SalesforceConfigurationException("ClientSecretVariable", "-Protection EnvironmentVariable keeps only the names of variables that hold the secrets.", "Give -ClientSecretVariable (and -RefreshTokenVariable when the connection uses a refresh token).");
                if (string.IsNullOrEmpty(refreshTokenVariable) && connection.RefreshToken != null)
                    throw new SalesforceConfigurationException("RefreshTokenVariable", "The connection has a refresh token but no variable is named for it.", "Give -RefreshTokenVariable.");
                if (string.IsNullOrEmpty(certificatePasswordVariable) && connection.CertificatePassword != null)
                    throw new SalesforceConfigurationException("CertificatePasswordVariable", "The connection's PFX has a password but no variable is named for it.", "Give -CertificatePasswordVariable.");
                record.Variables = new Dictionary<string, string> { ["ClientSecret"] = clientSecretVariable, ["RefreshToken"] = refreshTokenVariable, ["CertificatePassword"] = certificatePasswordVariable };
            }
            else
            {
                if (protection == SfSecretProtection.Passphrase) record.Salt = Convert.ToBase64String(NewSalt());
                var protector = SecretProtector.For(protection, _keyPath, passphrase, Salt(record));
                record.Secrets = new Dictionary<string, string>
                {
                    ["ClientSecret"] = protector.Protect(connection.ClientSecret),
                    ["RefreshToken"] = protector.Protect(connection.RefreshToken),
                    ["AccessToken"] = protector.Protect(connection.AccessToken),
                    ["CertificatePassword"] = protector.Protect(connection.CertificatePassword),
                };
            }
            Update(file =>
            {
                if (file.Connections.ContainsKey(name) && !overwrite)
                    throw new SalesforceConfigurationException("Name", $"A connection named '{name}' is already saved.", "Add -Force to replace it.");
                file.Connections[name] = record;
            });
        }

        /// <summary>Opens a saved connection; a refresh token Salesforce rotates later is written back.</summary>
        public SfProvisioningConnection Load(string name, SecureString passphrase)
        {
            SavedConnection record = Read().Connections.TryGetValue(name ?? "", out var found) ? found
                : throw new SalesforceConfigurationException("Name", $"No connection named '{name}' is saved in {_path}.", "Get-SfProvisioningConnection lists the saved ones; Save-SfProvisioningConnection saves one.");
            SfConnectionSettings settings = record.Settings.ToSettings();
            if (record.Protection == SfSecretProtection.EnvironmentVariable)
            {
                settings.ClientSecret = FromVariable(record, "ClientSecret");
                settings.RefreshToken = FromVariable(record, "RefreshToken");
                settings.CertificatePassword = FromVariable(record, "CertificatePassword");
            }
            else
            {
                var protector = SecretProtector.For(record.Protection, _keyPath, passphrase, Salt(record));
                settings.ClientSecret = Open(protector, record, "ClientSecret");
                settings.RefreshToken = Open(protector, record, "RefreshToken");
                settings.AccessToken = Open(protector, record, "AccessToken");
                settings.CertificatePassword = Open(protector, record, "CertificatePassword");
            }
            SfProvisioningConnection connection = SfProvisioningConnection.Create(settings);
            connection.Name = name;
            if (record.Protection != SfSecretProtection.EnvironmentVariable)
            {
                var keep = SecretProtector.For(record.Protection, _keyPath, passphrase, Salt(record));
                connection.RefreshTokenRotated += (sender, args) => Update(file =>
                {
                    if (!file.Connections.TryGetValue(name, out var current)) return;
                    current.Secrets["RefreshToken"] = keep.Protect(connection.RefreshToken);
                    current.RefreshTokenRotatedAt = connection.RefreshTokenRotatedAt;
                });
            }
            return connection;
        }

        public IReadOnlyList<SfSavedConnectionInfo> List() => Read().Connections.Values.OrderBy(c => c.Name).Select(c => new SfSavedConnectionInfo
        {
            Name = c.Name,
            Domain = c.Settings.Domain,
            Target = c.Settings.Target,
            AuthenticationMethod = c.Settings.AuthenticationMethod,
            Protection = c.Protection,
            SavedAt = c.SavedAt,
            RefreshTokenRotatedAt = c.RefreshTokenRotatedAt,
        }).ToList();

        public bool Remove(string name)
        {
            bool removed = false;
            Update(file => removed = file.Connections.Remove(name));
            return removed;
        }

        /// <summary>Only a reference to the certificate is saved, so it must be one that can be found again.</summary>
        private static void RefuseUnfindableCertificate(SfProvisioningConnection connection)
        {
            if (connection.AuthenticationMethod != SfAuthenticationMethod.JwtBearer || connection.CertificatePath != null || connection.CertificateFromStore) return;
            try
            {
                JwtCertificate.FromStore(connection.CertificateThumbprint).Dispose();
            }
            catch (SalesforceConfigurationException)
            {
                throw new SalesforceConfigurationException("Connection", $"The connection signs with a certificate object ({connection.CertificateThumbprint}) that is in no certificate store, and a saved connection keeps only a reference to its certificate, never the private key.",
                    "Create the connection with -CertificatePath (a PFX or PEM file) or -CertificateThumbprint (a certificate in Cert:\\CurrentUser\\My), then save it.");
            }
        }

        private static SecureString Open(SecretProtector protector, SavedConnection record, string key)
            => record.Secrets != null && record.Secrets.TryGetValue(key, out string value) ? protector.Unprotect(value) : null;

        private static SecureString FromVariable(SavedConnection record, string key)
        {
            if (record.Variables == null || !record.Variables.TryGetValue(key, out string variable) || string.IsNullOrEmpty(variable)) return null;
            string value = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(value))
                throw new SalesforceConfigurationException("Name", $"The saved connection '{record.Name}' reads its {key} from the environment variable '{variable}', which is not set.", $"Set {variable} in the runbook's environment (for example from the automation account's credential store).");
            return SecretText.ToSecureString(value);
        }

        private static byte[] Salt(SavedConnection record) => record.Salt == null ? null : Convert.FromBase64String(record.Salt);

        private static byte[] NewSalt()
        {
            var salt = new byte[16];
            using (var random = RandomNumberGenerator.Create()) random.GetBytes(salt);
            return salt;
        }

        private StoreFile Read()
        {
            lock (FileLock)
            {
                if (!File.Exists(_path)) return new StoreFile();
                return JsonConvert.DeserializeObject<StoreFile>(File.ReadAllText(_path)) ?? new StoreFile();
            }
        }

        private void Update(Action<StoreFile> change)
        {
            lock (FileLock)
            {
                StoreFile file = Read();
                change(file);
                string folder = Path.GetDirectoryName(Path.GetFullPath(_path));
                bool created = !Directory.Exists(folder);
                Directory.CreateDirectory(folder);
                if (created) SecretProtector.OwnerOnly(folder, 0x1C0);
                string temporary = _path + ".tmp";
                File.WriteAllText(temporary, "");
                SecretProtector.OwnerOnly(temporary, 0x180);
                File.WriteAllText(temporary, JsonConvert.SerializeObject(file, Formatting.Indented, new Newtonsoft.Json.Converters.StringEnumConverter()));
                if (File.Exists(_path)) File.Replace(temporary, _path, null);
                else File.Move(temporary, _path);
            }
        }

        private sealed class StoreFile
        {
            public int Version { get; set; } = 1;
            public Dictionary<string, SavedConnection> Connections { get; set; } = new Dictionary<string, SavedConnection>(StringComparer.OrdinalIgnoreCase);
        }

        private sealed class SavedConnection
        {
            public string Name { get; set; }
            public SavedSettings Settings { get; set; }
            public SfSecretProtection Protection { get; set; }
            public string Salt { get; set; }
            public Dictionary<string, string> Secrets { get; set; }
            public Dictionary<string, string> Variables { get; set; }
            public DateTimeOffset SavedAt { get; set; }
            public DateTimeOffset? RefreshTokenRotatedAt { get; set; }
        }

        /// <summary>Every non-secret setting of a connection, as saved.</summary>
        private sealed class SavedSettings
        {
            public string Domain { get; set; }
            public string ClientId { get; set; }
            public SfAuthenticationMethod AuthenticationMethod { get; set; }
            public string Username { get; set; }
            public string Audience { get; set; }
            public string CertificatePath { get; set; }
            public string CertificateThumbprint { get; set; }
            public SfTarget Target { get; set; }
            public string ApiVersion { get; set; }
            public double TimeoutSeconds { get; set; }
            public int MaxRetryCount { get; set; }
            public double RetryDelayMilliseconds { get; set; }
            public bool CreateUsers { get; set; }
            public bool UpdateUsers { get; set; }
            public bool DisableUsers { get; set; }
            public bool DeprovisionUsers { get; set; }
            public SfDisableAction DisableAction { get; set; }
            public bool ProvisionDisabledUsers { get; set; }
            public SfPermissionSetManagement PermissionSetManagement { get; set; }
            public SfRemoveAction? RemoveAction { get; set; }
            public bool DeprovisionOnRuleDeletion { get; set; }
            public bool DeleteGroups { get; set; }
            public string AccountId { get; set; }
            public SfRecordType? RecordType { get; set; }
            public bool AllowDelete { get; set; }
            public string DefaultCompany { get; set; }

            public static SavedSettings From(SfProvisioningConnection c) => new SavedSettings
            {
                Domain = c.Domain.ToString().TrimEnd('/'),
                ClientId = c.ClientId,
                AuthenticationMethod = c.AuthenticationMethod,
                Username = c.Username,
                Audience = c.Audience,
                CertificatePath = c.CertificatePath,
                CertificateThumbprint = c.CertificatePath == null ? c.CertificateThumbprint : null,
                Target = c.Target,
                ApiVersion = c.ApiVersion,
                TimeoutSeconds = c.Timeout.TotalSeconds,
                MaxRetryCount = c.MaxRetryCount,
                RetryDelayMilliseconds = c.RetryBaseDelay.TotalMilliseconds,
                CreateUsers = c.CreateUsers,
                UpdateUsers = c.UpdateUsers,
                DisableUsers = c.DisableUsers,
                DeprovisionUsers = c.DeprovisionUsers,
                DisableAction = c.DisableAction,
                ProvisionDisabledUsers = c.ProvisionDisabledUsers,
                PermissionSetManagement = c.PermissionSetManagement,
                RemoveAction = c.Target == SfTarget.Salesforce ? (SfRemoveAction?)null : c.RemoveAction,
                DeprovisionOnRuleDeletion = c.DeprovisionOnRuleDeletion,
                DeleteGroups = c.DeleteGroups,
                AccountId = c.AccountId,
                RecordType = c.Target == SfTarget.LeadsAndContacts ? c.RecordType : (SfRecordType?)null,
                AllowDelete = c.AllowDelete,
                DefaultCompany = c.DefaultCompany,
            };

            public SfConnectionSettings ToSettings() => new SfConnectionSettings
            {
                Domain = Domain,
                ClientId = ClientId,
                Username = Username,
                Audience = Audience,
                CertificatePath = CertificatePath,
                CertificateThumbprint = CertificateThumbprint,
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
                PermissionSetManagement = Target == SfTarget.LeadsAndContacts ? (SfPermissionSetManagement?)null : PermissionSetManagement,
                RemoveAction = RemoveAction,
                DeprovisionOnRuleDeletion = DeprovisionOnRuleDeletion,
                DeleteGroups = DeleteGroups,
                AccountId = AccountId,
                RecordType = RecordType,
                AllowDelete = AllowDelete,
                DefaultCompany = DefaultCompany,
            };
        }
    }
}
