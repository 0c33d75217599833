using System;
using System.Linq;
using System.Threading;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>WeaverClient against the emulator with the default credentials of docs/EMULATOR.md.</summary>
    [TestFixture]
    public class WeaverClientTests : EmulatorFixture
    {
        private WeaverClientOptions Options(string appId = "emu-appid")
        {
            return emulator.WeaverOptions(appId);
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
                string token = client.GetToken();
                Assert.IsNotEmpty(token);
                for (int i = 0; i < 20; i++)
                {
                    Assert.AreEqual(token, client.GetToken());
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
                string plain = client.GetToken();
                string zhangs = client.GetToken(UserType.LoginId, "zhangs");
                string zhangsUserId = client.GetUserId(UserType.LoginId, "zhangs");
                string admin = client.GetToken(UserType.WorkCode, "A001");
                string adminUserId = client.GetUserId(UserType.WorkCode, "A001");
                Assert.AreEqual(3, new[] { plain, zhangs, admin }.Distinct().Count());
                Assert.IsNotEmpty(zhangsUserId);
                Assert.IsNotEmpty(adminUserId);
                Assert.AreNotEqual(zhangsUserId, adminUserId);
                Assert.AreEqual(zhangs, client.GetToken(UserType.LoginId, "zhangs"));
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
                SignatureTests.RunConcurrently(threads, t => tokens[t] = t % 2 == 0 ? client.GetToken() : client.GetToken(UserType.Id, "9"));
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
                string plain = client.GetToken();
                string user = client.GetToken(UserType.Id, "1");
                client.Invalidate();
                Assert.AreNotEqual(plain, client.GetToken());
                Assert.AreNotEqual(user, client.GetToken(UserType.Id, "1"));
                Assert.AreEqual(before + 4, TokenRequests());
            }
        }

        [Test]
        public void ADisabledAppIsRefusedInTheServersWords()
        {
            using (var client = new WeaverClient(Options("disabled-appid")))
            {
                var e = Assert.Throws<ErpAuthException>(() => client.GetToken());
                Assert.AreEqual(Status.Rejected, e.Status);
                StringAssert.Contains("应用标识appid==>>disabled-appid已被禁用,请联系管理员!!!", e.Message);
            }
        }

        [Test]
        public void AnUnknownUserIsRefusedInTheServersWords()
        {
            using (var client = new WeaverClient(Options()))
            {
                var e = Assert.Throws<ErpAuthException>(() => client.GetUserId(UserType.LoginId, "nobody"));
                Assert.AreEqual(Status.Rejected, e.Status);
                StringAssert.Contains("userId解析异常,请确认!!!", e.Message);

                // The old string overload still reaches the server with any userType.
#pragma warning disable 618
                e = Assert.Throws<ErpAuthException>(() => client.Token("id123", "9"));
#pragma warning restore 618
                Assert.AreEqual(Status.Rejected, e.Status);
                StringAssert.Contains("id123", e.Message);
                Assert.AreEqual("userType:id123 无效,请确认!!!", e.ServerMessage);
                Assert.IsNull(e.ServerCode);
            }
        }

        [Test]
        public void AWrongAesKeyIsRefusedInTheServersWordsWithoutShowingTheKey()
        {
            WeaverClientOptions options = Options();
            options.AesKey = "zzz-wrong-key-16";
            using (var client = new WeaverClient(options))
            {
                var e = Assert.Throws<ErpAuthException>(() => client.GetToken());
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
                Assert.AreEqual("userContain", Assert.Throws<ArgumentNullException>(() => client.GetToken(UserType.LoginId, null)).ParamName);
                Assert.AreEqual("userContain", Assert.Throws<ArgumentNullException>(() => client.GetUserId(UserType.Id, null)).ParamName);
                Assert.AreEqual("userType", Assert.Throws<ArgumentOutOfRangeException>(() => client.GetToken((UserType)99, "x")).ParamName);
#pragma warning disable 618
                var e = Assert.Throws<ArgumentException>(() => client.Token("loginid", null));
#pragma warning restore 618
                StringAssert.StartsWith("userType and userContain go together", e.Message);
                Assert.AreEqual("userType", e.ParamName);
            }
        }

        [Test]
        public void BadOptionsAreRefusedNamingTheKeyButNotTheSecret()
        {
            WeaverClientOptions options = Options();
            options.AesKey = "zzz-short-key";
            var e = Assert.Throws<ArgumentException>(() => new WeaverClient(options));
            Assert.AreEqual("options", e.ParamName);
            StringAssert.Contains("WeaverClientOptions.AesKey", e.Message);
            StringAssert.DoesNotContain("aes_key", e.Message);
            StringAssert.DoesNotContain("zzz-short-key", e.Message);

            options = Options();
            options.BaseUrl = null;
            e = Assert.Throws<ArgumentException>(() => new WeaverClient(options));
            StringAssert.StartsWith("WeaverClientOptions.BaseUrl is required", e.Message);

            options = Options();
            options.TokenTtl = TimeSpan.Zero;
            e = Assert.Throws<ArgumentException>(() => new WeaverClient(options));
            StringAssert.StartsWith("WeaverClientOptions.TokenTtl must be", e.Message);

            options = Options();
            options.TlsRoots = TlsRoots.System;
            options.CaFile = "/nonexistent.pem";
            e = Assert.Throws<ArgumentException>(() => new WeaverClient(options));
            StringAssert.Contains("CaFile cannot be combined with TlsRoots", e.Message);
            StringAssert.DoesNotContain("ca_file", e.Message);
        }

        [Test]
        public void DisposeTwiceIsHarmlessAndUseAfterDisposeThrows()
        {
            var client = new WeaverClient(Options());
            Assert.IsNotEmpty(client.GetToken());
            client.Dispose();
            client.Dispose();
            var e = Assert.Throws<ObjectDisposedException>(() => client.GetToken());
            Assert.AreEqual("WeaverClient", e.ObjectName);
            Assert.Throws<ObjectDisposedException>(() => client.GetUserId(UserType.Id, "1"));
            Assert.Throws<ObjectDisposedException>(() => client.Invalidate());
        }

        [Test]
        public void AClientThatIsNeverDisposedIsFreedByTheFinalizer()
        {
            // SafeHandle's finalizer frees it; the test proves that path runs without a crash.
            for (int i = 0; i < 100; i++)
            {
                new WeaverClient(Options()).GetToken();
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using (var client = new WeaverClient(Options()))
            {
                Assert.IsNotEmpty(client.GetToken());
            }
        }
    }
}
