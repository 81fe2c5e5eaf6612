using System.Globalization;
using System.Text.RegularExpressions;

namespace SalesforceProvisioning.Emulator.Data;

/// <summary>
/// The part of Salesforce's formula language validation rules in seeds may use: field names, "text" and number
/// literals, TRUE/FALSE/NULL, the comparisons = == != &lt;&gt; &lt; &gt; &lt;= &gt;=, and the functions AND, OR, NOT,
/// ISBLANK, ISPICKVAL, REGEX, ISNEW, ISCHANGED, LEN, BEGINS, CONTAINS. Anything else is a seed error.
/// </summary>
internal abstract class ValidationFormula
{
    public abstract object Evaluate(WriteContext write);

    public bool IsTrue(WriteContext write) => Evaluate(write) is true;

    public static ValidationFormula Parse(string text, string ruleName)
    {
        var parser = new Parser(text, ruleName);
        var formula = parser.ParseComparison();
        parser.ExpectEnd();
        return formula;
    }

    private sealed class Literal(object value) : ValidationFormula
    {
        public override object Evaluate(WriteContext write) => value;
    }

    private sealed class FieldRef(string name) : ValidationFormula
    {
        public string Name => name;
        public override object Evaluate(WriteContext write) => write.Get(name);
    }

    private sealed class Compare(string op, ValidationFormula left, ValidationFormula right) : ValidationFormula
    {
        public override object Evaluate(WriteContext write)
        {
            object a = left.Evaluate(write), b = right.Evaluate(write);
            if (a == null || b == null) return op is "=" or "==" ? a == null && b == null : op is "!=" or "<>" ? (a == null) != (b == null) : false;
            int order = FieldValues.Compare(a, b);
            return op switch { "=" or "==" => order == 0, "!=" or "<>" => order != 0, "<" => order < 0, ">" => order > 0, "<=" => order <= 0, _ => order >= 0 };
        }
    }

    private sealed class Call(string name, IReadOnlyList<ValidationFormula> args) : ValidationFormula
    {
        public override object Evaluate(WriteContext write)
        {
            string Text(int i) => FieldValues.ToDisplayString(args[i].Evaluate(write));
            return name switch
            {
                "AND" => args.All(a => a.IsTrue(write)),
                "OR" => args.Any(a => a.IsTrue(write)),
                "NOT" => !args[0].IsTrue(write),
                "ISBLANK" => args[0].Evaluate(write) is null or "",
                "ISPICKVAL" => string.Equals(Text(0), Text(1), StringComparison.Ordinal),
                "REGEX" => Regex.IsMatch(Text(0), "^(?:" + Text(1) + ")$", RegexOptions.CultureInvariant),
                "ISNEW" => write.IsCreate,
                "ISCHANGED" => !write.IsCreate && args[0] is FieldRef field && !Equals(write.Existing.Get(field.Name), write.Get(field.Name)),
                "LEN" => (long)Text(0).Length,
                "BEGINS" => Text(0).StartsWith(Text(1), StringComparison.Ordinal),
                "CONTAINS" => Text(0).Contains(Text(1), StringComparison.Ordinal),
                _ => throw new InvalidOperationException(name),
            };
        }
    }

    private sealed class Parser(string text, string ruleName)
    {
        private static readonly Dictionary<string, int> Arity = new(StringComparer.OrdinalIgnoreCase)
        {
            ["AND"] = -1, ["OR"] = -1, ["NOT"] = 1, ["ISBLANK"] = 1, ["ISPICKVAL"] = 2, ["REGEX"] = 2, ["ISNEW"] = 0,
            ["ISCHANGED"] = 1, ["LEN"] = 1, ["BEGINS"] = 2, ["CONTAINS"] = 2,
        };
        private int position;

        private InvalidDataException Error(string what) =>
            new($"Seed validation rule {ruleName}: {what} at position {position + 1} of its errorConditionFormula '{text}'.");

        private void SkipSpace()
        {
            while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
        }

        private bool Accept(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, position, token, 0, token.Length) != 0) return false;
            position += token.Length;
            return true;
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (position < text.Length) throw Error("unexpected text");
        }

        public ValidationFormula ParseComparison()
        {
            var left = ParseTerm();
            foreach (var op in new[] { "==", "!=", "<>", "<=", ">=", "=", "<", ">" })
                if (Accept(op)) return new Compare(op, left, ParseTerm());
            return left;
        }

        private ValidationFormula ParseTerm()
        {
            SkipSpace();
            if (position >= text.Length) throw Error("the formula ends too early");
            char c = text[position];
            if (c is '"' or '\'')
            {
                int end = text.IndexOf(c, position + 1);
                if (end < 0) throw Error("an unterminated text literal");
                string value = text[(position + 1)..end];
                position = end + 1;
                return new Literal(value);
            }
            if (char.IsAsciiDigit(c))
            {
                int start = position;
                while (position < text.Length && (char.IsAsciiDigit(text[position]) || text[position] == '.')) position++;
                return new Literal(double.Parse(text[start..position], CultureInfo.InvariantCulture));
            }
            if (!char.IsAsciiLetter(c)) throw Error($"unexpected '{c}'");
            int nameStart = position;
            while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] == '_')) position++;
            string name = text[nameStart..position];
            if (Accept("("))
            {
                if (!Arity.TryGetValue(name, out int arity)) throw Error($"the function {name} is not supported by the emulator");
                var args = new List<ValidationFormula>();
                if (!Accept(")"))
                {
                    do args.Add(ParseComparison());
                    while (Accept(","));
                    if (!Accept(")")) throw Error("a missing ')'");
                }
                if (arity >= 0 && args.Count != arity) throw Error($"{name} takes {arity} argument(s)");
                return new Call(name.ToUpperInvariant(), args);
            }
            return name.ToUpperInvariant() switch
            {
                "TRUE" => new Literal(true),
                "FALSE" => new Literal(false),
                "NULL" => new Literal(null),
                _ => new FieldRef(name),
            };
        }
    }
}
