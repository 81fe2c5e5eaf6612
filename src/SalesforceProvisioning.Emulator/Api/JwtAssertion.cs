using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>Checks an RS256 jwt-bearer assertion the way Salesforce's token endpoint does.</summary>
internal static class JwtAssertion
{
    /// <summary>How far in the future exp may be: Salesforce wants assertions that expire within minutes.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    public sealed record Claims(string Issuer, string Subject);

    /// <summary>Reads the public key of a PEM certificate or PEM public key.</summary>
    public static RSA LoadPublicKey(string pem)
    {
        if (pem.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return certificate.GetRSAPublicKey() ?? throw new InvalidDataException("The JWT certificate has no RSA public key.");
        }
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return rsa;
    }

    /// <summary>The claims when the assertion is well-formed, signed by <paramref name="key"/>, meant for us and fresh; else null with the reason.</summary>
    public static Claims Validate(string assertion, RSA key, IReadOnlyCollection<string> audiences, out string error)
    {
        error = "invalid assertion";
        if (key == null || string.IsNullOrEmpty(assertion)) return null;
        var parts = assertion.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            if (header.RootElement.TryGetProperty("alg", out var alg) is false || alg.GetString() != "RS256") return null;
            byte[] signature = Base64Url.DecodeFromChars(parts[2]);
            if (!key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                return null;

            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var claims = payload.RootElement;
            string issuer = claims.TryGetProperty("iss", out var iss) ? iss.GetString() : null;
            string subject = claims.TryGetProperty("sub", out var sub) ? sub.GetString() : null;
            var audience = claims.TryGetProperty("aud", out var aud)
                ? aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().Select(a => a.GetString()).ToList() : new List<string> { aud.GetString() }
                : new List<string>();
            if (!audience.Any(a => audiences.Contains(a?.TrimEnd('/'), StringComparer.OrdinalIgnoreCase)))
            {
                error = "audience is invalid";
                return null;
            }
            if (!claims.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number)
                return null;
            var expires = DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64());
            if (expires <= DateTimeOffset.UtcNow)
            {
                error = "expired assertion";
                return null;
            }
            if (expires > DateTimeOffset.UtcNow + MaxLifetime)
            {
                error = "assertion expiry is too far in the future";
                return null;
            }
            return new Claims(issuer, subject);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or CryptographicException)
        {
            return null;
        }
    }
}
