using System;
using System.Globalization;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>
    /// CI runs the suite a second time in another culture and time zone (.ci/run); this proves the run really
    /// had them (SFPROV_EXPECT_CULTURE, SFPROV_EXPECT_TZ), so a silently invariant or UTC run cannot pass for it.
    /// </summary>
    public class CultureProbeTests
    {
        [Fact]
        public void The_run_has_the_culture_and_time_zone_ci_asked_for()
        {
            string culture = Environment.GetEnvironmentVariable("SFPROV_EXPECT_CULTURE");
            if (!string.IsNullOrEmpty(culture)) Assert.Equal(culture, CultureInfo.CurrentCulture.Name);
            string zone = Environment.GetEnvironmentVariable("SFPROV_EXPECT_TZ");
            if (!string.IsNullOrEmpty(zone)) Assert.Equal(zone, TimeZoneInfo.Local.Id);
        }
    }
}
