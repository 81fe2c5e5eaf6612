using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace SalesforceProvisioning.Emulator.Api;

/// <summary>Checks an RS256 jwt-bearer assertion the way Salesforce's token endpoint does.</summary>
internal static class JwtAssertion
{
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
            // Salesforce Help ("OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration") asks for exp in seconds,
            // a few minutes ahead; real orgs refuse an expired assertion but accept a later exp, down to the
            // Salesforce CLI's own, which writes Date.now() + 300 (milliseconds). So: exp must be a number after now.
            if (!claims.TryGetProperty("exp", out var exp) || !exp.TryGetDouble(out double expSeconds))
                return null;
            if (expSeconds <= DateTimeOffset.UtcNow.ToUnixTimeSeconds())
            {
                error = "expired assertion";
                return null;
            }
            return new Claims(issuer, subject);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or CryptographicException
                                       or ArgumentException or OverflowException)
        {
            return null;
        }
    }
}
