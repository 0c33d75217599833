using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>The hand-written JSON of the client options, read back with an independent parser.</summary>
    [TestFixture]
    public class OptionsJsonTests
    {
        [Test]
        public void EscapesQuotesBackslashesAndControlCharactersAndKeepsNonAscii()
        {
            string json = new JsonObjectWriter().String("k", "a\"b\\c\u0001\n\t\u001f中\U0001F600/\u007f").ToString();
            Assert.AreEqual("{\"k\":\"a\\\"b\\\\c\\u0001\\u000A\\u0009\\u001F中\U0001F600/\u007f\"}", json);
            Assert.AreEqual("a\"b\\c\u0001\n\t\u001f中\U0001F600/\u007f", MiniJson.ParseObject(json)["k"]);
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
                    // Control characters, the characters JSON escapes, printable ASCII, and
                    // any other BMP character that is not a surrogate.
                    char c;
                    switch (random.Next(4))
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
                        default:
                            do
                            {
                                c = (char)random.Next(0x80, 0x10000);
                            }
                            while (char.IsSurrogate(c));
                            break;
                    }
                    text.Append(c);
                }
                string value = text.ToString();
                Dictionary<string, object> parsed = MiniJson.ParseObject(new JsonObjectWriter().String("v", value).String("w", "x").ToString());
                Assert.AreEqual(value, parsed["v"]);
                Assert.AreEqual("x", parsed["w"]);
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
            Dictionary<string, object> parsed = MiniJson.ParseObject(options.ToJson());
            CollectionAssert.AreEquivalent(
                new[] { "client_id", "client_secret", "app_key", "app_secret", "base_url", "uid", "domain", "timeout_ms", "tls_roots", "proxy", "refresh_margin_s" },
                parsed.Keys);
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
            Dictionary<string, object> parsed = MiniJson.ParseObject(options.ToJson());
            CollectionAssert.AreEquivalent(
                new[] { "base_url", "appid", "secret", "aes_key", "token_ttl_s", "tls_roots", "ca_file" },
                parsed.Keys);
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
