using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The private key a JWT bearer connection signs its assertions with, from a certificate object, a PFX
    /// or PEM file, or the user's (or machine's) personal certificate store. Only the reference (path or
    /// thumbprint) is ever saved; the key stays in memory and is never exposed.
    /// </summary>
    internal sealed class JwtCertificate : IDisposable
    {
        private readonly RSA _key;

        /// <summary>A certificate this object opened: kept alive with its key (on Windows PowerShell a disposed PFX certificate takes its key with it).</summary>
        private readonly X509Certificate2 _owned;

        private JwtCertificate(RSA key, X509Certificate2 certificate, bool owned = false)
        {
            _key = key;
            _owned = owned ? certificate : null;
            Thumbprint = certificate?.Thumbprint;
            NotAfter = certificate == null ? (DateTimeOffset?)null : new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        }

        /// <summary>The certificate's SHA-1 thumbprint, as Salesforce shows it; null for a PEM file with a key only.</summary>
        public string Thumbprint { get; }

        public DateTimeOffset? NotAfter { get; }

        /// <summary>An RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) of <paramref name="data"/>.</summary>
        public byte[] Sign(byte[] data) => _key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        public void Dispose()
        {
            _key.Dispose();
            _owned?.Dispose();
        }

        /// <summary>A certificate object with its private key; <paramref name="owned"/> when this object opened it and disposes it.</summary>
        public static JwtCertificate FromCertificate(X509Certificate2 certificate, string parameter = "Certificate", bool owned = false)
        {
            if (!certificate.HasPrivateKey)
                throw new SalesforceConfigurationException(parameter, $"The certificate {certificate.Thumbprint} ({certificate.Subject}) has no private key, and the key is what signs the token request.",
                    "Use the certificate with its private key (the PFX, or the store entry made by importing it); the public .crt/.cer is what you upload to the connected app.");
            RSA key;
            try
            {
                key = certificate.GetRSAPrivateKey();
            }
            catch (CryptographicException ex)
            {
                throw new SalesforceConfigurationException(parameter, $"The private key of certificate {certificate.Thumbprint} cannot be used ({ex.Message}).", "Check that this account may use the key (certificate store permissions), or import the PFX again.");
            }
            if (key == null) throw NotRsa(parameter, $"The certificate {certificate.Thumbprint} has a {certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value} key, not an RSA key");
            return new JwtCertificate(key, certificate, owned);
        }

        /// <summary>The flow's assertion is signed "using SHA256 with RSA" (RS256): any other kind of key is refused before any call.</summary>
        private static SalesforceConfigurationException NotRsa(string parameter, string what)
            => new SalesforceConfigurationException(parameter, what + "; Salesforce signs JWT bearer assertions only with RSA (RS256).",
                "Create an RSA certificate (2048 bits or more, e.g. openssl req -x509 -newkey rsa:2048 -keyout key.pem -out cert.pem), upload it to the connected app and sign in with its key.");

        public static JwtCertificate FromFile(string path, SecureString password)
        {
            if (!File.Exists(path))
                throw new SalesforceConfigurationException("CertificatePath", $"The certificate file '{path}' does not exist.", "Give the full path of the PFX or PEM file that holds the private key.");
            byte[] content = File.ReadAllBytes(path);
            string text = LooksLikePem(content) ? Encoding.ASCII.GetString(content) : null;
            if (text != null) return FromPem(path, text);

            X509Certificate2 certificate;
            try
            {
                // On Windows the key would otherwise be written to the user's key container; keep it in memory only.
                var flags = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? EphemeralKeySet : X509KeyStorageFlags.DefaultKeySet;
                certificate = new X509Certificate2(content, password, flags);
            }
            catch (CryptographicException ex)
            {
                throw new SalesforceConfigurationException("CertificatePassword", $"The PFX file '{path}' cannot be opened ({ex.Message.Trim()}): the password is wrong or missing, or the file is not a PFX/PEM.",
                    "Give the PFX's password as -CertificatePassword (a SecureString, e.g. from Read-Host -AsSecureString or a secret vault).");
            }
            try
            {
                return FromCertificate(certificate, "CertificatePath", owned: true);
            }
            catch
            {
                certificate.Dispose();
                throw;
            }
        }

        /// <summary>Where -CertificateThumbprint looks, in this order: the user's personal store, then the machine's.</summary>
        internal static readonly StoreLocation[] StoreSearchOrder = { StoreLocation.CurrentUser, StoreLocation.LocalMachine };

        public static JwtCertificate FromStore(string thumbprint) => FromStore(thumbprint, ReadPersonalStore);

        /// <summary>
        /// The first certificate with the thumbprint in <see cref="StoreSearchOrder"/>; <paramref name="readStore"/>
        /// gives a location's certificates, or null when this platform has no such store.
        /// </summary>
        internal static JwtCertificate FromStore(string thumbprint, Func<StoreLocation, X509Certificate2Collection> readStore)
        {
            string wanted = NormalizeThumbprint(thumbprint);
            if (wanted.Length != 40)
                throw new SalesforceConfigurationException("CertificateThumbprint", $"'{thumbprint}' is not a certificate thumbprint (40 hexadecimal characters).", "Copy the thumbprint from Get-ChildItem Cert:\\CurrentUser\\My, or from the certificate's details.");
            foreach (StoreLocation location in StoreSearchOrder)
            {
                X509Certificate2Collection certificates = readStore(location);
                if (certificates == null) continue;
                var found = certificates.Find(X509FindType.FindByThumbprint, wanted, validOnly: false);
                if (found.Count == 0) continue;
                foreach (X509Certificate2 other in found.Cast<X509Certificate2>().Skip(1)) other.Dispose();
                try
                {
                    return FromCertificate(found[0], "CertificateThumbprint", owned: true);
                }
                catch
                {
                    found[0].Dispose();
                    throw;
                }
            }
            throw new SalesforceConfigurationException("CertificateThumbprint", $"No certificate with thumbprint {wanted} is in the CurrentUser\\My or LocalMachine\\My certificate store of this account.",
                "Import the PFX into the store of the account that runs the job (Import-PfxCertificate -CertStoreLocation Cert:\\CurrentUser\\My), or use -CertificatePath.");
        }

        private static X509Certificate2Collection ReadPersonalStore(StoreLocation location)
        {
            using (var store = new X509Store(StoreName.My, location))
            {
                try
                {
                    store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                }
                catch (CryptographicException)
                {
                    return null; // a store that does not exist on this platform (on Linux, LocalMachine has only Root and CertificateAuthority)
                }
                return store.Certificates;
            }
        }

        /// <summary>Thumbprints copied from certificate dialogs carry spaces and invisible marks; keep the hex digits.</summary>
        public static string NormalizeThumbprint(string thumbprint)
            => new string((thumbprint ?? string.Empty).Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant();

        private const X509KeyStorageFlags EphemeralKeySet = (X509KeyStorageFlags)32;

        private static bool LooksLikePem(byte[] content)
        {
            string start = Encoding.ASCII.GetString(content, 0, Math.Min(content.Length, 4096));
            return start.Contains("-----BEGIN ");
        }

        private static JwtCertificate FromPem(string path, string text)
        {
            X509Certificate2 certificate = null;
            byte[] certificateDer = PemBlock(text, "CERTIFICATE");
            if (certificateDer != null) certificate = new X509Certificate2(certificateDer);
            try
            {
                if (PemBlock(text, "ENCRYPTED PRIVATE KEY") != null || text.Contains("Proc-Type: 4,ENCRYPTED"))
                    throw new SalesforceConfigurationException("CertificatePath", $"The private key in '{path}' is encrypted, which this module reads only from a PFX file.",
                        "Make a PFX from it (openssl pkcs12 -export -inkey key.pem -in cert.pem -out cert.pfx) and give -CertificatePath cert.pfx -CertificatePassword.");
                foreach (var other in new[] { ("EC PRIVATE KEY", "an EC (ECDSA)"), ("DSA PRIVATE KEY", "a DSA") })
                    if (text.Contains($"-----BEGIN {other.Item1}-----"))
                        throw NotRsa("CertificatePath", $"The private key in '{path}' is {other.Item2} key (BEGIN {other.Item1}), not an RSA key");
                RSA key;
                byte[] pkcs8 = PemBlock(text, "PRIVATE KEY");
                byte[] pkcs1 = PemBlock(text, "RSA PRIVATE KEY");
                try
                {
                    if (pkcs8 != null) key = RsaKeyDer.FromPkcs8(pkcs8);
                    else if (pkcs1 != null) key = RsaKeyDer.FromPkcs1(pkcs1);
                    else throw new SalesforceConfigurationException("CertificatePath", $"'{path}' holds no private key{(certificate != null ? ", only a certificate" : "")}; the private key is what signs the token request.",
                        "Give the key file (e.g. server.key, BEGIN PRIVATE KEY) or a PFX; the certificate (.crt) is what you upload to the connected app.");
                }
                catch (NotRsaKeyException ex)
                {
                    throw NotRsa("CertificatePath", $"The private key in '{path}' is {ex.Algorithm} key, not an RSA key");
                }
                catch (CryptographicException ex)
                {
                    throw new SalesforceConfigurationException("CertificatePath", $"The private key in '{path}' cannot be read ({ex.Message}).", "Give an unencrypted RSA key in PEM (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY), or a PFX.");
                }
                if (certificate != null)
                {
                    using (RSA certificateKey = certificate.GetRSAPublicKey())
                    {
                        if (certificateKey == null || !certificateKey.ExportParameters(false).Modulus.SequenceEqual(key.ExportParameters(false).Modulus))
                        {
                            key.Dispose();
                            throw new SalesforceConfigurationException("CertificatePath", $"The private key in '{path}' does not belong to the certificate {certificate.Thumbprint} in the same file.", "Put the key and the certificate that were made together in the file (or give the key file alone).");
                        }
                    }
                }
                return new JwtCertificate(key, certificate);
            }
            finally
            {
                certificate?.Dispose();
            }
        }

        private static byte[] PemBlock(string text, string label)
        {
            string begin = $"-----BEGIN {label}-----", end = $"-----END {label}-----";
            int start = text.IndexOf(begin, StringComparison.Ordinal);
            if (start < 0) return null;
            start += begin.Length;
            int stop = text.IndexOf(end, start, StringComparison.Ordinal);
            if (stop < 0) return null;
            string base64 = new string(text.Substring(start, stop - start).Where(c => !char.IsWhiteSpace(c)).ToArray());
            try
            {
                return Convert.FromBase64String(base64);
            }
            catch (FormatException)
            {
                throw new SalesforceConfigurationException("CertificatePath", $"The PEM block '{label}' is not valid base64.", "Export the key or certificate again.");
            }
        }
    }

    /// <summary>A PKCS#8 key of another algorithm than RSA.</summary>
    internal sealed class NotRsaKeyException : CryptographicException
    {
        public NotRsaKeyException(string oid) : base($"the key is not an RSA key (algorithm {oid})")
        {
            Algorithm = oid == "1.2.840.10045.2.1" ? "an EC (ECDSA)" : oid == "1.2.840.10040.4.1" ? "a DSA" : oid == "1.3.101.112" ? "an Ed25519" : $"a {oid}";
        }

        /// <summary>The key's kind, with its article, for the message ("an EC (ECDSA)").</summary>
        public string Algorithm { get; }
    }

    /// <summary>
    /// Reads unencrypted RSA private keys in DER (PKCS#1 RSAPrivateKey and PKCS#8 PrivateKeyInfo), which
    /// .NET Standard 2.0 cannot import by itself. Only the few DER forms these structures use are read.
    /// </summary>
    internal static class RsaKeyDer
    {
        private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

        public static RSA FromPkcs8(byte[] der)
        {
            var outer = new Reader(der).Sequence();
            outer.Integer(); // version
            var algorithm = outer.Sequence();
            string oid = algorithm.ObjectIdentifier();
            if (oid != RsaEncryptionOid) throw new NotRsaKeyException(oid);
            return FromPkcs1(outer.OctetString());
        }

        public static RSA FromPkcs1(byte[] der)
        {
            var key = new Reader(der).Sequence();
            key.Integer(); // version
            byte[] modulus = Unsigned(key.Integer());
            byte[] exponent = Unsigned(key.Integer());
            int half = (modulus.Length + 1) / 2;
            var parameters = new RSAParameters
            {
                Modulus = modulus,
                Exponent = exponent,
                D = Padded(key.Integer(), modulus.Length),
                P = Padded(key.Integer(), half),
                Q = Padded(key.Integer(), half),
                DP = Padded(key.Integer(), half),
                DQ = Padded(key.Integer(), half),
                InverseQ = Padded(key.Integer(), half),
            };
            RSA rsa = RSA.Create();
            rsa.ImportParameters(parameters);
            return rsa;
        }

        private static byte[] Unsigned(byte[] integer)
        {
            int skip = 0;
            while (skip < integer.Length - 1 && integer[skip] == 0) skip++;
            return integer.Skip(skip).ToArray();
        }

        /// <summary>RSAParameters wants the private parts at fixed lengths (Windows CNG refuses others).</summary>
        private static byte[] Padded(byte[] integer, int length)
        {
            byte[] value = Unsigned(integer);
            if (value.Length > length) throw new CryptographicException("the key's parts have unexpected lengths");
            var padded = new byte[length];
            Buffer.BlockCopy(value, 0, padded, length - value.Length, value.Length);
            return padded;
        }

        private sealed class Reader
        {
            private readonly byte[] _data;
            private int _position;
            private readonly int _end;

            public Reader(byte[] data, int start = 0, int end = -1)
            {
                _data = data;
                _position = start;
                _end = end < 0 ? data.Length : end;
            }

            public Reader Sequence()
            {
                int length = Header(0x30);
                var inner = new Reader(_data, _position, _position + length);
                _position += length;
                return inner;
            }

            public byte[] Integer() => Take(Header(0x02));
            public byte[] OctetString() => Take(Header(0x04));

            public string ObjectIdentifier()
            {
                byte[] bytes = Take(Header(0x06));
                if (bytes.Length == 0) throw new CryptographicException("empty object identifier");
                var parts = new System.Collections.Generic.List<long> { bytes[0] / 40, bytes[0] % 40 };
                long value = 0;
                for (int i = 1; i < bytes.Length; i++)
                {
                    value = (value << 7) | (uint)(bytes[i] & 0x7F);
                    if ((bytes[i] & 0x80) == 0) { parts.Add(value); value = 0; }
                }
                return string.Join(".", parts);
            }

            private int Header(byte tag)
            {
                if (_position >= _end || _data[_position] != tag) throw new CryptographicException("the key is not in the expected DER form");
                _position++;
                int length = _data[_position++];
                if ((length & 0x80) != 0)
                {
                    int count = length & 0x7F;
                    if (count < 1 || count > 3) throw new CryptographicException("unsupported DER length");
                    length = 0;
                    for (int i = 0; i < count; i++) length = (length << 8) | _data[_position++];
                }
                if (length < 0 || _position + length > _end) throw new CryptographicException("the key is truncated");
                return length;
            }

            private byte[] Take(int length)
            {
                var bytes = new byte[length];
                Buffer.BlockCopy(_data, _position, bytes, 0, length);
                _position += length;
                return bytes;
            }
        }
    }
}
