using System;
using System.Linq;
using System.Threading;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>WeaverClient against the emulator with the default credentials of docs/EMULATOR.md.</summary>
    [TestFixture]
    public class WeaverClientTests
    {
        private Emulator emulator;

        [TestFixtureSetUp]
        public void StartEmulator()
        {
            emulator = Emulator.Start();
        }

        [TestFixtureTearDown]
        public void StopEmulator()
        {
            if (emulator != null)
            {
                emulator.Dispose();
            }
        }

        [TearDown]
        public void ClearFaults()
        {
            emulator.Configure("{\"fault\":{\"kind\":\"none\"}}");
        }

        private WeaverClientOptions Options(string appId = "emu-appid")
        {
            return new WeaverClientOptions
            {
                BaseUrl = emulator.BaseUrl,
                AppId = appId,
                Secret = "emu-secret",
                AesKey = "emu-aes-key-0016",
                Timeout = TimeSpan.FromSeconds(10),
            };
        }

        private long TokenRequests()
        {
            return emulator.Stat("weaver_get_token");
        }

        [Test]
        public void ThePlainTokenIsFetchedOnceAndThenServedFromTheCache()
        {
            using (var client = new WeaverClient(Options()))
            {
                long before = TokenRequests();
                string token = client.Token();
                Assert.IsNotEmpty(token);
                for (int i = 0; i < 20; i++)
                {
                    Assert.AreEqual(token, client.Token(null, null));
                }
                Assert.AreEqual(before + 1, TokenRequests());
            }
        }

        [Test]
        public void UserTokensAreCachedPerUserWithTheirUserId()
        {
            using (var client = new WeaverClient(Options()))
            {
                long before = TokenRequests();
                string plain = client.Token();
                string zhangs = client.Token("loginid", "zhangs");
                string zhangsUserId = client.UserId("loginid", "zhangs");
                string admin = client.Token("workcode", "A001");
                string adminUserId = client.UserId("workcode", "A001");
                Assert.AreEqual(3, new[] { plain, zhangs, admin }.Distinct().Count());
                Assert.IsNotEmpty(zhangsUserId);
                Assert.IsNotEmpty(adminUserId);
                Assert.AreNotEqual(zhangsUserId, adminUserId);
                Assert.AreEqual(zhangs, client.Token("loginid", "zhangs"));
                Assert.AreEqual(before + 3, TokenRequests(), "one request per (userType, userContain), UserId shares it");
            }
        }

        [Test]
        public void ManyThreadsWithoutATokenShareOneRequestPerUser()
        {
            emulator.Configure("{\"fault\":{\"endpoint\":\"weaver_get_token\",\"kind\":\"delay\",\"delay_ms\":500,\"count\":2}}");
            using (var client = new WeaverClient(Options()))
            {
                long before = TokenRequests();
                const int threads = 16;
                var tokens = new string[threads];
                SignatureTests.RunConcurrently(threads, t => tokens[t] = t % 2 == 0 ? client.Token() : client.Token("id", "9"));
                Assert.AreEqual(1, tokens.Where((_, t) => t % 2 == 0).Distinct().Count());
                Assert.AreEqual(1, tokens.Where((_, t) => t % 2 == 1).Distinct().Count());
                Assert.AreNotEqual(tokens[0], tokens[1]);
                Assert.AreEqual(before + 2, TokenRequests());
            }
        }

        [Test]
        public void InvalidateDropsEveryCachedToken()
        {
            using (var client = new WeaverClient(Options()))
            {
                long before = TokenRequests();
                string plain = client.Token();
                string user = client.Token("id", "1");
                client.Invalidate();
                Assert.AreNotEqual(plain, client.Token());
                Assert.AreNotEqual(user, client.Token("id", "1"));
                Assert.AreEqual(before + 4, TokenRequests());
            }
        }

        [Test]
        public void ADisabledAppIsRefusedInTheServersWords()
        {
            using (var client = new WeaverClient(Options("disabled-appid")))
            {
                var e = Assert.Throws<ErpAuthException>(() => client.Token());
                Assert.AreEqual(Status.Rejected, e.Status);
                StringAssert.Contains("应用标识appid==>>disabled-appid已被禁用,请联系管理员!!!", e.Message);
            }
        }

        [Test]
        public void AnUnknownUserIsRefusedInTheServersWords()
        {
            using (var client = new WeaverClient(Options()))
            {
                var e = Assert.Throws<ErpAuthException>(() => client.UserId("loginid", "nobody"));
                Assert.AreEqual(Status.Rejected, e.Status);
                StringAssert.Contains("userId解析异常,请确认!!!", e.Message);

                e = Assert.Throws<ErpAuthException>(() => client.Token("id123", "9"));
                Assert.AreEqual(Status.Rejected, e.Status);
                StringAssert.Contains("id123", e.Message);
            }
        }

        [Test]
        public void AWrongAesKeyIsRefusedInTheServersWordsWithoutShowingTheKey()
        {
            WeaverClientOptions options = Options();
            options.AesKey = "zzz-wrong-key-16";
            using (var client = new WeaverClient(options))
            {
                var e = Assert.Throws<ErpAuthException>(() => client.Token());
                Assert.AreEqual(Status.Rejected, e.Status);
                StringAssert.Contains("签名解密异常,请确认!!!", e.Message);
                StringAssert.DoesNotContain("zzz-wrong-key-16", e.Message);
            }
        }

        [Test]
        public void UserTypeAndUserContainGoTogether()
        {
            using (var client = new WeaverClient(Options()))
            {
                var e = Assert.Throws<ErpAuthException>(() => client.Token("loginid", null));
                Assert.AreEqual(Status.InvalidArgument, e.Status);
                StringAssert.Contains("user_type and user_contain go together", e.Message);
                Assert.Throws<ArgumentNullException>(() => client.UserId(null, "x"));
            }
        }

        [Test]
        public void BadOptionsAreRefusedNamingTheKeyButNotTheSecret()
        {
            WeaverClientOptions options = Options();
            options.AesKey = "zzz-short-key";
            var e = Assert.Throws<ErpAuthException>(() => new WeaverClient(options));
            Assert.AreEqual(Status.InvalidArgument, e.Status);
            StringAssert.Contains("aes_key", e.Message);
            StringAssert.DoesNotContain("zzz-short-key", e.Message);

            options = Options();
            options.BaseUrl = null;
            e = Assert.Throws<ErpAuthException>(() => new WeaverClient(options));
            StringAssert.Contains("base_url", e.Message);

            options = Options();
            options.TokenTtl = TimeSpan.Zero;
            e = Assert.Throws<ErpAuthException>(() => new WeaverClient(options));
            StringAssert.Contains("token_ttl_s", e.Message);

            options = Options();
            options.TlsRoots = TlsRoots.System;
            options.CaFile = "/nonexistent.pem";
            e = Assert.Throws<ErpAuthException>(() => new WeaverClient(options));
            StringAssert.Contains("ca_file", e.Message);
        }

        [Test]
        public void DisposeTwiceIsHarmlessAndUseAfterDisposeThrows()
        {
            var client = new WeaverClient(Options());
            Assert.IsNotEmpty(client.Token());
            client.Dispose();
            client.Dispose();
            var e = Assert.Throws<ObjectDisposedException>(() => client.Token());
            Assert.AreEqual("WeaverClient", e.ObjectName);
            Assert.Throws<ObjectDisposedException>(() => client.UserId("id", "1"));
            Assert.Throws<ObjectDisposedException>(() => client.Invalidate());
        }

        [Test]
        public void AClientThatIsNeverDisposedIsFreedByTheFinalizer()
        {
            // SafeHandle's finalizer frees it; the test proves that path runs without a crash.
            for (int i = 0; i < 100; i++)
            {
                new WeaverClient(Options()).Token();
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using (var client = new WeaverClient(Options()))
            {
                Assert.IsNotEmpty(client.Token());
            }
        }
    }
}
