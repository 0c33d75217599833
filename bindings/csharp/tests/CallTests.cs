using System;
using System.Text;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>Business calls made by the clients themselves, against the emulator.</summary>
    [TestFixture]
    public class CallTests
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

        private KingdeeClient Kingdee()
        {
            return new KingdeeClient(new KingdeeClientOptions
            {
                ClientId = "emu-client-id",
                ClientSecret = "emu-client-secret",
                AppKey = "emuAppKey",
                AppSecret = "emu-app-secret",
                Domain = "https://emu.jdy.com",
                BaseUrl = emulator.BaseUrl,
                Timeout = TimeSpan.FromSeconds(10),
            });
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

    }
}
