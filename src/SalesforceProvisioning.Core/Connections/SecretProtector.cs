using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Text;

namespace SalesforceProvisioning
{
    /// <summary>How saved connections keep their secrets at rest. Auto: DPAPI on Windows, else KeyFile.</summary>
    public enum SfSecretProtection { Auto, Dpapi, KeyFile, Passphrase, EnvironmentVariable }

    /// <summary>
    /// Encrypts secrets for saved connections: Windows DPAPI (current user), or AES-256-CBC with an
    /// HMAC-SHA256 tag under a key that is either a random key file readable only by the user (kept in
    /// another folder than the store) or derived from a passphrase (PBKDF2-SHA256, per-connection salt).
    /// </summary>
    internal sealed class SecretProtector
    {
        private const int Iterations = 200_000;
        private static readonly byte[] DpapiEntropy = Encoding.UTF8.GetBytes("SalesforceProvisioning.SavedConnection.v1");

        private readonly SfSecretProtection _protection;
        private readonly byte[] _key; // 32 bytes AES + 32 bytes HMAC

        private SecretProtector(SfSecretProtection protection, byte[] key)
        {
            _protection = protection;
            _key = key;
        }

        public static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        public static SfSecretProtection Resolve(SfSecretProtection protection)
            => protection == SfSecretProtection.Auto ? (IsWindows ? SfSecretProtection.Dpapi : SfSecretProtection.KeyFile) : protection;

        /// <summary>
        /// The protector for saved secrets. A missing key file is created only when <paramref name="mayCreateKey"/>
        /// (a save with no connection protected by an earlier key): a new key never opens secrets of a deleted one.
        /// </summary>
        public static SecretProtector For(SfSecretProtection protection, string keyPath, SecureString passphrase, byte[] salt, bool mayCreateKey = false)
        {
            switch (protection)
            {
                case SfSecretProtection.Dpapi:
                    if (!IsWindows) throw new SalesforceConfigurationException("Protection", "DPAPI exists only on Windows.", "Use -Protection KeyFile or Passphrase on this system (Auto picks for you).");
                    return new SecretProtector(protection, null);
                case SfSecretProtection.KeyFile:
                    return new SecretProtector(protection, LoadOrCreateKey(keyPath, mayCreateKey));
                case SfSecretProtection.Passphrase:
                    if (SecretText.IsEmpty(passphrase))
                        throw new SalesforceConfigurationException("Passphrase", "This connection's secrets are protected by a passphrase and none was given.", "Pass -Passphrase (Read-Host -AsSecureString).");
                    return new SecretProtector(protection, Pbkdf2Sha256(Encoding.UTF8.GetBytes(SecretText.Reveal(passphrase)), salt, Iterations, 64));
                default:
                    throw new ArgumentOutOfRangeException(nameof(protection));
            }
        }

        public string Protect(SecureString secret)
        {
            if (secret == null) return null;
            byte[] plain = Encoding.UTF8.GetBytes(SecretText.Reveal(secret));
            try
            {
                if (_protection == SfSecretProtection.Dpapi)
                    return Convert.ToBase64String(ProtectedData.Protect(plain, DpapiEntropy, DataProtectionScope.CurrentUser));
                using (var aes = Aes.Create())
                {
                    aes.Key = _key.Take(32).ToArray();
                    aes.GenerateIV();
                    byte[] cipher;
                    using (var encryptor = aes.CreateEncryptor()) cipher = encryptor.TransformFinalBlock(plain, 0, plain.Length);
                    byte[] body = aes.IV.Concat(cipher).ToArray();
                    using (var hmac = new HMACSHA256(_key.Skip(32).ToArray()))
                        return Convert.ToBase64String(body.Concat(hmac.ComputeHash(body)).ToArray());
                }
            }
            finally
            {
                Array.Clear(plain, 0, plain.Length);
            }
        }

        public SecureString Unprotect(string stored)
        {
            if (stored == null) return null;
            byte[] data;
            try { data = Convert.FromBase64String(stored); }
            catch (FormatException) { throw Tampered(); }
            byte[] plain;
            if (_protection == SfSecretProtection.Dpapi)
            {
                plain = ProtectedData.Unprotect(data, DpapiEntropy, DataProtectionScope.CurrentUser);
            }
            else
            {
                if (data.Length < 16 + 16 + 32) throw Tampered();
                byte[] body = data.Take(data.Length - 32).ToArray();
                byte[] tag = data.Skip(data.Length - 32).ToArray();
                using (var hmac = new HMACSHA256(_key.Skip(32).ToArray()))
                {
                    byte[] expected = hmac.ComputeHash(body);
                    int diff = 0;
                    for (int i = 0; i < 32; i++) diff |= expected[i] ^ tag[i];
                    if (diff != 0) throw Tampered();
                }
                using (var aes = Aes.Create())
                {
                    aes.Key = _key.Take(32).ToArray();
                    aes.IV = body.Take(16).ToArray();
                    using (var decryptor = aes.CreateDecryptor()) plain = decryptor.TransformFinalBlock(body, 16, body.Length - 16);
                }
            }
            try
            {
                return SecretText.ToSecureString(Encoding.UTF8.GetString(plain));
            }
            finally
            {
                Array.Clear(plain, 0, plain.Length);
            }
        }

        private SalesforceException Tampered() => new SalesforceConfigurationException(
            _protection == SfSecretProtection.Passphrase ? "Passphrase" : "Protection",
            _protection == SfSecretProtection.Passphrase ? "The passphrase does not open this connection's secrets." : "The saved secrets do not match the key file (it was replaced, or the store was changed).",
            _protection == SfSecretProtection.Passphrase ? "Give the passphrase used with Save-SfProvisioningConnection." : "Save the connection again with Save-SfProvisioningConnection.");

        /// <summary>PBKDF2 with HMAC-SHA256 (RFC 8018), which netstandard2.0's Rfc2898DeriveBytes lacks.</summary>
        internal static byte[] Pbkdf2Sha256(byte[] password, byte[] salt, int iterations, int length)
        {
            var output = new byte[length];
            using (var hmac = new HMACSHA256(password))
            {
                for (int block = 1, offset = 0; offset < length; block++)
                {
                    byte[] u = hmac.ComputeHash(salt.Concat(new[] { (byte)(block >> 24), (byte)(block >> 16), (byte)(block >> 8), (byte)block }).ToArray());
                    byte[] t = (byte[])u.Clone();
                    for (int i = 1; i < iterations; i++)
                    {
                        u = hmac.ComputeHash(u);
                        for (int j = 0; j < t.Length; j++) t[j] ^= u[j];
                    }
                    int count = Math.Min(t.Length, length - offset);
                    Array.Copy(t, 0, output, offset, count);
                    offset += count;
                }
            }
            Array.Clear(password, 0, password.Length);
            return output;
        }

        /// <summary>The key file: 64 random bytes, created on first use, readable and writable only by the user.</summary>
        private static byte[] LoadOrCreateKey(string keyPath, bool mayCreate)
        {
            if (File.Exists(keyPath))
            {
                byte[] existing = null;
                try { existing = Convert.FromBase64String(File.ReadAllText(keyPath).Trim()); }
                catch (FormatException) { }
                if (existing == null || existing.Length != 64) throw new SalesforceConfigurationException("Protection", $"The key file '{keyPath}' is not a key this module wrote (it was changed or replaced), so the saved secrets cannot be opened.", "Put the original key file back (from a backup); or move this one away and save the connections again with Save-SfProvisioningConnection -Force.");
                return existing;
            }
            if (!mayCreate)
                throw new SalesforceConfigurationException("Protection", $"The key file '{keyPath}' that protects the saved connections is missing (deleted or moved); a new key could not open what the old one protected, so none is made.",
                    "Put the key file back (from a backup), or point $env:SFPROVISIONING_KEY_PATH at it; else remove those connections (Remove-SfProvisioningConnection) and save them again.");
            string folder = Path.GetDirectoryName(Path.GetFullPath(keyPath));
            Directory.CreateDirectory(folder);
            OwnerOnly(folder, 0x1C0); // 0700
            byte[] key = new byte[64];
            using (var random = RandomNumberGenerator.Create()) random.GetBytes(key);
            string temporary = keyPath + ".tmp";
            File.WriteAllText(temporary, "");
            OwnerOnly(temporary, 0x180); // 0600, before the key is written into it
            File.WriteAllText(temporary, Convert.ToBase64String(key));
            File.Move(temporary, keyPath);
            return key;
        }

        /// <summary>chmod on Unix; on Windows the user profile folders are already private to the user.</summary>
        internal static void OwnerOnly(string path, uint mode)
        {
            if (IsWindows) return;
            if (chmod(path, mode) != 0)
                throw new SalesforceConfigurationException("StatePath", $"Cannot restrict '{path}' to its owner (errno {Marshal.GetLastWin32Error()}).", "Check the folder's owner and permissions.");
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string pathname, uint mode);
    }
}
