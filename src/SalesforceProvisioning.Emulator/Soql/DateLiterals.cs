using System.Globalization;
using System.Text.RegularExpressions;

namespace SalesforceProvisioning.Emulator.Soql;

/// <summary>
/// SOQL's relative date literals (SOQL and SOSL Reference, "Date Formats and Date Literals in WHERE"): each is a
/// range of days [Start, End) relative to today. The emulator's user is in GMT, so days are UTC days, and weeks
/// start on Sunday as in the en_US locale.
/// </summary>
internal static class DateLiterals
{
    private static readonly Regex WithNumber = new(@"^(LAST_N_DAYS|NEXT_N_DAYS|N_DAYS_AGO|LAST_N_WEEKS|NEXT_N_WEEKS|N_WEEKS_AGO|LAST_N_MONTHS|NEXT_N_MONTHS|N_MONTHS_AGO|LAST_N_QUARTERS|NEXT_N_QUARTERS|LAST_N_YEARS|NEXT_N_YEARS|N_YEARS_AGO):(\d+)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static readonly HashSet<string> Plain = new(StringComparer.OrdinalIgnoreCase)
    {
        "YESTERDAY", "TODAY", "TOMORROW", "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK", "LAST_MONTH", "THIS_MONTH", "NEXT_MONTH",
        "LAST_90_DAYS", "NEXT_90_DAYS", "THIS_QUARTER", "LAST_QUARTER", "NEXT_QUARTER", "THIS_YEAR", "LAST_YEAR", "NEXT_YEAR",
    };

    public static bool IsDateLiteral(string text) => Plain.Contains(text) || WithNumber.IsMatch(text);

    /// <summary>The days the literal covers: from Start (inclusive) to End (exclusive).</summary>
    public static (DateOnly Start, DateOnly End) Range(string literal, DateOnly today)
    {
        var week = today.AddDays(-(int)today.DayOfWeek);
        var month = new DateOnly(today.Year, today.Month, 1);
        var quarter = new DateOnly(today.Year, (today.Month - 1) / 3 * 3 + 1, 1);
        var year = new DateOnly(today.Year, 1, 1);
        var tomorrow = today.AddDays(1);
        switch (literal.ToUpperInvariant())
        {
            case "YESTERDAY": return (today.AddDays(-1), today);
            case "TODAY": return (today, tomorrow);
            case "TOMORROW": return (tomorrow, tomorrow.AddDays(1));
            case "LAST_WEEK": return (week.AddDays(-7), week);
            case "THIS_WEEK": return (week, week.AddDays(7));
            case "NEXT_WEEK": return (week.AddDays(7), week.AddDays(14));
            case "LAST_MONTH": return (month.AddMonths(-1), month);
            case "THIS_MONTH": return (month, month.AddMonths(1));
            case "NEXT_MONTH": return (month.AddMonths(1), month.AddMonths(2));
            case "LAST_90_DAYS": return (today.AddDays(-90), tomorrow); // includes today: 91 days
            case "NEXT_90_DAYS": return (tomorrow, tomorrow.AddDays(90));
            case "LAST_QUARTER": return (quarter.AddMonths(-3), quarter);
            case "THIS_QUARTER": return (quarter, quarter.AddMonths(3));
            case "NEXT_QUARTER": return (quarter.AddMonths(3), quarter.AddMonths(6));
            case "LAST_YEAR": return (year.AddYears(-1), year);
            case "THIS_YEAR": return (year, year.AddYears(1));
            case "NEXT_YEAR": return (year.AddYears(1), year.AddYears(2));
        }
        var match = WithNumber.Match(literal);
        int n = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        return match.Groups[1].Value.ToUpperInvariant() switch
        {
            "LAST_N_DAYS" => (today.AddDays(-n), tomorrow), // LAST_N_DAYS:1 is yesterday and today
            "NEXT_N_DAYS" => (tomorrow, tomorrow.AddDays(n)),
            "N_DAYS_AGO" => (today.AddDays(-n), today.AddDays(-n + 1)),
            "LAST_N_WEEKS" => (week.AddDays(-7 * n), week),
            "NEXT_N_WEEKS" => (week.AddDays(7), week.AddDays(7 * (n + 1))),
            "N_WEEKS_AGO" => (week.AddDays(-7 * n), week.AddDays(-7 * n + 7)),
            "LAST_N_MONTHS" => (month.AddMonths(-n), month),
            "NEXT_N_MONTHS" => (month.AddMonths(1), month.AddMonths(n + 1)),
            "N_MONTHS_AGO" => (month.AddMonths(-n), month.AddMonths(-n + 1)),
            "LAST_N_QUARTERS" => (quarter.AddMonths(-3 * n), quarter),
            "NEXT_N_QUARTERS" => (quarter.AddMonths(3), quarter.AddMonths(3 * (n + 1))),
            "LAST_N_YEARS" => (year.AddYears(-n), year),
            "NEXT_N_YEARS" => (year.AddYears(1), year.AddYears(n + 1)),
            _ => (year.AddYears(-n), year.AddYears(-n + 1)), // N_YEARS_AGO
        };
    }
}
