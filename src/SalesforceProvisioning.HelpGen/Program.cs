using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace SalesforceProvisioning.HelpGen
{
    /// <summary>
    /// helpgen &lt;module folder&gt; &lt;docs/help folder&gt; [--reference &lt;dll&gt;]... [--out &lt;file&gt;]
    /// Writes &lt;module folder&gt;/&lt;RootModule&gt;-Help.xml from docs/help/&lt;Verb-Noun&gt;.md for every exported
    /// cmdlet; exits 1, writing nothing, when a cmdlet lacks a help file, a parameter description or examples.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var positional = new List<string>();
            var references = new List<string>();
            string outFile = null;
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] == "--reference" && i + 1 < args.Length) references.Add(args[++i]);
                else if (args[i] == "--out" && i + 1 < args.Length) outFile = args[++i];
                else positional.Add(args[i]);
            }
            if (positional.Count != 2)
            {
                Console.Error.WriteLine("usage: SalesforceProvisioning.HelpGen <module folder> <docs/help folder> [--reference <assembly>]... [--out <file>]");
                return 2;
            }
            try
            {
                return Generate(positional[0], positional[1], references, Console.Out, Console.Error, outFile);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is BadImageFormatException)
            {
                Console.Error.WriteLine("error HELP001: " + ex.Message);
                return 1;
            }
        }

        public static int Generate(string moduleFolder, string docsFolder, IEnumerable<string> references, TextWriter output, TextWriter errors, string outFile = null)
        {
            string manifest = Directory.GetFiles(moduleFolder, "*.psd1").FirstOrDefault()
                ?? throw new IOException($"No module manifest (*.psd1) in {moduleFolder}.");
            string manifestText = File.ReadAllText(manifest);
            // The cmdlet assembly: the RootModule, or else the last binary nested module (a loader may come first).
            string rootModule = Regex.Match(manifestText, @"RootModule\s*=\s*'([^']+)'").Groups[1].Value;
            if (rootModule.Length == 0)
                rootModule = Regex.Matches(Regex.Match(manifestText, @"NestedModules\s*=\s*@\(([^)]*)\)").Groups[1].Value, @"'([^']+\.dll)'").Cast<Match>().Select(m => m.Groups[1].Value).LastOrDefault() ?? "";
            if (rootModule.Length == 0) throw new IOException($"{manifest} names neither a RootModule nor a binary nested module.");
            HashSet<string> exported = ExportedCmdlets(manifestText);

            var cmdlets = CmdletMetadataReader.Read(Path.Combine(moduleFolder, rootModule), references)
                .Where(c => exported == null || exported.Contains(c.Name))
                .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                .ToList();
            foreach (string missing in (exported ?? new HashSet<string>()).Where(n => cmdlets.All(c => !string.Equals(c.Name, n, StringComparison.OrdinalIgnoreCase))))
                output.WriteLine($"warning HELP002: {missing} is in CmdletsToExport but not in {rootModule}; no help written for it.");

            var docs = Directory.GetFiles(docsFolder, "*-*.md").Select(HelpDocument.Load)
                .ToDictionary(d => Path.GetFileNameWithoutExtension(d.SourcePath), StringComparer.OrdinalIgnoreCase);
            var problems = new List<string>();
            var items = new List<(CmdletMetadata, HelpDocument)>();
            foreach (CmdletMetadata cmdlet in cmdlets)
            {
                docs.TryGetValue(cmdlet.Name, out HelpDocument doc);
                problems.AddRange(HelpValidator.Check(cmdlet, doc));
                items.Add((cmdlet, doc));
            }
            foreach (string orphan in docs.Keys.Where(k => cmdlets.All(c => !string.Equals(c.Name, k, StringComparison.OrdinalIgnoreCase))))
                output.WriteLine($"warning HELP003: docs/help/{orphan}.md describes no exported cmdlet.");
            if (problems.Count > 0)
            {
                foreach (string problem in problems) errors.WriteLine("error HELP001: " + problem);
                errors.WriteLine($"error HELP001: help is incomplete ({problems.Count} problem(s)); no help file was written.");
                return 1;
            }
            string target = outFile ?? Path.Combine(moduleFolder, rootModule + "-Help.xml");
            // -Online opens the cmdlet's markdown page in the project's repository (its source of truth).
            string projectUri = Regex.Match(manifestText, @"ProjectUri\s*=\s*'([^']+)'").Groups[1].Value;
            MamlWriter.Write(items, projectUri.Length == 0 ? null : projectUri.TrimEnd('/') + "/blob/main/docs/help/").Save(target);
            output.WriteLine($"Help for {items.Count} cmdlet(s) -> {target}");
            return 0;
        }

        /// <summary>CmdletsToExport from the manifest text; null when it is not a literal list.</summary>
        private static HashSet<string> ExportedCmdlets(string manifestText)
        {
            Match list = Regex.Match(manifestText, @"CmdletsToExport\s*=\s*@\(([^)]*)\)");
            if (!list.Success) return null;
            return new HashSet<string>(Regex.Matches(list.Groups[1].Value, @"'([^']+)'").Select(m => m.Groups[1].Value), StringComparer.OrdinalIgnoreCase);
        }
    }
}
