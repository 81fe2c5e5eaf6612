using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace SalesforceProvisioning.HelpGen
{
    /// <summary>One cmdlet's help as written in docs/help/&lt;Verb-Noun&gt;.md (layout: docs/help/README.md).</summary>
    public sealed class HelpDocument
    {
        public string Name { get; set; }
        public string SourcePath { get; set; }
        public List<string> Synopsis { get; } = new List<string>();
        public List<string> Description { get; } = new List<string>();
        public List<HelpExample> Examples { get; } = new List<HelpExample>();
        public Dictionary<string, List<string>> Parameters { get; } = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        public List<HelpTypeEntry> Inputs { get; } = new List<HelpTypeEntry>();
        public List<HelpTypeEntry> Outputs { get; } = new List<HelpTypeEntry>();
        public List<HelpLink> RelatedLinks { get; } = new List<HelpLink>();
        /// <summary>Structure problems found while reading (unknown sections, text outside a section, ...).</summary>
        public List<string> Problems { get; } = new List<string>();

        public static HelpDocument Load(string path) => Parse(File.ReadAllText(path), path);

        /// <summary>
        /// Reads the fixed layout: "# Name", then "## Synopsis", "## Description", "## Examples"
        /// ("### Example N: title", a ```powershell block, remarks), "## Parameters" ("### -Name", text),
        /// "## Inputs" / "## Outputs" ("### TypeName", text) and "## Related links" ("- [text](uri)" or "- text").
        /// </summary>
        public static HelpDocument Parse(string markdown, string sourcePath)
        {
            var doc = new HelpDocument { SourcePath = sourcePath };
            string section = null;
            List<string> block = null;        // the paragraph lines being collected
            List<string> target = null;       // where finished paragraphs go
            HelpExample example = null;
            bool inCode = false;
            var code = new List<string>();
            int lineNo = 0;

            void EndParagraph()
            {
                if (block == null || block.Count == 0) return;
                string text = string.Join(" ", block.Select(l => l.Trim()));
                if (target != null) target.Add(text);
                else doc.Problems.Add($"{sourcePath}: text outside any section near line {lineNo}: '{Shorten(text)}'.");
                block.Clear();
            }

            foreach (string raw in markdown.Replace("\r\n", "\n").Split('\n'))
            {
                lineNo++;
                string line = raw.TrimEnd();
                if (inCode)
                {
                    if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                    {
                        inCode = false;
                        if (example != null) example.Code = string.Join("\n", code).Trim('\n');
                        else doc.Problems.Add($"{sourcePath}: a code block outside an example near line {lineNo}.");
                        code.Clear();
                    }
                    else code.Add(line);
                    continue;
                }
                if (line.StartsWith("```", StringComparison.Ordinal))
                {
                    EndParagraph();
                    inCode = true;
                    continue;
                }
                if (line.StartsWith("### ", StringComparison.Ordinal))
                {
                    EndParagraph();
                    string heading = line.Substring(4).Trim();
                    switch (section)
                    {
                        case "examples":
                            example = new HelpExample { Title = heading };
                            doc.Examples.Add(example);
                            target = example.Remarks;
                            break;
                        case "parameters":
                            string name = heading.TrimStart('-').Trim();
                            if (doc.Parameters.ContainsKey(name)) doc.Problems.Add($"{sourcePath}: parameter -{name} is described twice.");
                            doc.Parameters[name] = target = new List<string>();
                            break;
                        case "inputs":
                        case "outputs":
                            var entry = new HelpTypeEntry { TypeName = heading };
                            (section == "inputs" ? doc.Inputs : doc.Outputs).Add(entry);
                            target = entry.Description;
                            break;
                        default:
                            doc.Problems.Add($"{sourcePath}: '### {heading}' is not expected in this section (line {lineNo}).");
                            target = null;
                            break;
                    }
                    continue;
                }
                if (line.StartsWith("## ", StringComparison.Ordinal))
                {
                    EndParagraph();
                    example = null;
                    section = line.Substring(3).Trim().ToLowerInvariant();
                    switch (section)
                    {
                        case "synopsis": target = doc.Synopsis; break;
                        case "description": target = doc.Description; break;
                        case "examples":
                        case "parameters":
                        case "inputs":
                        case "outputs":
                        case "related links": target = null; break;
                        default:
                            doc.Problems.Add($"{sourcePath}: unknown section '## {line.Substring(3).Trim()}' (line {lineNo}).");
                            target = null;
                            break;
                    }
                    continue;
                }
                if (line.StartsWith("# ", StringComparison.Ordinal))
                {
                    EndParagraph();
                    doc.Name = line.Substring(2).Trim();
                    section = null;
                    target = null;
                    continue;
                }
                if (section == "related links")
                {
                    string item = line.Trim();
                    if (item.Length == 0) continue;
                    if (!item.StartsWith("- ", StringComparison.Ordinal)) { doc.Problems.Add($"{sourcePath}: related links are '- ' list items (line {lineNo})."); continue; }
                    doc.RelatedLinks.Add(HelpLink.Parse(item.Substring(2).Trim()));
                    continue;
                }
                if (line.Trim().Length == 0) { EndParagraph(); continue; }
                (block ??= new List<string>()).Add(line);
            }
            EndParagraph();
            if (inCode) doc.Problems.Add($"{sourcePath}: a code block is not closed.");
            return doc;
        }

        private static string Shorten(string text) => text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }

    public sealed class HelpExample
    {
        public string Title { get; set; }
        public string Code { get; set; }
        public List<string> Remarks { get; } = new List<string>();
    }

    public sealed class HelpTypeEntry
    {
        public string TypeName { get; set; }
        public List<string> Description { get; } = new List<string>();
    }

    public sealed class HelpLink
    {
        public string Text { get; set; }
        public string Uri { get; set; }

        /// <summary>"[text](uri)" keeps an http(s) uri; a link to a sibling .md file, or plain text, is a command or topic name.</summary>
        public static HelpLink Parse(string item)
        {
            if (item.StartsWith("[", StringComparison.Ordinal))
            {
                int close = item.IndexOf("](", StringComparison.Ordinal);
                if (close > 0 && item.EndsWith(")", StringComparison.Ordinal))
                {
                    string text = item.Substring(1, close - 1);
                    string uri = item.Substring(close + 2, item.Length - close - 3);
                    bool web = uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
                    return new HelpLink { Text = text, Uri = web ? uri : string.Empty };
                }
            }
            return new HelpLink { Text = item, Uri = string.Empty };
        }
    }
}
