namespace SalesforceProvisioning.Emulator.Data;

/// <summary>
/// Salesforce record ids: 15 case-sensitive characters, plus a 3-character suffix that encodes the case of
/// the first 15 so the 18-character form survives case-insensitive handling.
/// </summary>
public static class SalesforceId
{
    private const string SuffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Turns a 15- or 18-character id into its canonical 18-character form; false when it is not an id.</summary>
    public static bool TryNormalize(string value, out string id18)
    {
        id18 = null;
        if (value == null || (value.Length != 15 && value.Length != 18) || !value.All(char.IsAsciiLetterOrDigit))
            return false;
        string id15 = value[..15];
        if (value.Length == 18)
        {
            // The suffix tells which letters are upper case, so an id that went through ToLower still resolves.
            var restored = id15.ToCharArray();
            for (int block = 0; block < 3; block++)
            {
                int bits = SuffixAlphabet.IndexOf(char.ToUpperInvariant(value[15 + block]));
                if (bits < 0) return false;
                for (int bit = 0; bit < 5; bit++)
                {
                    int position = block * 5 + bit;
                    if (char.IsAsciiLetter(restored[position]))
                        restored[position] = (bits & (1 << bit)) != 0 ? char.ToUpperInvariant(restored[position]) : char.ToLowerInvariant(restored[position]);
                }
            }
            id15 = new string(restored);
        }
        id18 = id15 + Suffix(id15);
        return true;
    }

    public static string Normalize(string value) => TryNormalize(value, out var id18) ? id18 : null;

    /// <summary>Builds an id from a key prefix and a sequence number: prefix + "5g0" + 9 base-62 digits + suffix.</summary>
    public static string Create(string keyPrefix, long sequence)
    {
        var digits = new char[9];
        for (int i = 8; i >= 0; i--)
        {
            digits[i] = Base62[(int)(sequence % 62)];
            sequence /= 62;
        }
        string id15 = keyPrefix + "5g0" + new string(digits);
        return id15 + Suffix(id15);
    }

    private static string Suffix(string id15)
    {
        var suffix = new char[3];
        for (int block = 0; block < 3; block++)
        {
            int bits = 0;
            for (int bit = 0; bit < 5; bit++)
                if (char.IsAsciiLetterUpper(id15[block * 5 + bit]))
                    bits |= 1 << bit;
            suffix[block] = SuffixAlphabet[bits];
        }
        return new string(suffix);
    }
}
