using System.Collections.Generic;
using System.Linq;

namespace SalesforceProvisioning.HelpGen
{
    /// <summary>The rules help must meet before any MAML is written; every broken rule is one message.</summary>
    public static class HelpValidator
    {
        public const int MinimumExamples = 2;

        public static List<string> Check(CmdletMetadata cmdlet, HelpDocument doc)
        {
            var problems = new List<string>();
            string where = $"{cmdlet.Name} ({doc?.SourcePath ?? "no file"})";
            if (doc == null)
            {
                problems.Add($"{cmdlet.Name}: no help source. Write docs/help/{cmdlet.Name}.md (layout: docs/help/README.md).");
                return problems;
            }
            problems.AddRange(doc.Problems);
            if (!string.Equals(doc.Name, cmdlet.Name, System.StringComparison.OrdinalIgnoreCase))
                problems.Add($"{where}: the title must be '# {cmdlet.Name}', not '# {doc.Name}'.");
            if (doc.Synopsis.Count == 0) problems.Add($"{where}: '## Synopsis' is missing or empty.");
            if (doc.Description.Count == 0) problems.Add($"{where}: '## Description' is missing or empty.");
            if (doc.Examples.Count < MinimumExamples)
                problems.Add($"{where}: {doc.Examples.Count} example(s); at least {MinimumExamples} are needed.");
            foreach (HelpExample example in doc.Examples.Where(e => string.IsNullOrWhiteSpace(e.Code)))
                problems.Add($"{where}: '{example.Title}' has no ```powershell code block.");
            foreach (HelpExample example in doc.Examples.Where(e => e.Remarks.Count == 0))
                problems.Add($"{where}: '{example.Title}' does not explain what it does.");
            foreach (ParameterMetadata parameter in cmdlet.Parameters.Where(p => p.StandardDescription == null))
            {
                if (!doc.Parameters.TryGetValue(parameter.Name, out List<string> text) || text.Count == 0)
                    problems.Add($"{where}: parameter -{parameter.Name} has no description (add '### -{parameter.Name}' under '## Parameters').");
            }
            foreach (string documented in doc.Parameters.Keys.Where(k => cmdlet.Parameters.All(p => p.StandardDescription != null || !string.Equals(p.Name, k, System.StringComparison.OrdinalIgnoreCase))))
                problems.Add($"{where}: '### -{documented}' describes a parameter the cmdlet does not have.");
            if (doc.Outputs.Count == 0) problems.Add($"{where}: '## Outputs' is missing (write '### None' when nothing is returned).");
            if (doc.RelatedLinks.Count == 0) problems.Add($"{where}: '## Related links' is missing or empty.");
            return problems;
        }
    }
}
