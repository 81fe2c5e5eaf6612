using System;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    public class SalesforceEndpointTests
    {
        [Theory]
        [InlineData("acme.my.salesforce.com", "https://acme.my.salesforce.com/")]
        [InlineData("https://acme.my.salesforce.com/", "https://acme.my.salesforce.com/")]
        [InlineData("  ACME.my.salesforce.com ", "https://acme.my.salesforce.com/")]
        [InlineData("acme--uat.sandbox.my.salesforce.com", "https://acme--uat.sandbox.my.salesforce.com/")]
        [InlineData("login.salesforce.com", "https://login.salesforce.com/")]
        [InlineData("acme.my.site.com", "https://acme.my.site.com/")]
        [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/")]
        [InlineData("http://localhost:5000", "http://localhost:5000/")]
        [InlineData("http://[::1]:5000", "http://[::1]:5000/")]
        public void Accepts_salesforce_hosts_and_loopback(string domain, string expected)
        {
            Assert.Equal(expected, SalesforceEndpoint.ParseDomain(domain).ToString());
        }

        [Theory]
        [InlineData("", "empty")]
        [InlineData("acme..salesforce.com", "not a valid host")]
        [InlineData("ht!tp://acme", "not a valid host")]
        [InlineData("acme.my.salesforce.com/services", "path")]
        [InlineData("http://acme.my.salesforce.com", "plain http")]
        [InlineData("http://10.0.0.5:8080", "plain http")]
        [InlineData("https://example.com", "not a Salesforce host")]
        [InlineData("https://evilsalesforce.com", "not a Salesforce host")]
        [InlineData("https://salesforce.com.evil.example", "not a Salesforce host")]
        [InlineData("ftp://acme.my.salesforce.com", "not https")]
        public void Refuses_everything_else_with_a_reason_naming_the_parameter(string domain, string reason)
        {
            var ex = Assert.Throws<SalesforceConfigurationException>(() => SalesforceEndpoint.ParseDomain(domain));
            Assert.Equal("Domain", ex.Parameter);
            Assert.Contains(reason, ex.Message);
            Assert.False(string.IsNullOrEmpty(ex.Remedy));
        }

        [Theory]
        [InlineData("https://eu42.salesforce.com", true)]
        [InlineData("https://acme.my.salesforce.com", true)]
        [InlineData("http://127.0.0.1:1234", true)]
        [InlineData("https://attacker.example", false)]
        [InlineData("http://eu42.salesforce.com", false)]
        public void Instance_urls_follow_the_same_rule(string url, bool trusted)
        {
            Assert.Equal(trusted, SalesforceEndpoint.IsTrusted(new Uri(url)));
        }
    }
}
