using System;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The OAuth 2.0 JWT bearer flow as Salesforce describes it in "OAuth 2.0 JWT Bearer Flow for
    /// Server-to-Server Integration" (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm):
    /// a header {"alg":"RS256"}, claims iss (the Consumer Key), sub (the username), aud (https://login.salesforce.com,
    /// https://test.salesforce.com for a sandbox, or an Experience Cloud site URL) and exp (within three minutes,
    /// in seconds since 1970), signed with the private key of the certificate uploaded to the connected app, and
    /// posted as grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer with assertion=. No refresh token is issued.
    /// </summary>
    internal static class JwtBearerAssertion
    {
        public const string GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";

        /// <summary>Salesforce wants the assertion to expire within three minutes; a little less leaves room for clock skew.</summary>
        public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2.5);

        public static string Create(SfProvisioningConnection connection, DateTimeOffset now)
        {
            string header = Encode(new JObject { ["alg"] = "RS256" });
            string claims = Encode(new JObject
            {
                ["iss"] = connection.ClientId,
                ["sub"] = connection.Username,
                ["aud"] = connection.Audience,
                ["exp"] = (now + Lifetime).ToUnixTimeSeconds(),
            });
            string signed = header + "." + claims;
            return signed + "." + Base64Url(connection.SigningCertificate.Sign(Encoding.ASCII.GetBytes(signed)));
        }

        private static string Encode(JObject json) => Base64Url(Encoding.UTF8.GetBytes(json.ToString(Formatting.None)));

        private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        /// <summary>What Salesforce's refusal of an assertion means, and what the admin does about it.</summary>
        public static SalesforceException ToGrantException(ApiResponse response, SfProvisioningConnection connection)
        {
            var json = response.Json as JObject;
            string error = json?.Value<string>("error") ?? $"HTTP {response.Status}";
            string description = json?.Value<string>("error_description") ?? string.Empty;
            string said = $"Salesforce refused the JWT bearer token request for {connection.Username}: {error} ({description}).";
            string certificate = connection.CertificateThumbprint != null ? $"the certificate with thumbprint {connection.CertificateThumbprint}" : "the certificate of the key in " + connection.CertificatePath;

            if (error == "invalid_app_access" || description.IndexOf("approved", StringComparison.OrdinalIgnoreCase) >= 0)
                return new SalesforceException(SalesforceFailure.JwtUserNotApproved, said,
                    $"Pre-authorize {connection.Username} for the connected app: Setup > App Manager > the app > Manage > Edit Policies > Permitted Users 'Admin approved users are pre-authorized', then add the user's profile or a permission set assigned to the user under Profiles / Permission Sets.");
            if (description.IndexOf("audience", StringComparison.OrdinalIgnoreCase) >= 0)
                return new SalesforceException(SalesforceFailure.JwtAudienceInvalid, said,
                    $"The assertion was made for {connection.Audience}. A sandbox wants -Audience https://test.salesforce.com, production https://login.salesforce.com, an Experience Cloud site its own URL.");
            if (error == "invalid_grant" && description.IndexOf("assertion", StringComparison.OrdinalIgnoreCase) >= 0 && description.IndexOf("expir", StringComparison.OrdinalIgnoreCase) < 0)
                return new SalesforceException(SalesforceFailure.JwtCertificateRejected, said,
                    $"Upload {certificate} (the public half of the key this connection signs with) to the connected app: Setup > App Manager > the app > Edit > Use digital signatures. Also check that -ClientId is that app's Consumer Key and -Username the user's exact username.");
            if (error == "invalid_grant" && description.IndexOf("expir", StringComparison.OrdinalIgnoreCase) >= 0)
                return new SalesforceException(SalesforceFailure.AuthenticationFailed, said,
                    "Salesforce found the assertion expired: check that this computer's clock is right (it signs assertions valid for under three minutes).");
            if (error == "invalid_grant" && description.IndexOf("user", StringComparison.OrdinalIgnoreCase) >= 0)
                return new SalesforceException(SalesforceFailure.AuthenticationFailed, said, $"Check -Username '{connection.Username}': it must be the exact Salesforce username of an active user in this org.");
            if (error == "invalid_client_id" || error == "inactive_user" || response.Status >= 500)
                return SalesforceClient.ToGrantException(response, refresh: false);
            return new SalesforceException(SalesforceFailure.AuthenticationFailed, said,
                "Check the connected app: OAuth enabled, 'Use digital signatures' with this certificate, the user pre-authorized, and -ClientId its Consumer Key.");
        }
    }
}
