using System.Globalization;
using System.Threading;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    /// <summary>One yes/no vocabulary for every input (issue 11 #17), independent of the culture.</summary>
    public class YesNoTests
    {
        [Theory]
        [InlineData("true", true)] [InlineData("FALSE", false)] [InlineData("Yes", true)] [InlineData("no", false)]
        [InlineData("Y", true)] [InlineData("n", false)] [InlineData("1", true)] [InlineData("0", false)]
        [InlineData(" on ", true)] [InlineData("OFF", false)]
        public void The_common_words_are_yes_or_no(string text, bool expected)
        {
            Assert.True(YesNo.TryParse(text, out bool value));
            Assert.Equal(expected, value);
        }

        [Fact]
        public void Booleans_and_the_numbers_one_and_zero_are_accepted()
        {
            Assert.True(YesNo.TryParse(true, out bool t) && t);
            Assert.True(YesNo.TryParse(1, out bool one) && one);
            Assert.True(YesNo.TryParse(0L, out bool zero) && !zero);
        }

        [Theory]
        [InlineData("maybe")] [InlineData("2")] [InlineData("")] [InlineData("tru")] [InlineData("yess")] [InlineData("enabled")]
        public void Anything_else_is_refused(string text) => Assert.False(YesNo.TryParse(text, out _));

        [Fact]
        public void State_flags_also_take_enabled_disabled_active_inactive()
        {
            Assert.True(YesNo.TryParseState("Enabled", out bool enabled) && enabled);
            Assert.True(YesNo.TryParseState("DISABLED", out bool disabled) && !disabled);
            Assert.True(YesNo.TryParseState("inactive", out bool inactive) && !inactive);
            Assert.False(YesNo.TryParseState("gone", out _));
        }

        [Fact]
        public void A_turkish_culture_changes_nothing()
        {
            CultureInfo saved = CultureInfo.CurrentCulture;
            try
            {
                CultureInfo.CurrentCulture = new CultureInfo("tr-TR");
                // Under tr-TR, "I".ToLower() is "ı" and "i".ToUpper() is "İ": culture-aware comparisons would refuse these.
                Assert.True(YesNo.TryParseState("DISABLED", out bool disabled) && !disabled);
                Assert.True(YesNo.TryParseState("INACTIVE", out bool inactive) && !inactive);
                Assert.True(YesNo.TryParseState("active", out bool active) && active);
                Assert.False(YesNo.TryParseState("dİsabled", out _));
            }
            finally
            {
                CultureInfo.CurrentCulture = saved;
            }
        }
    }
}
