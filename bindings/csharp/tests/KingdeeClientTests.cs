using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>KingdeeClient against the emulator with the default credentials of docs/EMULATOR.md.</summary>
    [TestFixture]
    public class KingdeeClientTests : EmulatorFixture
    {
        private KingdeeClientOptions Options()
        {
            return emulator.KingdeeOptions();
        }

        private long TokenRequests()
        {
            return emulator.Stat("kingdee_auth_token");
        }

        [Test]
        public void TheAppTokenIsFetchedOnceAndThenServedFromTheCache()
        {
            long before = TokenRequests();
            using (var client = new KingdeeClient(Options()))
            {
                Assert.AreEqual(before, TokenRequests(), "creating a client makes no request");
                string token = client.GetAppToken();
                Assert.IsNotEmpty(token);
                for (int i = 0; i < 20; i++)
                {
                    Assert.AreEqual(token, client.GetAppToken());
                }
                Assert.AreEqual(before + 1, TokenRequests());
            }
        }

        [Test]
        public void HeadersCarryTheTokenTheDomainAndAValidSignature()
        {
            using (var client = new KingdeeClient(Options()))
            {
                const string target = "/jdy/v2/bd/customer?page=1&search=中 文";
                long before = TokenRequests();
                HeaderList headers = client.GetHeaders("GET", target);
                CollectionAssert.AreEqual(
                    new[] { "X-Api-ClientID", "X-Api-Auth-Version", "X-Api-TimeStamp", "X-Api-Nonce", "X-Api-SignHeaders", "X-Api-Signature", "app-token", "X-GW-Router-Addr" },
                    headers.Keys.ToArray());
                Assert.AreEqual("emu-client-id", headers["X-Api-ClientID"]);
                Assert.AreEqual("https://emu.jdy.com", headers["X-GW-Router-Addr"]);
                Assert.AreEqual(client.GetAppToken(), headers["app-token"]);
                Assert.AreEqual(
                    ManagedReference.Signature("emu-client-secret", "GET", target, headers["X-Api-Nonce"], headers["X-Api-TimeStamp"]),
                    headers["X-Api-Signature"]);
                Assert.AreEqual(before + 1, TokenRequests(), "Headers fetched the token once and AppToken reused it");
            }
        }

        [Test]
        public void TheEmulatorAcceptsABusinessCallWithTheseHeaders()
        {
            using (var client = new KingdeeClient(Options()))
            {
                const string target = "/jdy/v2/bd/customer?page=1";
                long before = emulator.Stat("kingdee_business");
                var request = (HttpWebRequest)WebRequest.Create(emulator.BaseUrl + target);
                request.Proxy = null;
                foreach (KeyValuePair<string, string> header in client.GetHeaders("GET", target))
                {
                    request.Headers.Add(header.Key, header.Value);
                }
                using (var response = (HttpWebResponse)request.GetResponse())
                using (var reader = new StreamReader(response.GetResponseStream(), Encoding.UTF8))
                {
                    Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
                    Dictionary<string, object> answer = Json.ParseObject(reader.ReadToEnd());
                    Assert.AreEqual("0", answer["errcode"].ToString());
                }
                Assert.AreEqual(before + 1, emulator.Stat("kingdee_business"));
            }
        }

        [Test]
        public void ManyThreadsWithoutATokenShareOneRequest()
        {
            // The delay keeps the first request in flight while the other threads arrive.
            emulator.Configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"delay\",\"delay_ms\":500,\"count\":1}}");
            using (var client = new KingdeeClient(Options()))
            {
                long before = TokenRequests();
                const int threads = 16;
                var tokens = new string[threads];
                SignatureTests.RunConcurrently(threads, t => tokens[t] = client.GetAppToken());
                Assert.AreEqual(1, tokens.Distinct().Count());
                Assert.IsNotEmpty(tokens[0]);
                Assert.AreEqual(before + 1, TokenRequests());
            }
        }

        [Test]
        public void InvalidateFetchesANewToken()
        {
            using (var client = new KingdeeClient(Options()))
            {
                long before = TokenRequests();
                string first = client.GetAppToken();
                client.Invalidate();
                string second = client.GetAppToken();
                Assert.AreEqual(before + 2, TokenRequests());
                Assert.AreNotEqual(first, second);
                Assert.AreEqual(second, client.GetAppToken());
            }
        }

        [Test]
        public void AWrongAppSecretIsRefusedInTheServersWords()
        {
            KingdeeClientOptions options = Options();
            options.AppSecret = "zzz-wrong-app-secret";
            using (var client = new KingdeeClient(options))
            {
                var e = Assert.Throws<ErpAuthException>(() => client.GetAppToken());
                Assert.AreEqual(Status.Rejected, e.Status);
                StringAssert.Contains("1030002006", e.Message);
                StringAssert.Contains("授权密钥校验失败", e.Message);
                StringAssert.DoesNotContain("zzz-wrong-app-secret", e.Message);
            }
        }

        [Test]
        public void AnUnknownAppKeyIsRefusedInTheServersWords()
        {
            KingdeeClientOptions options = Options();
            options.AppKey = "noSuchKey";
            using (var client = new KingdeeClient(options))
            {
                var e = Assert.Throws<ErpAuthException>(() => client.GetHeaders("GET", "/jdy/v2/bd/customer"));
                Assert.AreEqual(Status.Rejected, e.Status);
                StringAssert.Contains("1030002001", e.Message);
                StringAssert.Contains("app_key不存在或未授权", e.Message);
            }
        }

        [Test]
        public void AWrongClientSecretIsRefusedByTheGatewayAndRefusalsAreNotCached()
        {
            KingdeeClientOptions options = Options();
            options.ClientSecret = "zzz-wrong-client-secret";
            using (var client = new KingdeeClient(options))
            {
                long before = TokenRequests();
                for (int i = 0; i < 2; i++)
                {
                    var e = Assert.Throws<ErpAuthException>(() => client.GetAppToken());
                    Assert.AreEqual(Status.Rejected, e.Status);
                    StringAssert.Contains("519", e.Message);
                    StringAssert.Contains("4008", e.Message);
                    StringAssert.DoesNotContain("zzz-wrong-client-secret", e.Message);
                }
                Assert.AreEqual(before + 2, TokenRequests(), "each call after a refusal asks again");
            }
        }

        [Test]
        public void TransportFailuresHaveTheirOwnStatus()
        {
            using (var client = new KingdeeClient(Options()))
            {
                emulator.Configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"http_500\",\"count\":1}}");
                Assert.AreEqual(Status.Http, Assert.Throws<ErpAuthException>(() => client.GetAppToken()).Status);

                emulator.Configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"garbage\",\"count\":1}}");
                Assert.AreEqual(Status.BadResponse, Assert.Throws<ErpAuthException>(() => client.GetAppToken()).Status);

                emulator.Configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"reset\",\"count\":1}}");
                Assert.AreEqual(Status.Network, Assert.Throws<ErpAuthException>(() => client.GetAppToken()).Status);

                // Faults used up: the same client now succeeds.
                Assert.IsNotEmpty(client.GetAppToken());
            }
        }

        [Test]
        public void AnUnansweredRequestTimesOut()
        {
            emulator.Configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"hang\",\"count\":1}}");
            KingdeeClientOptions options = Options();
            options.Timeout = TimeSpan.FromMilliseconds(500);
            using (var client = new KingdeeClient(options))
            {
                Stopwatch watch = Stopwatch.StartNew();
                var e = Assert.Throws<ErpAuthException>(() => client.GetAppToken());
                Assert.AreEqual(Status.Network, e.Status);
                Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
            }
        }

        [Test]
        public void NothingListeningIsANetworkError()
        {
            KingdeeClientOptions options = Options();
            options.BaseUrl = "http://127.0.0.1:1";
            using (var client = new KingdeeClient(options))
            {
                var e = Assert.Throws<ErpAuthException>(() => client.GetAppToken());
                Assert.AreEqual(Status.Network, e.Status);
                StringAssert.Contains("127.0.0.1", e.Message);
            }
        }

        [Test]
        public void BadOptionsAreRefusedNamingTheKeyButNotTheSecret()
        {
            KingdeeClientOptions options = Options();
            options.ClientId = null;
            var e = Assert.Throws<ArgumentException>(() => new KingdeeClient(options));
            Assert.AreEqual("options", e.ParamName);
            StringAssert.StartsWith("KingdeeClientOptions.ClientId is required", e.Message);

            options = Options();
            options.AppSecret = "zzz-secret-value";
            options.Timeout = TimeSpan.Zero;
            e = Assert.Throws<ArgumentException>(() => new KingdeeClient(options));
            StringAssert.StartsWith("KingdeeClientOptions.Timeout must be", e.Message);
            StringAssert.DoesNotContain("zzz-secret-value", e.Message);

            options = Options();
            options.BaseUrl = "ftp://host";
            StringAssert.StartsWith("KingdeeClientOptions.BaseUrl must be", Assert.Throws<ArgumentException>(() => new KingdeeClient(options)).Message);

            options = Options();
            options.Timeout = TimeSpan.FromSeconds(-1);
            Assert.AreEqual("Timeout", Assert.Throws<ArgumentOutOfRangeException>(() => new KingdeeClient(options)).ParamName);
            options = Options();
            options.RefreshMargin = TimeSpan.FromMilliseconds(500);
            Assert.AreEqual("RefreshMargin", Assert.Throws<ArgumentException>(() => new KingdeeClient(options)).ParamName);

            Assert.Throws<ArgumentNullException>(() => new KingdeeClient(null));
        }

        [Test]
        public void CredentialsNeedingJsonEscapesReachTheServerIntact()
        {
            // The emulator is given the same odd credentials; the token comes only if every
            // quote, backslash and non-ASCII character survived the trip through our JSON.
            // client_id travels as a header, so it stays ASCII; the rest goes through HMAC keys and the query.
            const string clientId = "id \"quoted\" \\ {x}";
            const string clientSecret = "cs \\\" \u0001\t\n 秘密";
            const string appKey = "ak\\\"中";
            const string appSecret = "as \"\\ \U0001F600";
            string config = "{\"kingdee\":" + new JsonObjectWriter()
                .String("client_id", clientId)
                .String("client_secret", clientSecret)
                .String("app_key", appKey)
                .String("app_secret", appSecret) + "}";
            using (Emulator odd = Emulator.Start(config))
            using (var client = new KingdeeClient(new KingdeeClientOptions
            {
                ClientId = clientId,
                ClientSecret = clientSecret,
                AppKey = appKey,
                AppSecret = appSecret,
                BaseUrl = odd.BaseUrl,
            }))
            {
                Assert.IsNotEmpty(client.GetAppToken());
                Assert.AreEqual(clientId, client.GetHeaders("POST", "/jdy/v2/bd/customer")["X-Api-ClientID"]);
                Assert.AreEqual(1, odd.Stat("kingdee_auth_token"));
            }
        }

        [Test]
        public void DisposeTwiceIsHarmlessAndUseAfterDisposeThrows()
        {
            var client = new KingdeeClient(Options());
            Assert.IsNotEmpty(client.GetAppToken());
            client.Dispose();
            client.Dispose();
            var e = Assert.Throws<ObjectDisposedException>(() => client.GetAppToken());
            Assert.AreEqual("KingdeeClient", e.ObjectName);
            Assert.Throws<ObjectDisposedException>(() => client.GetHeaders("GET", "/p"));
            Assert.Throws<ObjectDisposedException>(() => client.Invalidate());
        }

        [Test]
        public void DisposeWhileOtherThreadsAreCallingIsSafe()
        {
            for (int round = 0; round < 20; round++)
            {
                var client = new KingdeeClient(Options());
                client.GetAppToken();
                DisposeRace.Run(t =>
                {
                    if (t % 2 == 0)
                    {
                        client.GetAppToken();
                    }
                    else
                    {
                        client.GetHeaders("GET", "/jdy/v2/bd/customer");
                    }
                }, client.Dispose);
            }
        }
    }
}
