using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ErpAuth.Tests
{
    /// <summary>
    /// A strict JSON reader for the tests (vector files, emulator stats, and reading back what
    /// the binding's JSON writer wrote), so the tests need no JSON library either. Objects
    /// become <c>Dictionary&lt;string, object&gt;</c>, arrays <c>List&lt;object&gt;</c>, numbers
    /// <see cref="JsonNumber"/>, plus string, bool and null.
    /// <para>
    /// Why not a stock reader: the readers Mono ships are lenient where these tests must not be.
    /// Mono 6.8's <c>System.Json.JsonValue.Parse</c> accepts a raw U+0001 inside a string and a
    /// trailing comma; <c>JavaScriptSerializer</c> (System.Web.Extensions) accepts single-quoted
    /// names. <see cref="OptionsJsonTests"/> reads back what <c>JsonObjectWriter</c> wrote to
    /// prove it is valid JSON, which a lenient reader could not fail on.
    /// </para>
    /// </summary>
    internal static class MiniJson
    {
        internal static object Parse(string text)
        {
            int position = 0;
            object value = ReadValue(text, ref position);
            SkipWhitespace(text, ref position);
            if (position != text.Length)
            {
                throw Error(text, position, "trailing characters");
            }
            return value;
        }

        internal static Dictionary<string, object> ParseObject(string text)
        {
            var result = Parse(text) as Dictionary<string, object>;
            if (result == null)
            {
                throw new FormatException("JSON text is not an object");
            }
            return result;
        }

        private static object ReadValue(string text, ref int position)
        {
            SkipWhitespace(text, ref position);
            if (position >= text.Length)
            {
                throw Error(text, position, "unexpected end");
            }
            char c = text[position];
            switch (c)
            {
                case '{':
                    return ReadObject(text, ref position);
                case '[':
                    return ReadArray(text, ref position);
                case '"':
                    return ReadString(text, ref position);
                case 't':
                    Expect(text, ref position, "true");
                    return true;
                case 'f':
                    Expect(text, ref position, "false");
                    return false;
                case 'n':
                    Expect(text, ref position, "null");
                    return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9'))
                    {
                        return ReadNumber(text, ref position);
                    }
                    throw Error(text, position, "unexpected character '" + c + "'");
            }
        }

        private static Dictionary<string, object> ReadObject(string text, ref int position)
        {
            var result = new Dictionary<string, object>(StringComparer.Ordinal);
            position++;
            SkipWhitespace(text, ref position);
            if (Peek(text, position) == '}')
            {
                position++;
                return result;
            }
            while (true)
            {
                SkipWhitespace(text, ref position);
                if (Peek(text, position) != '"')
                {
                    throw Error(text, position, "expected a member name");
                }
                string name = ReadString(text, ref position);
                SkipWhitespace(text, ref position);
                Expect(text, ref position, ":");
                if (result.ContainsKey(name))
                {
                    throw Error(text, position, "duplicate member \"" + name + "\"");
                }
                result[name] = ReadValue(text, ref position);
                SkipWhitespace(text, ref position);
                char next = Peek(text, position);
                position++;
                if (next == '}')
                {
                    return result;
                }
                if (next != ',')
                {
                    throw Error(text, position - 1, "expected ',' or '}'");
                }
            }
        }

        private static List<object> ReadArray(string text, ref int position)
        {
            var result = new List<object>();
            position++;
            SkipWhitespace(text, ref position);
            if (Peek(text, position) == ']')
            {
                position++;
                return result;
            }
            while (true)
            {
                result.Add(ReadValue(text, ref position));
                SkipWhitespace(text, ref position);
                char next = Peek(text, position);
                position++;
                if (next == ']')
                {
                    return result;
                }
                if (next != ',')
                {
                    throw Error(text, position - 1, "expected ',' or ']'");
                }
            }
        }

        private static string ReadString(string text, ref int position)
        {
            var result = new StringBuilder();
            position++;
            while (true)
            {
                if (position >= text.Length)
                {
                    throw Error(text, position, "unterminated string");
                }
                char c = text[position++];
                if (c == '"')
                {
                    return result.ToString();
                }
                if (c < 0x20)
                {
                    throw Error(text, position - 1, "raw control character in a string");
                }
                if (c != '\\')
                {
                    result.Append(c);
                    continue;
                }
                char escape = Peek(text, position);
                position++;
                switch (escape)
                {
                    case '"': result.Append('"'); break;
                    case '\\': result.Append('\\'); break;
                    case '/': result.Append('/'); break;
                    case 'b': result.Append('\b'); break;
                    case 'f': result.Append('\f'); break;
                    case 'n': result.Append('\n'); break;
                    case 'r': result.Append('\r'); break;
                    case 't': result.Append('\t'); break;
                    case 'u':
                        if (position + 4 > text.Length)
                        {
                            throw Error(text, position, "short \\u escape");
                        }
                        result.Append((char)int.Parse(
                            text.Substring(position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                        position += 4;
                        break;
                    default:
                        throw Error(text, position - 1, "bad escape");
                }
            }
        }

        private static JsonNumber ReadNumber(string text, ref int position)
        {
            int start = position;
            while (position < text.Length && "+-0123456789.eE".IndexOf(text[position]) >= 0)
            {
                position++;
            }
            return new JsonNumber(text.Substring(start, position - start));
        }

        private static void Expect(string text, ref int position, string literal)
        {
            if (string.CompareOrdinal(text, position, literal, 0, literal.Length) != 0)
            {
                throw Error(text, position, "expected " + literal);
            }
            position += literal.Length;
        }

        private static char Peek(string text, int position)
        {
            return position < text.Length ? text[position] : '\0';
        }

        private static void SkipWhitespace(string text, ref int position)
        {
            while (position < text.Length && " \t\r\n".IndexOf(text[position]) >= 0)
            {
                position++;
            }
        }

        private static FormatException Error(string text, int position, string what)
        {
            return new FormatException("JSON " + what + " at character " + position);
        }
    }

    /// <summary>A JSON number as written, converted on demand.</summary>
    internal sealed class JsonNumber
    {
        internal JsonNumber(string text)
        {
            Text = text;
        }

        internal string Text { get; private set; }

        internal long ToInt64()
        {
            return long.Parse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        public override string ToString()
        {
            return Text;
        }
    }
}
