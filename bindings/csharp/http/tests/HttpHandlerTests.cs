using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>The HttpClient handlers against the emulator's gateway and e9 business endpoints.</summary>
    [TestFixture]
    public class HttpHandlerTests : EmulatorFixture
    {
        private KingdeeClient Kingdee()
        {
            return new KingdeeClient(emulator.KingdeeOptions());
        }

        private HttpClient Http(HttpMessageHandler handler)
        {
            return new HttpClient(handler) { BaseAddress = new Uri(emulator.BaseUrl) };
        }

        [Test]
        public void KingdeeRequestsAreSignedAsSentChineseInTheQueryIncluded()
        {
            using (KingdeeClient kingdee = Kingdee())
            using (HttpClient http = Http(new KingdeeSigningHandler(kingdee, new HttpClientHandler())))
            {
                long before = emulator.Stat("kingdee_business");
                using (HttpResponseMessage response = http.GetAsync("/jdy/v2/bd/customer?search=中文 客户&page=1").Result)
                {
                    string body = response.Content.ReadAsStringAsync().Result;
                    Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
                    StringAssert.Contains("测试客户", body);
                }
                // Already-escaped targets are signed as they are sent too.
                using (HttpResponseMessage response = http.GetAsync("/jdy/v2/bd/customer?search=%E4%B8%AD+x").Result)
                {
                    Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, response.Content.ReadAsStringAsync().Result);
                }
                Assert.AreEqual(before + 2, emulator.Stat("kingdee_business"));
            }
        }

        [Test]
        public void AnExpiredTokenIsReplacedAndTheRequestSentOnceMore()
        {
            using (KingdeeClient kingdee = Kingdee())
            using (HttpClient http = Http(new KingdeeSigningHandler(kingdee, new HttpClientHandler())))
            {
                string first = kingdee.GetAppToken();
                emulator.Post("/__emulator/expire_tokens", "");
                long tokens = emulator.Stat("kingdee_auth_token");
                long business = emulator.Stat("kingdee_business");
                using (HttpResponseMessage response = http.GetAsync("/jdy/v2/bd/customer").Result)
                {
                    Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, response.Content.ReadAsStringAsync().Result);
                }
                Assert.AreEqual(tokens + 1, emulator.Stat("kingdee_auth_token"), "one new token");
                Assert.AreEqual(business + 2, emulator.Stat("kingdee_business"), "the refused request and its retry");
                Assert.AreNotEqual(first, kingdee.GetAppToken());
            }
        }

        [Test]
        public void ARequestWhoseContentCannotBeReplayedIsSentOnceAndItsRefusalPassedOn()
        {
            using (KingdeeClient kingdee = Kingdee())
            using (HttpClient http = Http(new KingdeeSigningHandler(kingdee, new HttpClientHandler())))
            {
                kingdee.GetAppToken();
                emulator.Post("/__emulator/expire_tokens", "");
                long business = emulator.Stat("kingdee_business");
                var request = new HttpRequestMessage(HttpMethod.Post, "/jdy/v2/bd/customer")
                {
                    Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"a\":1}"))),
                };
                using (HttpResponseMessage response = http.SendAsync(request).Result)
                {
                    Assert.AreEqual(519, (int)response.StatusCode);
                    StringAssert.Contains("4011", response.Content.ReadAsStringAsync().Result);
                }
                Assert.AreEqual(business + 1, emulator.Stat("kingdee_business"));
            }
        }

        private WeaverClient Weaver()
        {
            return new WeaverClient(emulator.WeaverOptions());
        }

        [Test]
        public void WeaverRequestsCarryAppIdTokenAndUserIdAndATimedOutTokenIsReplaced()
        {
            using (WeaverClient oa = Weaver())
            using (HttpClient http = Http(new WeaverTokenHandler(oa, UserType.LoginId, "zhangs") { InnerHandler = new HttpClientHandler() }))
            {
                const string path = "/api/workflow/paService/getToDoWorkflowRequestList?keyword=请假";
                using (HttpResponseMessage response = http.GetAsync(path).Result)
                {
                    string body = response.Content.ReadAsStringAsync().Result;
                    Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
                    StringAssert.Contains("\"status\":true", body);
                    StringAssert.Contains("\"user\":\"9\"", body);
                }

                string first = oa.GetToken(UserType.LoginId, "zhangs");
                emulator.Post("/__emulator/expire_tokens", "");
                long tokens = emulator.Stat("weaver_get_token");
                long business = emulator.Stat("weaver_business");
                var form = new FormUrlEncodedContent(new[] { new System.Collections.Generic.KeyValuePair<string, string>("requestName", "请假申请") });
                using (HttpResponseMessage response = http.PostAsync("/api/workflow/paService/doCreateRequest", form).Result)
                {
                    string body = response.Content.ReadAsStringAsync().Result;
                    StringAssert.Contains("\"status\":true", body);
                }
                Assert.AreEqual(tokens + 1, emulator.Stat("weaver_get_token"));
                Assert.AreEqual(business + 2, emulator.Stat("weaver_business"));
                Assert.AreNotEqual(first, oa.GetToken(UserType.LoginId, "zhangs"));
            }
        }

        [Test]
        public void AWeaverHandlerWithoutAUserSendsThePlainToken()
        {
            using (WeaverClient oa = Weaver())
            using (HttpClient http = Http(new WeaverTokenHandler(oa) { InnerHandler = new HttpClientHandler() }))
            using (HttpResponseMessage response = http.GetAsync("/api/workflow/paService/getToDoWorkflowRequestList").Result)
            {
                string body = response.Content.ReadAsStringAsync().Result;
                StringAssert.Contains("\"status\":true", body);
                StringAssert.Contains("\"user\":null", body);
                StringAssert.Contains(oa.GetToken(), body);
            }
        }

        [Test]
        public void HandlerArgumentsAreChecked()
        {
            Assert.AreEqual("client", Assert.Throws<ArgumentNullException>(() => new KingdeeSigningHandler(null)).ParamName);
            Assert.AreEqual("client", Assert.Throws<ArgumentNullException>(() => new WeaverTokenHandler(null)).ParamName);
        }
    }
}
