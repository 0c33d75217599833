using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Web.Script.Serialization;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>
    /// The hand-written JSON of the client options, judged by parsers that were not written here:
    /// the library's config parser (serde_json, strict RFC 8259: a raw control character, a bad
    /// escape, a trailing comma or a key given twice fails the client's constructor), and the
    /// stock reader of .NET Framework and Mono, which is lenient (see <see cref="Json"/>) and so
    /// only reads what the other has judged, or checks text it must reproduce to the letter.
    /// </summary>
    [TestFixture]
    public class OptionsJsonTests
    {
        /// <summary>
        /// <paramref name="value"/> as the library read it from a config that the binding wrote:
        /// it is the <c>app_key</c> of a Kingdee client, which the client's authorization JSON
        /// (written by the library) gives back. No request is made. The domain after it is
        /// given back too, so a value that ran into the next member would show.
        /// </summary>
        private static string ThroughTheLibrary(string value)
        {
            var options = new KingdeeClientOptions
            {
                ClientId = "id",
                ClientSecret = "cs",
                AppKey = value,
                AppSecret = "as",
                BaseUrl = "http://127.0.0.1:1",
                Domain = "https://tf.jdy.com",
            };
            using (var client = new KingdeeClient(options))
            {
                Dictionary<string, object> authorization = Json.ParseObject(client.GetAuthorization());
                Assert.AreEqual("https://tf.jdy.com", authorization["domain"]);
                return (string)authorization["app_key"];
            }
        }

        /// <summary>
        /// The options' JSON, parsed, after checking that it holds exactly <paramref name="keys"/>
        /// and that the stock writer writes the parsed object back to the same text: valid JSON,
        /// each key once, in the writer's compact form.
        /// </summary>
        private static Dictionary<string, object> ParsedWithKeys(ClientOptions options, params string[] keys)
        {
            string json = options.ToJson();
            var stock = new JavaScriptSerializer();
            var parsed = (Dictionary<string, object>)stock.DeserializeObject(json);
            Assert.AreEqual(json, stock.Serialize(parsed));
            CollectionAssert.AreEquivalent(keys, parsed.Keys);
            return parsed;
        }

        [Test]
        public void EscapesQuotesBackslashesAndControlCharactersAndKeepsNonAscii()
        {
            const string value = "a\"b\\c\u0001\n\t\u001f中\U0001F600/\u007f";
            string json = new JsonObjectWriter().String("k", value).ToString();
            Assert.AreEqual("{\"k\":\"a\\\"b\\\\c\\u0001\\u000A\\u0009\\u001F中\U0001F600/\u007f\"}", json);
            Assert.AreEqual(value, Json.ParseObject(json)["k"]);
            Assert.AreEqual(value, ThroughTheLibrary(value));
        }

        [Test]
        public void RandomStringsRoundTrip()
        {
            var random = new Random(7);
            for (int i = 0; i < 500; i++)
            {
                var text = new StringBuilder();
                int length = random.Next(30);
                for (int j = 0; j < length; j++)
                {
                    // Control characters, the characters JSON escapes, printable ASCII, any
                    // other BMP character that is not a surrogate, and the other planes.
                    char c;
                    switch (random.Next(5))
                    {
                        case 0:
                            c = (char)random.Next(0x20);
                            break;
                        case 1:
                            c = "\"\\/"[random.Next(3)];
                            break;
                        case 2:
                            c = (char)random.Next(0x20, 0x80);
                            break;
                        case 3:
                            do
                            {
                                c = (char)random.Next(0x80, 0x10000);
                            }
                            while (char.IsSurrogate(c));
                            break;
                        default:
                            // A character outside the BMP: a surrogate pair, four UTF-8 bytes.
                            text.Append(char.ConvertFromUtf32(random.Next(0x10000, 0x110000)));
                            continue;
                    }
                    text.Append(c);
                }
                string value = text.ToString();
                Dictionary<string, object> parsed = Json.ParseObject(new JsonObjectWriter().String("v", value).String("w", "x").ToString());
                Assert.AreEqual(value, parsed["v"]);
                Assert.AreEqual("x", parsed["w"]);
                // The library wants a non-empty app_key.
                Assert.AreEqual("k" + value, ThroughTheLibrary("k" + value));
            }
        }

        [Test]
        public void NullsAreLeftOutAndAnEmptyObjectIsValid()
        {
            Assert.AreEqual("{}", new JsonObjectWriter().String("a", null).Integer("b", null).ToString());
            Assert.AreEqual("{}", new WeaverClientOptions().ToJson());
        }

        [Test]
        public void NumbersUseTheInvariantCultureWhateverTheThreadsCulture()
        {
            CultureInfo saved = Thread.CurrentThread.CurrentCulture;
            try
            {
                var odd = (CultureInfo)CultureInfo.InvariantCulture.Clone();
                odd.NumberFormat.NegativeSign = "~";
                odd.NumberFormat.NumberGroupSeparator = "'";
                Thread.CurrentThread.CurrentCulture = odd;
                Assert.AreEqual("{\"n\":-1234567}", new JsonObjectWriter().Integer("n", -1234567).ToString());
                var options = new KingdeeClientOptions { Timeout = TimeSpan.FromMilliseconds(1500), RefreshMargin = TimeSpan.FromSeconds(1234567) };
                StringAssert.Contains("\"timeout_ms\":1500", options.ToJson());
                StringAssert.Contains("\"refresh_margin_s\":1234567", options.ToJson());
            }
            finally
            {
                Thread.CurrentThread.CurrentCulture = saved;
            }
        }

        [Test]
        public void KingdeeOptionsUseTheLibrarysKeys()
        {
            var options = new KingdeeClientOptions
            {
                ClientId = "id",
                ClientSecret = "cs",
                AppKey = "ak",
                AppSecret = "as",
                BaseUrl = "http://127.0.0.1:1",
                Uid = "700123",
                Domain = "https://tf.jdy.com",
                Timeout = TimeSpan.FromSeconds(3),
                TlsRoots = ErpAuth.TlsRoots.System,
                Proxy = "http://proxy:3128",
                RefreshMargin = TimeSpan.FromMinutes(1),
            };
            Dictionary<string, object> parsed = ParsedWithKeys(
                options,
                "client_id", "client_secret", "app_key", "app_secret", "base_url", "uid", "domain", "timeout_ms", "tls_roots", "proxy", "refresh_margin_s");
            Assert.AreEqual("system", parsed["tls_roots"]);
            Assert.AreEqual("3000", parsed["timeout_ms"].ToString());
            Assert.AreEqual("60", parsed["refresh_margin_s"].ToString());
            Assert.AreEqual("700123", parsed["uid"]);
        }

        [Test]
        public void WeaverOptionsUseTheLibrarysKeys()
        {
            var options = new WeaverClientOptions
            {
                BaseUrl = "http://oa",
                AppId = "a",
                Secret = "s",
                AesKey = "k",
                TokenTtl = TimeSpan.FromMinutes(30),
                TlsRoots = ErpAuth.TlsRoots.WebPki,
                CaFile = "/etc/ca.pem",
            };
            Dictionary<string, object> parsed = ParsedWithKeys(
                options, "base_url", "appid", "secret", "aes_key", "token_ttl_s", "tls_roots", "ca_file");
            Assert.AreEqual("1800", parsed["token_ttl_s"].ToString());
            Assert.AreEqual("webpki", parsed["tls_roots"]);
        }

        [Test]
        public void FractionsOfTheUnitAreRefusedNotRounded()
        {
            var e = Assert.Throws<ArgumentException>(() => new WeaverClientOptions { TokenTtl = TimeSpan.FromMilliseconds(1500) }.ToJson());
            Assert.AreEqual("TokenTtl", e.ParamName);
            e = Assert.Throws<ArgumentException>(() => new KingdeeClientOptions { Timeout = TimeSpan.FromTicks(15) }.ToJson());
            Assert.AreEqual("Timeout", e.ParamName);
        }
    }
}
