using System;
using System.Linq;
using System.Net;

namespace SalesforceProvisioning
{
    /// <summary>
    /// Decides which hosts may receive a token: https Salesforce hosts, or loopback (the emulator).
    /// Both the configured domain and every instance_url the token endpoint returns pass through here.
    /// </summary>
    public static class SalesforceEndpoint
    {
        private static readonly string[] SalesforceDomainSuffixes =
        {
            "salesforce.com", "force.com", "cloudforce.com", "salesforce.mil", "site.com",
            "sfcrmproducts.cn", "database.com", "salesforce-setup.com", "my.salesforce-sites.com",
        };

        /// <summary>
        /// Turns what an admin types for -Domain (<c>acme.my.salesforce.com</c>,
        /// <c>https://acme.my.salesforce.com/</c>, <c>http://127.0.0.1:5000</c>) into a base URI,
        /// or throws <see cref="SalesforceConfigurationException"/> saying what is wrong and what to do.
        /// </summary>
        public static Uri ParseDomain(string domain)
        {
            if (string.IsNullOrWhiteSpace(domain))
                throw Invalid("Domain", "The domain is empty.", "Give the org's My Domain, for example acme.my.salesforce.com.");

            string text = domain.Trim();
            if (!text.Contains("://")) text = "https://" + text;
            if (!Uri.TryCreate(text, UriKind.Absolute, out Uri uri) || string.IsNullOrEmpty(uri.Host) || uri.Host.Contains("..") || text.Contains(" "))
                throw Invalid("Domain", $"'{domain}' is not a valid host name.", "Give the org's My Domain, for example acme.my.salesforce.com.");
            if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
                throw Invalid("Domain", $"'{domain}' has a path, query or user part.", "Give only the host, for example acme.my.salesforce.com.");

            string problem = WhyUntrusted(uri);
            if (problem != null)
                throw Invalid("Domain", $"'{domain}' cannot be used: {problem}", "Use the org's https My Domain (*.my.salesforce.com), or http://127.0.0.1:PORT for the emulator.");
            return new Uri(uri.GetLeftPart(UriPartial.Authority));
        }

        /// <summary>
        /// The JWT bearer audience Salesforce expects for an org: https://test.salesforce.com for sandboxes and
        /// scratch orgs (enhanced *.sandbox.my.salesforce.com / *.scratch.my.salesforce.com, or a legacy
        /// name--sandbox My Domain), else https://login.salesforce.com.
        /// </summary>
        public static string DefaultJwtAudience(Uri domain)
        {
            string host = domain.Host.ToLowerInvariant();
            bool sandbox = host == "test.salesforce.com" || host.EndsWith(".sandbox.my.salesforce.com", StringComparison.Ordinal)
                || host.EndsWith(".scratch.my.salesforce.com", StringComparison.Ordinal)
                || (host.Contains("--") && host.EndsWith(".my.salesforce.com", StringComparison.Ordinal));
            return sandbox ? "https://test.salesforce.com" : "https://login.salesforce.com";
        }

        /// <summary>True when a token may be sent to this URI.</summary>
        public static bool IsTrusted(Uri uri) => WhyUntrusted(uri) == null;

        /// <summary>Null when a token may be sent to this URI, else the reason it may not.</summary>
        public static string WhyUntrusted(Uri uri)
        {
            if (uri == null || !uri.IsAbsoluteUri) return "it is not an absolute URL.";
            bool loopback = IsLoopback(uri.Host);
            if (uri.Scheme == Uri.UriSchemeHttp)
                return loopback ? null : "plain http is allowed only for loopback addresses (the emulator); tokens must travel over https.";
            if (uri.Scheme != Uri.UriSchemeHttps) return $"the scheme '{uri.Scheme}' is not https.";
            if (loopback) return null;
            string host = uri.Host.TrimEnd('.').ToLowerInvariant();
            bool salesforce = SalesforceDomainSuffixes.Any(s => host == s || host.EndsWith("." + s, StringComparison.Ordinal));
            return salesforce ? null : $"'{host}' is not a Salesforce host.";
        }

        private static bool IsLoopback(string host)
        {
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
            return IPAddress.TryParse(host.Trim('[', ']'), out IPAddress address) && IPAddress.IsLoopback(address);
        }

        private static SalesforceConfigurationException Invalid(string parameter, string problem, string remedy)
            => new SalesforceConfigurationException(parameter, problem, remedy);
    }
}
