using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Runtime.Serialization.Formatters.Binary;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>
    /// The .NET shape of the binding against the emulator: error properties read from real
    /// refusals, ordered header lists, async methods and their cancellation.
    /// </summary>
    [TestFixture]
    public class NativeConventionsTests : EmulatorFixture
    {
        private KingdeeClientOptions Kingdee(string appSecret = "emu-app-secret")
        {
            return emulator.KingdeeOptions(appSecret);
        }

        private WeaverClientOptions Weaver(string appId = "emu-appid")
        {
            return emulator.WeaverOptions(appId);
        }

        [Test]
        public void AKingdeeRefusalCarriesTheServersCodeAndWordsAndAdviceInDotNetNames()
        {
            using (var client = new KingdeeClient(Kingdee("rotated-app-secret")))
            {
                var e = Assert.Throws<ErpAuthException>(() => client.GetAppToken());
                Assert.AreEqual(Status.Rejected, e.Status);
                Assert.AreEqual(1030002006L, e.ServerCode);
                Assert.AreEqual("授权密钥校验失败", e.ServerMessage);
                Assert.AreEqual(200, e.HttpStatus);
                Assert.IsFalse(e.IsTransient);
                StringAssert.Contains("AppSecret rotates", e.Message);
                StringAssert.Contains("KingdeeClient.UpdateAppSecret", e.Message);
                StringAssert.DoesNotContain("app_secret", e.Message);
                StringAssert.DoesNotContain("rotated-app-secret", e.Message);
            }
        }

        [Test]
        public void AWeaverRefusalCarriesTheServersWordsAndNoCode()
        {
            using (var client = new WeaverClient(Weaver("disabled-appid")))
            {
                var e = Assert.Throws<ErpAuthException>(() => client.GetToken());
                Assert.AreEqual(Status.Rejected, e.Status);
                Assert.IsNull(e.ServerCode);
                Assert.AreEqual("应用标识appid==>>disabled-appid已被禁用,请联系管理员!!!", e.ServerMessage);
                Assert.IsFalse(e.IsTransient);
            }
        }

        [Test]
        public void ProxyErrorsAndNetworkFailuresAreTransientRefusalsAreNot()
        {
            using (var client = new KingdeeClient(Kingdee()))
            {
                emulator.Configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"http_502_json\"}}");
                var e = Assert.Throws<ErpAuthException>(() => client.GetAppToken());
                Assert.AreEqual(Status.Http, e.Status);
                Assert.AreEqual(502, e.HttpStatus);
                Assert.IsNull(e.ServerCode);
                Assert.IsTrue(e.IsTransient);

                emulator.Configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"reset\"}}");
                e = Assert.Throws<ErpAuthException>(() => client.GetAppToken());
                Assert.AreEqual(Status.Network, e.Status);
                Assert.IsNull(e.HttpStatus);
                Assert.IsTrue(e.IsTransient);

                emulator.Configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"garbage\"}}");
                e = Assert.Throws<ErpAuthException>(() => client.GetAppToken());
                Assert.AreEqual(Status.BadResponse, e.Status);
                Assert.IsFalse(e.IsTransient);
            }
        }

        [Test]
        public void TheExceptionHasTheStandardConstructorsAndSerializesItsDetails()
        {
            Assert.AreEqual(Status.Internal, new ErpAuthException().Status);
            Assert.AreEqual("m", new ErpAuthException("m").Message);
            var inner = new IOException("io");
            Assert.AreSame(inner, new ErpAuthException("m", inner).InnerException);
            Assert.AreSame(inner, new ErpAuthException(Status.Network, "m", inner).InnerException);

            var original = new ErpAuthException(
                Status.Rejected, "the Kingdee gateway refused the request (HTTP 519): code 4010: access token invalid (fetch a new app-token)");
            Assert.AreEqual(4010L, original.ServerCode);
            Assert.AreEqual("access token invalid", original.ServerMessage);
            Assert.AreEqual(519, original.HttpStatus);
            var formatter = new BinaryFormatter();
            using (var stream = new MemoryStream())
            {
                formatter.Serialize(stream, original);
                stream.Position = 0;
                var copy = (ErpAuthException)formatter.Deserialize(stream);
                Assert.AreEqual(original.Status, copy.Status);
                Assert.AreEqual(original.ServerCode, copy.ServerCode);
                Assert.AreEqual(original.ServerMessage, copy.ServerMessage);
                Assert.AreEqual(original.HttpStatus, copy.HttpStatus);
                Assert.AreEqual(original.Message, copy.Message);
            }
            StringAssert.StartsWith("ErpAuth.ErpAuthException [Rejected]: ", original.ToString());
        }

        [Test]
        public void TheStatusEnumHasOnlyWhatAnExceptionCanCarry()
        {
            CollectionAssert.AreEquivalent(
                new[] { "Network", "Http", "Rejected", "BadResponse", "Internal" }, Enum.GetNames(typeof(Status)));
        }

        [Test]
        public void HeaderListsKeepTheLibrarysOrderAndIgnoreCaseInLookups()
        {
            using (var client = new KingdeeClient(Kingdee()))
            {
                HeaderList headers = client.GetHeaders("GET", "/jdy/v2/bd/customer");
                Assert.AreEqual(8, headers.Count);
                Assert.AreEqual("X-Api-ClientID", headers.First().Key);
                Assert.AreEqual("X-GW-Router-Addr", headers.Last().Key);
                Assert.AreEqual(headers["app-token"], headers["APP-TOKEN"]);
                Assert.IsTrue(headers.ContainsKey("x-api-signature"));
                string value;
                Assert.IsFalse(headers.TryGetValue("Cookie", out value));
                CollectionAssert.AreEqual(headers.Keys.ToArray(), headers.Select(h => h.Key).ToArray());
                StringAssert.DoesNotContain(headers["app-token"], headers.ToString());
            }
        }

        [Test]
        public void WeaverHeadersAreAppIdTokenAndUserIdInOrder()
        {
            using (var client = new WeaverClient(Weaver()))
            {
                HeaderList plain = client.GetHeaders();
                CollectionAssert.AreEqual(new[] { "appid", "token" }, plain.Keys.ToArray());
                Assert.AreEqual("emu-appid", plain["appid"]);
                Assert.AreEqual(client.GetToken(), plain["token"]);

                HeaderList user = client.GetHeaders(UserType.LoginId, "zhangs");
                CollectionAssert.AreEqual(new[] { "appid", "token", "userid" }, user.Keys.ToArray());
                Assert.AreEqual(client.GetToken(UserType.LoginId, "zhangs"), user["token"]);
                Assert.AreEqual(client.GetUserId(UserType.LoginId, "zhangs"), user["userid"]);
                StringAssert.Contains("\"user\":\"9\"", TokenInfo(user["token"]));
            }
        }

        [Test]
        public void AsyncMethodsGiveWhatTheBlockingOnesGive()
        {
            using (var kingdee = new KingdeeClient(Kingdee()))
            using (var weaver = new WeaverClient(Weaver()))
            {
                Assert.AreEqual(kingdee.GetAppToken(), kingdee.GetAppTokenAsync().Result);
                HeaderList headers = kingdee.GetHeadersAsync("GET", "/jdy/v2/bd/customer?q=中文").Result;
                Assert.AreEqual(kingdee.GetAppToken(), headers["app-token"]);
                Assert.AreEqual(weaver.GetToken(), weaver.GetTokenAsync().Result);
                Assert.AreEqual(weaver.GetToken(UserType.Id, "9"), weaver.GetTokenAsync(UserType.Id, "9").Result);
                Assert.AreEqual(weaver.GetUserId(UserType.Id, "9"), weaver.GetUserIdAsync(UserType.Id, "9").Result);
                Assert.AreEqual(3, weaver.GetHeadersAsync(UserType.Id, "9").Result.Count);

                // Argument errors are thrown by the call itself, not hidden in the task.
                Assert.Throws<ArgumentNullException>(() => kingdee.GetHeadersAsync(null, "/p"));
                // Server errors come out of the task unchanged.
                using (var disabled = new WeaverClient(Weaver("disabled-appid")))
                {
                    var e = Assert.Throws<AggregateException>(() => disabled.GetTokenAsync().Wait());
                    Assert.AreEqual(Status.Rejected, ((ErpAuthException)e.InnerException).Status);
                }
            }
        }

        [Test]
        public void ACancelledTokenStopsACallThatHasNotStarted()
        {
            using (var client = new KingdeeClient(Kingdee()))
            {
                long before = emulator.Stat("kingdee_auth_token");
                Task<string> task = client.GetAppTokenAsync(new CancellationToken(true));
                Assert.IsTrue(task.IsCanceled);
                Assert.AreEqual(before, emulator.Stat("kingdee_auth_token"));
            }
        }

        [Test]
        public void CancellingARunningCallEndsTheTaskAtOnceWhileTheNativeCallRunsToItsTimeout()
        {
            KingdeeClientOptions options = Kingdee();
            options.Timeout = TimeSpan.FromSeconds(3);
            using (var client = new KingdeeClient(options))
            using (var cancellation = new CancellationTokenSource())
            {
                emulator.Configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"hang\"}}");
                long before = emulator.Stat("kingdee_auth_token");
                Task<string> task = client.GetAppTokenAsync(cancellation.Token);
                var clock = Stopwatch.StartNew();
                while (emulator.Stat("kingdee_auth_token") == before && clock.ElapsedMilliseconds < 5000)
                {
                    Thread.Sleep(20);
                }
                Assert.AreEqual(before + 1, emulator.Stat("kingdee_auth_token"), "the request must be in flight");
                cancellation.Cancel();
                var cancelled = Stopwatch.StartNew();
                Assert.Throws<AggregateException>(() => task.Wait());
                Assert.IsTrue(task.IsCanceled);
                Assert.Less(cancelled.ElapsedMilliseconds, 1000, "the task must end at cancellation, not at the timeout");
                Assert.Less(clock.ElapsedMilliseconds, 2500);
            }
        }

        private string TokenInfo(string token)
        {
            using (var web = new WebClient())
            {
                web.Encoding = System.Text.Encoding.UTF8;
                return web.DownloadString(emulator.BaseUrl + "/__emulator/token?token=" + Uri.EscapeDataString(token));
            }
        }
    }
}
