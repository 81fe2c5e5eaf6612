using System;
using System.Collections.Generic;
using System.Linq;

namespace SalesforceProvisioning
{
    /// <summary>
    /// Finds source properties a custom attribute map reads that no input object has (a misspelling such as
    /// 'Emial'), to warn once per run with the closest property names the input does have.
    /// </summary>
    public sealed class SourcePropertyCheck
    {
        private readonly List<SfFieldMapping> _mappings;
        private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private bool _reported;

        public SourcePropertyCheck(SfAttributeMap map)
        {
            // Built-in maps list alternatives that any one source lacks by design; only an admin's own names are checked.
            _mappings = map.IsBuiltIn ? new List<SfFieldMapping>() : map.Mappings.Where(m => m.Compute == null && m.SourceProperties.Count > 0).ToList();
        }

        /// <summary>True until the warnings were taken, when the map has source names to check.</summary>
        public bool Watching => !_reported && _mappings.Count > 0;

        /// <summary>Remembers the property names of one input object.</summary>
        public void Observe(IEnumerable<string> propertyNames)
        {
            if (!Watching) return;
            foreach (string name in propertyNames) _seen.Add(name);
        }

        /// <summary>The warnings, the first time it is asked after some input was seen; afterwards none (once per run).</summary>
        public IReadOnlyList<string> TakeWarnings()
        {
            if (_reported || _seen.Count == 0) return Array.Empty<string>();
            _reported = true;
            var warnings = new List<string>();
            foreach (SfFieldMapping mapping in _mappings.Where(m => !m.SourceProperties.Any(_seen.Contains)))
            {
                string wanted = mapping.SourceProperties.Count == 1 ? $"'{mapping.SourceProperties[0]}'" : "any of " + Quote(mapping.SourceProperties);
                var closest = mapping.SourceProperties.SelectMany(p => Closest(p, _seen)).Distinct(StringComparer.OrdinalIgnoreCase).Take(3).ToList();
                warnings.Add($"The attribute map fills {mapping.Field} from {wanted}, but no input has that property, so {mapping.Field} gets no value from the source."
                    + (closest.Count > 0 ? $" Closest existing: {Quote(closest)}." : $" The input has: {Quote(_seen.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).Take(12).ToList())}."));
            }
            return warnings;
        }

        /// <summary>Up to three names within a small edit distance of <paramref name="wanted"/> (case ignored), closest first.</summary>
        public static IReadOnlyList<string> Closest(string wanted, IEnumerable<string> available)
        {
            int limit = Math.Max(2, wanted.Length / 3);
            return available.Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(name => (Name: name, Distance: Distance(wanted.ToUpperInvariant(), name.ToUpperInvariant())))
                .Where(c => c.Distance <= limit || c.Name.IndexOf(wanted, StringComparison.OrdinalIgnoreCase) >= 0 || wanted.IndexOf(c.Name, StringComparison.OrdinalIgnoreCase) >= 0 && c.Name.Length >= 3)
                .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                .Take(3).Select(c => c.Name).ToList();
        }

        internal static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

        /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours ('Emial').</summary>
        private static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (int j = 0; j <= b.Length; j++) d[0, j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
            return d[a.Length, b.Length];
        }
    }
}
