using System.Linq;
using Newtonsoft.Json.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// Which lead status closes and reopens a lead. The Object Reference's LeadStatus
    /// (https://developer.salesforce.com/docs/atlas.en-us.262.0.object_reference.meta/object_reference/sforce_api_objects_leadstatus.htm)
    /// has ApiName, MasterLabel, IsConverted, IsDefault and SortOrder, and no "closed" flag: the connection
    /// names the statuses, checked against the org's values; the name heuristic is only the default.
    /// </summary>
    public class LeadStatusesTests
    {
        private static JObject Status(string apiName, int order, bool converted = false, bool isDefault = false, string label = null) => new JObject
        {
            ["ApiName"] = apiName, ["MasterLabel"] = label ?? apiName, ["IsConverted"] = converted, ["IsDefault"] = isDefault, ["SortOrder"] = order,
        };

        private static readonly JObject[] Standard =
        {
            Status("Open - Not Contacted", 1, isDefault: true), Status("Working - Contacted", 2),
            Status("Closed - Converted", 3, converted: true), Status("Closed - Not Converted", 4),
        };

        private static readonly JObject[] Custom =
        {
            Status("New", 1, isDefault: true), Status("Nurturing", 2), Status("Disqualified", 3, label: "Disqualified (no fit)"), Status("Qualified", 4, converted: true),
        };

        [Fact]
        public void Without_settings_the_first_closed_value_closes_and_the_default_reopens()
        {
            var statuses = LeadStatuses.From(Standard);
            Assert.Equal("Closed - Not Converted", statuses.Closed);
            Assert.Equal("Open - Not Contacted", statuses.Reopen);
            Assert.Equal("Closed - Converted", statuses.Converted);
            Assert.True(statuses.IsClosed("closed - not converted"));
            Assert.False(statuses.IsClosed("Working - Contacted"));
        }

        [Fact]
        public void The_connections_statuses_are_used_by_api_name_or_label()
        {
            var statuses = LeadStatuses.From(Custom, "disqualified (NO FIT)", "Nurturing");
            Assert.Equal("Disqualified", statuses.Closed);
            Assert.Equal("Nurturing", statuses.Reopen);
            Assert.True(statuses.IsClosed("Disqualified"));

            // A chosen closing status replaces the heuristic: "Closed - Not Converted" is then an ordinary status.
            var chosen = LeadStatuses.From(Standard, "Working - Contacted", "Open - Not Contacted");
            Assert.Equal("Working - Contacted", chosen.Closed);
            Assert.False(chosen.IsClosed("Closed - Not Converted"));
            // ...but a lead in it was closed in Salesforce: left as it is, never reopened by us.
            Assert.True(chosen.IsClosedInSalesforce("Closed - Not Converted"));
            Assert.False(chosen.IsClosedInSalesforce("Working - Contacted"));
            Assert.False(statuses.IsClosedInSalesforce("Closed - Not Converted"));
        }

        [Fact]
        public void A_status_the_org_does_not_have_is_a_clear_error_naming_the_ones_it_has()
        {
            var error = Assert.Throws<SalesforceConfigurationException>(() => LeadStatuses.From(Custom, "Closed - Not Converted"));
            Assert.Equal("LeadClosedStatus", error.Parameter);
            Assert.Contains("no lead status 'Closed - Not Converted'", error.Message);
            Assert.Contains("'New', 'Nurturing', 'Disqualified'", error.Message);

            var reopen = Assert.Throws<SalesforceConfigurationException>(() => LeadStatuses.From(Custom, "Disqualified", "Open"));
            Assert.Equal("LeadReopenStatus", reopen.Parameter);
        }

        [Fact]
        public void A_converted_status_or_one_status_for_both_is_refused()
        {
            var converted = Assert.Throws<SalesforceConfigurationException>(() => LeadStatuses.From(Custom, "Qualified"));
            Assert.Contains("converted lead status", converted.Message);
            var both = Assert.Throws<SalesforceConfigurationException>(() => LeadStatuses.From(Custom, "Nurturing", "nurturing"));
            Assert.Equal("LeadReopenStatus", both.Parameter);
        }

        [Fact]
        public void When_no_status_qualifies_the_reason_names_the_values_and_the_settings()
        {
            var statuses = LeadStatuses.From(Custom);
            Assert.Null(statuses.Closed);
            Assert.False(statuses.IsClosed("Disqualified"));
            var (problem, remedy) = statuses.Missing(closing: true);
            Assert.Contains("'New', 'Nurturing', 'Disqualified'", problem);
            Assert.Contains("-LeadClosedStatus", remedy);

            // The default status is the closing one: nothing reopens without -LeadReopenStatus.
            var defaultCloses = LeadStatuses.From(new[] { Status("Closed - Cold", 1, isDefault: true), Status("Working", 2) });
            Assert.Null(defaultCloses.Reopen);
            Assert.Contains("-LeadReopenStatus", defaultCloses.Missing(closing: false).Remedy);
        }
    }
}
