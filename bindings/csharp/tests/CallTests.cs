using System;
using System.Text;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>Business calls made by the clients themselves, against the emulator.</summary>
    [TestFixture]
    public class CallTests : EmulatorFixture
    {
        private KingdeeClient Kingdee()
        {
            return new KingdeeClient(emulator.KingdeeOptions());
        }

        [Test]
        public void KingdeeCallSendsASignedRequestAndReturnsTheAnswerWhateverItsStatus()
        {
            using (KingdeeClient kingdee = Kingdee())
            {
                ErpAuthResponse ok = kingdee.Call("POST", "/jdy/v2/erpauth/echo?q=中文", "{\"name\":\"测试\"}");
                Assert.AreEqual(200, ok.StatusCode, ok.Text);
                Assert.IsTrue(ok.IsSuccessStatusCode);
                StringAssert.Contains("测试", ok.Text);
                StringAssert.Contains("application/json", ok.Text);
                Assert.AreEqual(Encoding.UTF8.GetBytes(ok.Text), ok.GetBody());

                ErpAuthResponse raw = kingdee.Call("POST", "/jdy/v2/erpauth/echo_raw", "a\u00e9b", "text/plain; charset=utf-8");
                CollectionAssert.AreEqual(Encoding.UTF8.GetBytes("a\u00e9b"), raw.GetBody());

                ErpAuthResponse missing = kingdee.CallAsync("GET", "/jdy/v2/no/such/api").Result;
                Assert.AreEqual(519, missing.StatusCode);
                StringAssert.Contains("5001", missing.Text);
                StringAssert.DoesNotContain(missing.Text, missing.ToString());

                emulator.Post("/__emulator/expire_tokens", "");
                long tokens = emulator.Stat("kingdee_auth_token");
                Assert.AreEqual(200, kingdee.Call("GET", "/jdy/v2/bd/customer").StatusCode);
                Assert.AreEqual(tokens + 1, emulator.Stat("kingdee_auth_token"), "the native call replaced the expired token");

                Assert.AreEqual("method", Assert.Throws<ArgumentNullException>(() => kingdee.Call(null, "/p")).ParamName);
            }
        }

   
        [Test]
        public void UpdateAppSecretReplacesARotatedSecretAndGetAuthorizationSaysWhere()
        {
            using (KingdeeClient kingdee = Kingdee())
            {
                string authorization = kingdee.GetAuthorization();
                StringAssert.Contains("\"app_key\":\"emuAppKey\"", authorization);
                StringAssert.Contains("\"source\":\"config\"", authorization);
                StringAssert.DoesNotContain("emu-app-secret", authorization);

                string rotated = emulator.Post("/__emulator/kingdee/rotate_app_secret", "");
                var secret = System.Text.RegularExpressions.Regex.Match(rotated, "\"app_secret\":\"([^\"]+)\"").Groups[1].Value;
                Assert.IsNotEmpty(secret);
                kingdee.Invalidate();
                Assert.AreEqual(1030002006L, Assert.Throws<ErpAuthException>(() => kingdee.GetAppToken()).ServerCode);

                kingdee.UpdateAppSecret(secret);
                Assert.IsNotEmpty(kingdee.GetAppToken());
                StringAssert.Contains("\"source\":\"set_app_secret\"", kingdee.GetAuthorization());
                Assert.AreEqual("appSecret", Assert.Throws<ArgumentNullException>(() => kingdee.UpdateAppSecret(null)).ParamName);
                Assert.Throws<ArgumentException>(() => kingdee.UpdateAppSecret(""));
            }
        }

        [Test]
        public void AnOuterInstanceIdPullsTheAuthorization()
        {
            using (var kingdee = new KingdeeClient(emulator.KingdeePullOptions()))
            {
                Assert.IsNotEmpty(kingdee.GetAppToken());
                StringAssert.Contains("\"source\":\"push_app_authorize\"", kingdee.GetAuthorization());
            }
        }

        [Test]
        public void WeaverCallsCarryTheUsersTokenAndUserId()
        {
            using (var oa = new WeaverClient(emulator.WeaverOptions()))
            {
                ErpAuthResponse todo = oa.Call("GET", "/api/workflow/paService/getToDoWorkflowRequestList?keyword=请假",
                    userType: UserType.LoginId, userContain: "zhangs");
                Assert.AreEqual(200, todo.StatusCode, todo.Text);
                StringAssert.Contains("\"user\":\"9\"", todo.Text);
                ErpAuthResponse created = oa.CallAsync("POST", "/api/workflow/paService/doCreateRequest", "{\"requestName\":\"测试\"}").Result;
                StringAssert.Contains("测试", created.Text);
                Assert.Throws<ArgumentException>(() => oa.Call("GET", "/p", userContain: "x"));
            }
        }

        [Test]
        public void TheRestClientRegistersOnceAndCallsWithAllThreeHeaders()
        {
            string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "erpauth-rest-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(dir);
            string state = System.IO.Path.Combine(dir, "state.json");
            try
            {
                using (var oa = new WeaverRestClient(new WeaverRestClientOptions
                {
                    BaseUrl = emulator.BaseUrl, AppId = "emu-rest-appid", StateFile = state,
                }))
                {
                    StringAssert.Contains("\"appid\":\"emu-rest-appid\"", oa.Register());
                    Assert.IsTrue(System.IO.File.Exists(state));
                    string token = oa.GetToken();
                    Assert.AreEqual(token, oa.GetTokenAsync().Result);
                    HeaderList headers = oa.GetHeaders("9");
                    CollectionAssert.AreEqual(new[] { "appid", "token", "userid" }, System.Linq.Enumerable.ToArray(headers.Keys));
                    Assert.AreEqual(token, headers["token"]);
                    Assert.AreEqual(2, oa.GetHeaders().Count);
                    ErpAuthResponse echo = oa.Call("POST", "/api/emulator/rest/echo", "{\"a\":\"中文\"}", userId: "9");
                    Assert.AreEqual(200, echo.StatusCode, echo.Text);
                    StringAssert.Contains("中文", echo.Text);
                    oa.Invalidate();
                    StringAssert.DoesNotContain(token, oa.ToString());
                }
                var e = Assert.Throws<ArgumentException>(() => new WeaverRestClient(new WeaverRestClientOptions { AppId = "a", StateFile = state }));
                StringAssert.StartsWith("WeaverRestClientOptions.BaseUrl is required", e.Message);
            }
            finally
            {
                System.IO.Directory.Delete(dir, true);
            }
        }

        [Test]
        public void PlainHttpToAnotherHostNeedsAllowInsecureHttp()
        {
            var options = new KingdeeClientOptions
            {
                ClientId = "id", ClientSecret = "cs", AppKey = "ak", AppSecret = "as", BaseUrl = "http://gateway.example.com",
            };
            var e = Assert.Throws<ArgumentException>(() => new KingdeeClient(options));
            StringAssert.Contains("AllowInsecureHttp", e.Message);
            options.AllowInsecureHttp = true;
            using (var kingdee = new KingdeeClient(options))
            {
                StringAssert.StartsWith("KingdeeClient", kingdee.ToString());
            }
            WeaverClientOptions weaver = emulator.WeaverOptions();
            weaver.MaxUsers = 2;
            using (var oa = new WeaverClient(weaver))
            {
                Assert.IsNotEmpty(oa.GetToken(UserType.Id, "1"));
            }
        }
    }
}
