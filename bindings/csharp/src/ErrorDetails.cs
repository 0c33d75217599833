using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace ErpAuth
{
    /// <summary>
    /// The server details inside the library's one-line messages. The C ABI reports a status
    /// and one message, and the library writes a refusal as "... code N: server words (hint)"
    /// (Kingdee) or "e9 refused ...: server words (hint)" (Weaver), and an HTTP failure as
    /// "host answered HTTP N"; these patterns read them back. They are checked against the
    /// emulator's real refusals in the tests, so a change of wording in the library fails there.
    /// </summary>
    internal struct ErrorDetails
    {
        internal long? ServerCode;
        internal string ServerMessage;
        internal int? HttpStatus;

        private static readonly Regex CodeAndWords = new Regex(
            @"\b(?:errcode|code) (-?\d{1,19}): (.*)$", RegexOptions.CultureInvariant | RegexOptions.Singleline);

        private static readonly Regex WeaverRefusal = new Regex(
            @"^e9 refused [^:]+: (.*)$", RegexOptions.CultureInvariant | RegexOptions.Singleline);

        private static readonly Regex Http = new Regex(
            @"\bHTTP (\d{3})\b", RegexOptions.CultureInvariant);

        internal static ErrorDetails Parse(Status status, string message)
        {
            var details = new ErrorDetails();
            Match http = Http.Match(message);
            if (http.Success && (status == Status.Http || status == Status.Rejected))
            {
                details.HttpStatus = int.Parse(http.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
            if (status != Status.Rejected)
            {
                return details;
            }
            if (message.StartsWith("Kingdee refused the app-token request", StringComparison.Ordinal))
            {
                // The gateway answers the app-token call with HTTP 200 and an errcode; other
                // statuses are reported as HTTP failures.
                details.HttpStatus = 200;
            }
            Match coded = CodeAndWords.Match(message);
            if (coded.Success)
            {
                long code;
                if (long.TryParse(coded.Groups[1].Value, System.Globalization.NumberStyles.AllowLeadingSign,
                        System.Globalization.CultureInfo.InvariantCulture, out code))
                {
                    details.ServerCode = code;
                }
                details.ServerMessage = WithoutHint(coded.Groups[2].Value);
                return details;
            }
            Match weaver = WeaverRefusal.Match(message);
            if (weaver.Success)
            {
                details.ServerMessage = WithoutHint(weaver.Groups[1].Value);
            }
            return details;
        }

        /// <summary>
        /// The server's words without the library's advice after them: the library appends
        /// " (advice)" to the words it knows, and the advice never nests parentheses.
        /// </summary>
        internal static string WithoutHint(string words)
        {
            if (!words.EndsWith(")", StringComparison.Ordinal))
            {
                return words;
            }
            int open = words.LastIndexOf(" (", StringComparison.Ordinal);
            if (open < 0 || words.IndexOf(')', open) != words.Length - 1)
            {
                return words;
            }
            return words.Substring(0, open);
        }
    }

    /// <summary>
    /// Rewrites the library's messages into this binding's vocabulary: an option is named by its
    /// .NET property (<c>KingdeeClientOptions.AppSecret</c>), an argument by its .NET parameter
    /// name (<c>pathAndQuery</c>), a function by its .NET method, never by a JSON key or a C name.
    /// </summary>
    internal static class ErrorText
    {
        // JSON config key -> .NET property of the options classes.
        private static readonly Dictionary<string, string> Properties = new Dictionary<string, string>
        {
            { "client_id", "ClientId" },
            { "client_secret", "ClientSecret" },
            { "app_key", "AppKey" },
            { "app_secret", "AppSecret" },
            { "base_url", "BaseUrl" },
            { "uid", "Uid" },
            { "domain", "Domain" },
            { "timeout_ms", "Timeout" },
            { "refresh_margin_s", "RefreshMargin" },
            { "tls_roots", "TlsRoots" },
            { "ca_file", "CaFile" },
            { "proxy", "Proxy" },
            { "appid", "AppId" },
            { "secret", "Secret" },
            { "aes_key", "AesKey" },
            { "token_ttl_s", "TokenTtl" },
            { "outer_instance_id", "OuterInstanceId" },
            { "allow_insecure_http", "AllowInsecureHttp" },
            { "max_body_bytes", "MaxBodyBytes" },
            { "state_file", "StateFile" },
            { "max_users", "MaxUsers" },
            { "spk", "Spk" },
            { "secrit", "Secrit" },
        };

        // C parameter name -> .NET parameter name, for the functions that take arguments.
        private static readonly Dictionary<string, string> Parameters = new Dictionary<string, string>
        {
            { "path_and_query", "pathAndQuery" },
            { "client_secret", "clientSecret" },
            { "client_id", "clientId" },
            { "app_key", "appKey" },
            { "app_secret", "appSecret" },
            { "aes_key", "aesKey" },
            { "user_type", "userType" },
            { "user_contain", "userContain" },
            { "timestamp_ms", "timestampMs" },
            { "content_type", "contentType" },
            { "appid", "appId" },
            { "userid", "userId" },
        };

        // C function -> the .NET method that calls it.
        private static readonly Dictionary<string, string> Functions = new Dictionary<string, string>
        {
            { "erpauth_kingdee_string_to_sign", "Kingdee.StringToSign" },
            { "erpauth_kingdee_signature", "Kingdee.Signature" },
            { "erpauth_kingdee_app_signature", "Kingdee.AppSignature" },
            { "erpauth_kingdee_client_invalidate", "KingdeeClient.Invalidate" },
            { "erpauth_weaver_client_invalidate", "WeaverClient.Invalidate" },
            { "erpauth_kingdee_client_set_app_secret", "KingdeeClient.UpdateAppSecret" },
            { "set_app_secret", "KingdeeClient.UpdateAppSecret" },
        };

        private static readonly Regex ConfigKey = new Regex(
            @"\b(Kingdee|Weaver REST|Weaver) config key ""(\w+)""", RegexOptions.CultureInvariant);

        private static readonly Regex QuotedKey = new Regex(@"""(\w+)""", RegexOptions.CultureInvariant);

        private static readonly Regex Word = new Regex(@"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\bappid\b|\buserid\b",
            RegexOptions.CultureInvariant);

        internal static string OptionsClass(string what)
        {
            switch (what)
            {
                case "Kingdee":
                    return "KingdeeClientOptions";
                case "Weaver REST":
                    return "WeaverRestClientOptions";
                default:
                    return "WeaverClientOptions";
            }
        }

        /// <summary>
        /// The argument exception for an <c>ERPAUTH_INVALID_ARGUMENT</c> message: the message in
        /// .NET names, and <see cref="ArgumentException.ParamName"/> the parameter it is about
        /// (<c>options</c> for a client's configuration).
        /// </summary>
        internal static ArgumentException InvalidArgument(string message)
        {
            string paramName;
            string text = Translate(message, true, out paramName);
            return new ArgumentException(text, paramName);
        }

        /// <summary>A message that is not about an argument: its advice names options by property.</summary>
        internal static string Translate(string message)
        {
            string ignored;
            return Translate(message, false, out ignored);
        }

        /// <summary>
        /// The options class of the client being created on this thread, if any: while it is set,
        /// a bare key in a message (<c>aes_key must be ...</c>) is an option, not a parameter.
        /// </summary>
        [ThreadStatic]
        internal static string CreatingOptions;

        private static string Translate(string message, bool argument, out string paramName)
        {
            string found = null;
            string creating = CreatingOptions;
            bool config = message.Contains(" config") || creating != null;
            string text = ConfigKey.Replace(message, m =>
            {
                string property;
                if (!Properties.TryGetValue(m.Groups[2].Value, out property))
                {
                    return m.Value;
                }
                return OptionsClass(m.Groups[1].Value) + "." + property;
            });
            if (config)
            {
                found = "options";
                // Other keys a configuration message quotes ("ca_file" cannot be combined with ...).
                text = QuotedKey.Replace(text, m =>
                {
                    string property;
                    return Properties.TryGetValue(m.Groups[1].Value, out property) ? property : m.Value;
                });
                if (creating != null)
                {
                    text = Word.Replace(text, m =>
                    {
                        string property;
                        return Properties.TryGetValue(m.Value, out property) ? creating + "." + property : m.Value;
                    });
                }
            }
            else
            {
                text = Word.Replace(text, m =>
                {
                    string name;
                    if (Functions.TryGetValue(m.Value, out name))
                    {
                        return name;
                    }
                    // Advice in a refusal or failure is about the options (AppSecret rotates ...).
                    if (!argument && Properties.TryGetValue(m.Value, out name))
                    {
                        return name;
                    }
                    if (Parameters.TryGetValue(m.Value, out name))
                    {
                        if (found == null)
                        {
                            found = name;
                        }
                        return name;
                    }
                    // A config key outside a configuration message names the option (advice in a refusal).
                    if (Properties.TryGetValue(m.Value, out name))
                    {
                        return name;
                    }
                    return m.Value;
                });
            }
            paramName = found;
            return text;
        }
    }
}
