using System.Linq;
using Xunit;

namespace SalesforceProvisioning.Tests
{
    public class SoqlTests
    {
        [Theory]
        [InlineData("O'Brien", @"'O\'Brien'")]
        [InlineData(@"back\slash", @"'back\\slash'")]
        [InlineData("quote\"d", "'quote\\\"d'")]
        [InlineData("line\nbreak", @"'line\nbreak'")]
        [InlineData("Zoë Ångström", "'Zoë Ångström'")]
        [InlineData("", "''")]
        [InlineData(@"\'", @"'\\\''")]
        public void Literal_escapes_backslash_and_quotes(string value, string expected)
        {
            Assert.Equal(expected, Soql.Literal(value));
        }

        [Fact]
        public void Literal_of_null_is_the_null_keyword()
        {
            Assert.Equal("null", Soql.Literal(null));
        }

        [Fact]
        public void Injection_attempt_stays_inside_the_literal()
        {
            string hostile = "x' OR Username != '";
            Assert.Equal(@"'x\' OR Username != \''", Soql.Literal(hostile));
        }

        [Theory]
        [InlineData("Sales*", "'Sales%'")]
        [InlineData("*O'Brien*", @"'%O\'Brien%'")]
        [InlineData("100%_done", @"'100\%\_done'")]
        [InlineData(@"a\b*", @"'a\\b%'")]
        public void LikePattern_turns_star_into_percent_and_escapes_sql_wildcards(string pattern, string expected)
        {
            Assert.Equal(expected, Soql.LikePattern(pattern));
        }

        [Fact]
        public void InList_quotes_every_value()
        {
            Assert.Equal(@"('a','O\'Brien')", Soql.InList(new[] { "a", "O'Brien" }));
        }

        [Fact]
        public void ChunkedInQueries_covers_each_distinct_value_once_and_respects_the_chunk_size()
        {
            var values = Enumerable.Range(0, 1234).Select(i => $"user{i}@example.com").Concat(new[] { "USER1@example.com" }).ToList();
            var queries = Soql.ChunkedInQueries("SELECT Id FROM User WHERE Username IN", values, " ORDER BY Username", maxValuesPerQuery: 500).ToList();
            Assert.All(queries, q => Assert.True(q.Split("@example.com").Length - 1 <= 500));
            Assert.All(queries, q => Assert.StartsWith("SELECT Id FROM User WHERE Username IN (", q));
            Assert.All(queries, q => Assert.EndsWith(") ORDER BY Username", q));
            int literals = queries.Sum(q => q.Split("@example.com").Length - 1);
            Assert.Equal(1234, literals);
        }

        [Fact]
        public void ChunkedInQueries_keeps_each_encoded_query_under_the_url_budget()
        {
            var values = Enumerable.Range(0, 2000).Select(i => new string('é', 40) + i + "@example.com");
            foreach (string q in Soql.ChunkedInQueries("SELECT Id FROM User WHERE Username IN", values, maxValuesPerQuery: 2000))
                Assert.True(System.Uri.EscapeDataString(q).Length <= Soql.MaxEncodedQueryLength + 200, "query too long for a GET URL");
        }
    }
}
