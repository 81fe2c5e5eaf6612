using System;
using System.Globalization;

namespace SalesforceProvisioning
{
    /// <summary>
    /// The one yes/no vocabulary of every input (users' Enabled and Deleted, groups' Deleted, boolean
    /// fields): true/false, yes/no, y/n, 1/0, on/off, case-insensitive and culture-invariant (an ordinal
    /// comparison, so a Turkish culture's dotless i never changes a word). State flags also take
    /// enabled/disabled and active/inactive. Anything else is refused, never guessed.
    /// </summary>
    public static class YesNo
    {
        private static readonly string[] Yes = { "true", "yes", "y", "1", "on" };
        private static readonly string[] No = { "false", "no", "n", "0", "off" };
        private static readonly string[] StateYes = { "enabled", "active" };
        private static readonly string[] StateNo = { "disabled", "inactive" };

        /// <summary>The accepted words, for error messages.</summary>
        public const string Words = "true/false, yes/no, y/n, 1/0 or on/off";
        public const string StateWords = Words + ", enabled/disabled, active/inactive";

        /// <summary>A yes/no value: a boolean, the numbers 1 and 0, or one of <see cref="Words"/>.</summary>
        public static bool TryParse(object value, out bool result) => TryParse(value, state: false, out result);

        /// <summary>Like <see cref="TryParse(object, out bool)"/>, also taking enabled/disabled and active/inactive.</summary>
        public static bool TryParseState(object value, out bool result) => TryParse(value, state: true, out result);

        private static bool TryParse(object value, bool state, out bool result)
        {
            result = false;
            if (value is bool b) { result = b; return true; }
            if (value == null) return false;
            string text = Convert.ToString(value, CultureInfo.InvariantCulture).Trim();
            if (Matches(text, Yes) || (state && Matches(text, StateYes))) { result = true; return true; }
            if (Matches(text, No) || (state && Matches(text, StateNo))) return true;
            return false;
        }

        private static bool Matches(string text, string[] words)
        {
            foreach (string word in words)
                if (string.Equals(text, word, StringComparison.OrdinalIgnoreCase)) return true;
            return false;
        }
    }
}
