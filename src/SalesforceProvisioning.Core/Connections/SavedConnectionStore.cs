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

        /// <summary>The saved connections kept beside a state store file (connections.json in its folder); the default place without one.</summary>
        public static SavedConnectionStore BesideStateFile(string statePath) =>
            new SavedConnectionStore(statePath == null ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(statePath)), "connections.json"));

        public static string DefaultPath => Path.Combine(DataFolder(Environment.SpecialFolder.LocalApplicationData, ".local/share"), "SalesforceProvisioning", "connections.json");

        /// <summary>Apart from the store: the user's config folder (~/.config on Linux, %APPDATA% on Windows).</summary>
        public static string DefaultKeyPath => Path.Combine(DataFolder(Environment.SpecialFolder.ApplicationData, ".config"), "SalesforceProvisioning", "connection-key");

        private static string DataFolder(Environment.SpecialFolder folder, string fallback)
        {
            string root = Environment.GetFolderPath(folder, Environment.SpecialFolderOption.DoNotVerify);
            return string.IsNullOrEmpty(root) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), fallback) : root;
        }

        public string FilePath => _path;

        /// <summary>Set by the last read when the file is damaged: what is wrong and what to do (for Write-Warning).</summary>
        public string Damage { get; private set; }

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
                bool othersUseKey = Read().Connections.Values.Any(c => c.Protection == SfSecretProtection.KeyFile && !string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
                var protector = SecretProtector.For(protection, _keyPath, passphrase, Salt(record), mayCreateKey: !othersUseKey);
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
            StoreFile file = Read();
            if (!file.Connections.TryGetValue(name ?? "", out SavedConnection record))
            {
                if (file.Damage != null)
                    throw new SalesforceConfigurationException("Name", $"The connection '{name}' cannot be read from '{_path}': {file.Damage}",
                        $"Save it again with Save-SfProvisioningConnection -Name {name} -Force (the other connections are kept), or put back the previous version '{_path}.bak'.");
                throw new SalesforceConfigurationException("Name", $"No connection named '{name}' is saved in {_path}.", "Get-SfProvisioningConnection lists the saved ones; Save-SfProvisioningConnection saves one.");
            }
            SfConnectionSettings settings = record.Settings.ToSettings();
            if (record.Protection == SfSecretProtection.EnvironmentVariable)
            {
                settings.ClientSecret = FromVariable(record, "ClientSecret");
                settings.RefreshToken = FromVariable(record, "RefreshToken");
                settings.CertificatePassword = FromVariable(record, "CertificatePassword");
                SecureString rotated = PendingForVariables(name, record, settings.RefreshToken);
                if (rotated != null) settings.RefreshToken = rotated;
            }
            else
            {
                var protector = SecretProtector.For(record.Protection, _keyPath, passphrase, Salt(record));
                settings.ClientSecret = Open(protector, record, "ClientSecret");
                settings.RefreshToken = Open(protector, record, "RefreshToken");
                settings.AccessToken = Open(protector, record, "AccessToken");
                settings.CertificatePassword = Open(protector, record, "CertificatePassword");
                SecureString pending = PendingToken(name, protector);
                if (pending != null)
                {
                    // A token rotated when this file could not be written: it replaces the used-up one, here and, when possible, in the file.
                    settings.RefreshToken = pending;
                    settings.AccessToken = null;
                    TryWriteBack(name, protector, pending);
                }
            }
            SfProvisioningConnection connection = SfProvisioningConnection.Create(settings);
            connection.Name = name;
            if (record.Protection != SfSecretProtection.EnvironmentVariable)
            {
                var keep = SecretProtector.For(record.Protection, _keyPath, passphrase, Salt(record));
                connection.RefreshTokenRotated += (sender, args) => KeepRotated(name, keep, connection);
            }
            else
            {
                SecureString inVariable = FromVariable(record, "RefreshToken");
                connection.RefreshTokenRotated += (sender, args) => KeepRotatedBesideVariables(name, record, inVariable, connection);
            }
            return connection;
        }

        /// <summary>
        /// Salesforce rotated the refresh token and the old one is used up: it is written back, or, when the
        /// file cannot be written, kept protected in the key's folder for the next run, and the run stops.
        /// </summary>
        private void KeepRotated(string name, SecretProtector keep, SfProvisioningConnection connection)
        {
            string protectedToken = keep.Protect(connection.RefreshToken);
            try
            {
                WriteRotated(name, protectedToken, connection.RefreshTokenRotatedAt);
                DeletePending(name);
                return;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is SalesforceException)
            {
                string pending = PendingPath(name);
                string kept;
                try
                {
                    WritePrivate(pending, JsonConvert.SerializeObject(new PendingRotation { Store = Path.GetFullPath(_path), Name = name, RefreshToken = protectedToken, RotatedAt = connection.RefreshTokenRotatedAt }));
                    kept = $"The new token is kept, protected, in '{pending}': the next Get-SfProvisioningConnection or rule run uses it and writes it back.";
                }
                catch (Exception second) when (second is IOException || second is UnauthorizedAccessException || second is SalesforceException)
                {
                    kept = $"It could not be kept in '{pending}' either ({second.Message}); the connected app must be authorized again.";
                }
                throw new SalesforceException(SalesforceFailure.SavedConnectionUnwritable,
                    $"Salesforce rotated the refresh token of the saved connection '{name}', and '{_path}' could not be written ({ex.Message}). The run stopped before writing to Salesforce. {kept}",
                    $"Make '{_path}' writable (not locked, read-only or on a full disk), then run again.", ex);
            }
        }

        private void WriteRotated(string name, string protectedToken, DateTimeOffset? rotatedAt) => Update(file =>
        {
            if (!file.Connections.TryGetValue(name, out var current)) return;
            current.Secrets["RefreshToken"] = protectedToken;
            current.RefreshTokenRotatedAt = rotatedAt;
        });

        private void TryWriteBack(string name, SecretProtector protector, SecureString token)
        {
            try
            {
                WriteRotated(name, protector.Protect(token), DateTimeOffset.UtcNow);
                DeletePending(name);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is SalesforceException)
            {
                // Still unwritable: the pending token stays where it is and is used again next time.
            }
        }

        /// <summary>
        /// -Protection EnvironmentVariable: the module cannot write the variables, so a token Salesforce rotated
        /// (the variable's one is used up) is kept beside the key file, protected with it, with the variable's
        /// token it replaces; this machine's next runs use it for as long as the variable still holds that used-up
        /// token (set the variable to a newly authorized token and the kept one is dropped).
        /// </summary>
        private void KeepRotatedBesideVariables(string name, SavedConnection record, SecureString inVariable, SfProvisioningConnection connection)
        {
            string pending = PendingPath(name);
            try
            {
                var keep = SecretProtector.For(SfSecretProtection.KeyFile, _keyPath, null, Salt(record), mayCreateKey: true);
                WritePrivate(pending, JsonConvert.SerializeObject(new PendingRotation
                {
                    Store = Path.GetFullPath(_path), Name = name, RefreshToken = keep.Protect(connection.RefreshToken),
                    Replaces = inVariable == null ? null : keep.Protect(inVariable), RotatedAt = connection.RefreshTokenRotatedAt,
                }));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is SalesforceException)
            {
                throw new SalesforceException(SalesforceFailure.SavedConnectionUnwritable,
                    $"Salesforce rotated the refresh token of the saved connection '{name}', whose secrets are environment variables the module cannot write, and the new token could not be kept in '{pending}' either ({ex.Message}). The run stopped before writing to Salesforce; the connected app must be authorized again.",
                    "Turn off refresh token rotation for this connected app (Refresh Token Policy), or save the connection with another -Protection, and authorize it again.");
            }
        }

        /// <summary>The token kept by <see cref="KeepRotatedBesideVariables"/>, while the variable still holds the token it replaced.</summary>
        private SecureString PendingForVariables(string name, SavedConnection record, SecureString inVariable)
        {
            string path = PendingPath(name);
            if (inVariable == null || !File.Exists(path)) return null;
            PendingRotation pending;
            try { pending = JsonConvert.DeserializeObject<PendingRotation>(File.ReadAllText(path)); }
            catch (JsonException) { return null; }
            if (pending?.Replaces == null || !string.Equals(pending.Name, name, StringComparison.OrdinalIgnoreCase)) return null;
            var keep = SecretProtector.For(SfSecretProtection.KeyFile, _keyPath, null, Salt(record));
            if (SecretText.Reveal(keep.Unprotect(pending.Replaces)) != SecretText.Reveal(inVariable))
            {
                DeletePending(name); // the variable holds a token authorized since: the kept one is history
                return null;
            }
            return keep.Unprotect(pending.RefreshToken);
        }

        /// <summary>Beside the key file (another folder than the store, so a store that cannot be written does not take it along).</summary>
        private string PendingPath(string name)
        {
            string safe = string.Concat(name.Select(ch => char.IsLetterOrDigit(ch) || ch == '-' || ch == '_' ? ch : '_')).ToLowerInvariant();
            string storeId;
            using (var sha = SHA256.Create())
                storeId = BitConverter.ToString(sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(_path)))).Replace("-", "").Substring(0, 12).ToLowerInvariant();
            return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(_keyPath)), $"rotated-{storeId}-{safe}.json");
        }

        private SecureString PendingToken(string name, SecretProtector protector)
        {
            string path = PendingPath(name);
            if (!File.Exists(path)) return null;
            PendingRotation pending;
            try { pending = JsonConvert.DeserializeObject<PendingRotation>(File.ReadAllText(path)); }
            catch (JsonException) { return null; }
            if (pending == null || !string.Equals(pending.Name, name, StringComparison.OrdinalIgnoreCase)) return null;
            return protector.Unprotect(pending.RefreshToken);
        }

        private void DeletePending(string name)
        {
            string path = PendingPath(name);
            try { if (File.Exists(path)) File.Delete(path); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        private sealed class PendingRotation
        {
            public string Store { get; set; }
            public string Name { get; set; }
            public string RefreshToken { get; set; }
            /// <summary>EnvironmentVariable protection: the variable's (used-up) token this one replaces, protected.</summary>
            public string Replaces { get; set; }
            public DateTimeOffset? RotatedAt { get; set; }
        }

        public IReadOnlyList<SfSavedConnectionInfo> List() => Read().Connections.Values.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Select(c => new SfSavedConnectionInfo
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

        /// <summary>
        /// The file's connections. A damaged file (truncated, hand-edited) yields every connection that can
        /// still be read, with <see cref="StoreFile.Damage"/> saying what is wrong.
        /// </summary>
        private StoreFile Read()
        {
            lock (FileLock)
            {
                Damage = null;
                if (!File.Exists(_path)) return new StoreFile();
                string text = File.ReadAllText(_path);
                try
                {
                    return JsonConvert.DeserializeObject<StoreFile>(text, JsonSettings) ?? new StoreFile();
                }
                catch (JsonException ex)
                {
                    StoreFile salvaged = Salvage(text);
                    salvaged.Damage = $"the file is damaged ({ex.Message.TrimEnd('.')}); {salvaged.Connections.Count} connection(s) could still be read from it.";
                    Damage = $"The saved connections file '{_path}' is damaged ({ex.Message.TrimEnd('.')}): {salvaged.Connections.Count} connection(s) could still be read. " +
                        $"The next save keeps a copy of it as {Path.GetFileName(_path)}.damaged-<time>; connections that could not be read must be saved again (or put back the previous version, {Path.GetFileName(_path)}.bak).";
                    return salvaged;
                }
            }
        }

        private static readonly JsonSerializerSettings JsonSettings = new JsonSerializerSettings { Converters = { new Newtonsoft.Json.Converters.StringEnumConverter() } };

        /// <summary>Reads entry by entry, keeping each connection that parses, up to where the text breaks off.</summary>
        private static StoreFile Salvage(string text)
        {
            var file = new StoreFile();
            var serializer = JsonSerializer.Create(JsonSettings);
            using (var reader = new JsonTextReader(new StringReader(text)))
            {
                try
                {
                    while (reader.Read())
                    {
                        if (reader.TokenType != JsonToken.PropertyName || reader.Depth != 1 || !"Connections".Equals(reader.Value)) continue;
                        if (!reader.Read() || reader.TokenType != JsonToken.StartObject) break;
                        while (reader.Read() && reader.TokenType == JsonToken.PropertyName)
                        {
                            string name = (string)reader.Value;
                            reader.Read();
                            Newtonsoft.Json.Linq.JToken entry = Newtonsoft.Json.Linq.JToken.ReadFrom(reader);
                            try
                            {
                                SavedConnection connection = entry.ToObject<SavedConnection>(serializer);
                                if (connection?.Settings != null) file.Connections[name] = connection;
                            }
                            catch (JsonException) { } // this entry is damaged; the others still count
                        }
                    }
                }
                catch (JsonReaderException) { } // the text breaks off here (truncated)
            }
            return file;
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
                // A damaged file is kept aside, so what could not be read from it is not lost by this write.
                try
                {
                    if (file.Damage != null) File.Copy(_path, _path + ".damaged-" + DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture), overwrite: true);
                    WritePrivate(_path, JsonConvert.SerializeObject(file, Formatting.Indented, JsonSettings));
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw new SalesforceException(SalesforceFailure.SavedConnectionUnwritable, $"The saved connections file '{_path}' could not be written ({ex.Message}).",
                        $"Make '{_path}' and its folder writable (not locked, read-only or on a full disk), then try again.", ex);
                }
            }
        }

        /// <summary>
        /// Atomically: a temporary file readable only by the user, flushed to disk, then renamed over the old
        /// one (kept as .bak), so a crash leaves either the old file or the new one, never a part.
        /// </summary>
        private static void WritePrivate(string path, string content)
        {
            string temporary = path + ".tmp";
            try
            {
                using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    SecretProtector.OwnerOnly(temporary, 0x180);
                    byte[] bytes = new System.Text.UTF8Encoding(false).GetBytes(content);
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(flushToDisk: true);
                }
                if (File.Exists(path)) File.Replace(temporary, path, path + ".bak");
                else File.Move(temporary, path);
            }
            catch
            {
                try { if (File.Exists(temporary)) File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw;
            }
        }

        private sealed class StoreFile
        {
            public int Version { get; set; } = 1;

            /// <summary>Set when the file could be read only in part: what is wrong with it.</summary>
            [JsonIgnore] public string Damage { get; set; }
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
            public string LeadClosedStatus { get; set; }
            public string LeadReopenStatus { get; set; }

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
                LeadClosedStatus = c.LeadClosedStatus,
                LeadReopenStatus = c.LeadReopenStatus,
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
                LeadClosedStatus = LeadClosedStatus,
                LeadReopenStatus = LeadReopenStatus,
            };
        }
    }
}
