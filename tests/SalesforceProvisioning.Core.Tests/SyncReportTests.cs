using System.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>The report's encoding rules: source data never becomes markup or a spreadsheet formula.</summary>
    public class SyncReportTests
    {
        private static SyncReport Report()
        {
            var report = new SyncReport { ApiCallsUsed = 3 };
            report.Rows.Add(new SyncReportRow { Username = "ann@example.com", Action = "Created", ChangedFields = new[] { "Email", "Title" } });
            report.Rows.Add(new SyncReportRow { Username = "<b>x</b>", Action = "Failed", ErrorCode = "InvalidUsername", Message = "=HYPERLINK(\"http://evil\")", Remedy = "Fix it, then \"rerun\"" });
            return report;
        }

        [Fact]
        public void Html_encodes_every_value_and_fetches_nothing()
        {
            string html = Report().ToHtml();
            Assert.DoesNotContain("<b>x</b>", html);
            Assert.Contains("&lt;b&gt;x&lt;/b&gt;", html);
            Assert.DoesNotContain("<script", html);
            Assert.DoesNotContain("src=", html);
            Assert.Contains("default-src 'none'", html);
            Assert.Contains("data-action=\"Failed\" data-count=\"1\"", html);
            Assert.Contains("<dd id=\"api-calls\">3</dd>", html);
        }

        [Fact]
        public void Csv_quotes_as_rfc4180_and_keeps_formulas_as_text()
        {
            string[] lines = Report().ToCsv().Split("\r\n");
            Assert.Equal("Username,Action,WhatIf,SalesforceId,ChangedFields,ErrorCode,Message,Remedy", lines[0]);
            Assert.Equal("ann@example.com,Created,False,,\"Email, Title\",,,", lines[1]);
            Assert.Equal("<b>x</b>,Failed,False,,,InvalidUsername,\"'=HYPERLINK(\"\"http://evil\"\")\",\"Fix it, then \"\"rerun\"\"\"", lines[2]);
        }

        [Fact]
        public void Counts_follow_the_action_order_with_failures_last()
        {
            var report = Report();
            report.Rows.Add(new SyncReportRow { Username = "u@example.com", Action = "Unchanged" });
            Assert.Equal(new[] { "Created", "Unchanged", "Failed" }, report.ActionCounts().Select(c => c.Key));
        }
    }
}
