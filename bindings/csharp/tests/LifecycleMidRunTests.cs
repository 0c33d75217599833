using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>
    /// The lifecycle after first contact, against the emulator: the app_secret rotated and tokens
    /// expired or forgotten mid-run (the caller sees answers, never the one retry behind them), a
    /// second process on one Weaver REST state file, hostile answers, and cancellation of
    /// <c>CallAsync</c>. Each test has an emulator of its own, so counters start at 0.
    /// </summary>
    [TestFixture]
    public class LifecycleMidRunTests
    {
        private const string Echo = "/jdy/v2/erpauth/echo";
        private const string RestAppId = "emu-rest-appid";
        private const string RestEcho = "/api/emulator/rest/echo";

        private Emulator emulator;
        private string dir;

        [SetUp]
        public void Start()
        {
            emulator = Emulator.Start();
            dir = Path.Combine(Path.GetTempPath(), "erpauth-lifecycle-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
        }

        [TearDown]
        public void Stop()
        {
            emulator.Dispose();
            Directory.Delete(dir, true);
        }

        private WeaverRestClient Rest(string stateFile)
        {
            return new WeaverRestClient(new WeaverRestClientOptions
            {
                BaseUrl = emulator.BaseUrl, AppId = RestAppId, StateFile = stateFile,
            });
        }

        private static string Field(string json, string name)
        {
            return (string)Json.ParseObject(json)[name];
        }

        [Test]
        public void ARotationMidRunCostsTheCallerNothing()
        {
            KingdeeClientOptions options = emulator.KingdeeOptions();
            options.OuterInstanceId = "emu-instance-1";
            using (var kingdee = new KingdeeClient(options))
            {
                Assert.AreEqual(200, kingdee.Call("GET", Echo).StatusCode);
                Assert.AreEqual(0, emulator.Stat("kingdee_push_app_authorize"), "the configured secret first");

                string newSecret = Field(emulator.Post("/__emulator/kingdee/rotate_app_secret", ""), "app_secret");
                // Issued tokens stay valid after a rotation: nothing happens yet.
                Assert.AreEqual(200, kingdee.Call("GET", Echo).StatusCode);
                // The token then expires: the business call gets 4011, the token request with the
                // old secret 1030002006; the client pulls the new one and the call still succeeds.
                emulator.Post("/__emulator/expire_tokens", "");
                emulator.Post("/__emulator/reset_stats", "");
                ErpAuthResponse answer = kingdee.Call("GET", Echo);
                Assert.AreEqual(200, answer.StatusCode, answer.Text);
                Dictionary<string, long> stats = emulator.Stats();
                Assert.AreEqual(1, stats["kingdee_push_app_authorize"]);
                Assert.AreEqual(2, stats["kingdee_auth_token"], "one refused (old secret), one with the pulled");
                Assert.AreEqual(2, stats["kingdee_business"], "one refused (expired), one retried");
                string authorization = kingdee.GetAuthorization();
                StringAssert.Contains("\"source\":\"push_app_authorize\"", authorization);
                StringAssert.DoesNotContain(newSecret, authorization);
            }
        }

        [Test]
        public void APulledSecretRotatedAgainIsPulledAgainByGetAppToken()
        {
            using (var kingdee = new KingdeeClient(emulator.KingdeePullOptions()))
            {
                string first = kingdee.GetAppToken();
                Assert.AreEqual(1, emulator.Stat("kingdee_push_app_authorize"));
                emulator.Post("/__emulator/kingdee/rotate_app_secret", "");
                kingdee.Invalidate();
                string second = kingdee.GetAppTokenAsync().Result;
                Assert.IsNotEmpty(second);
                Assert.AreNotEqual(first, second);
                Assert.AreEqual(2, emulator.Stat("kingdee_push_app_authorize"));
                Assert.AreEqual(3, emulator.Stat("kingdee_auth_token"), "first, refused with the old secret, retried");
            }
        }

        [Test]
        public void KingdeeTokensExpiredOrForgottenMidRunAreReplacedOnceAndTheCallSucceeds()
        {
            using (var kingdee = new KingdeeClient(emulator.KingdeeOptions()))
            {
                string old = kingdee.GetAppToken();
                Assert.AreEqual(200, kingdee.Call("GET", Echo).StatusCode);
                foreach (string control in new[] { "/__emulator/expire_tokens", "/__emulator/forget_tokens" })
                {
                    emulator.Post(control, "");
                    emulator.Post("/__emulator/reset_stats", "");
                    ErpAuthResponse answer = kingdee.Call("GET", Echo);
                    Assert.AreEqual(200, answer.StatusCode, control + ": " + answer.Text);
                    Dictionary<string, long> stats = emulator.Stats();
                    Assert.AreEqual(2, stats["kingdee_business"], control + ": one refused, one retried");
                    Assert.AreEqual(1, stats["kingdee_auth_token"], control + ": one new token");
                    string now = kingdee.GetAppToken();
                    Assert.AreNotEqual(old, now, control);
                    old = now;
                }
            }
        }

        [Test]
        public void WeaverRestTokensExpiredMidRunAreReplacedOnceAndTheCallSucceeds()
        {
            using (WeaverRestClient oa = Rest(Path.Combine(dir, "state.json")))
            {
                string first = oa.GetToken();
                Assert.AreEqual(200, oa.Call("POST", RestEcho, "{}", userId: "9").StatusCode);
                // expire_tokens, not forget_tokens: the emulator's forget_tokens leaves REST tokens alone.
                emulator.Post("/__emulator/expire_tokens", "");
                emulator.Post("/__emulator/reset_stats", "");
                ErpAuthResponse answer = oa.Call("POST", RestEcho, "{\"n\":2}", userId: "9");
                Assert.AreEqual(200, answer.StatusCode, answer.Text);
                StringAssert.Contains("\"status\":true", answer.Text);
                Dictionary<string, long> stats = emulator.Stats();
                Assert.AreEqual(2, stats["weaver_rest_business"], "one refused, one retried");
                Assert.AreEqual(1, stats["weaver_apply_token"]);
                Assert.AreEqual(0, stats["weaver_regist"], "a lost token is no reason to register");
                Assert.AreNotEqual(first, oa.GetToken());
            }
        }

        [Test]
        public void ASecondProcessSharingTheStateFileDoesNotRegisterAgain()
        {
            string state = Path.Combine(dir, "shared-state.json");
            using (WeaverRestClient oa = Rest(state))
            {
                string registration = oa.Register();
                oa.GetToken();
                byte[] written = File.ReadAllBytes(state);
                Assert.AreEqual(1, emulator.Stat("weaver_regist"));

                // A real second process: the probe beside the test assembly, with the same
                // ErpAuth.dll and native library.
                string here = Path.GetDirectoryName(typeof(LifecycleMidRunTests).Assembly.Location);
                var start = new ProcessStartInfo(
                    "mono", "LoaderProbe.exe rest " + emulator.BaseUrl + " " + RestAppId + " \"" + state + "\"")
                {
                    UseShellExecute = false,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    WorkingDirectory = here,
                };
                string output, error = null;
                int exitCode;
                using (Process process = Process.Start(start))
                {
                    var stderr = new Thread(() => error = process.StandardError.ReadToEnd());
                    stderr.Start();
                    output = process.StandardOutput.ReadToEnd();
                    Assert.IsTrue(process.WaitForExit(60000), "the probe hung");
                    stderr.Join();
                    exitCode = process.ExitCode;
                }
                Assert.AreEqual(0, exitCode, output + error);
                string childRegistration = null, childCall = null;
                foreach (string line in output.Split('\n'))
                {
                    if (line.StartsWith("REGISTRATION ", StringComparison.Ordinal))
                    {
                        childRegistration = line.Substring("REGISTRATION ".Length);
                    }
                    else if (line.StartsWith("CALL ", StringComparison.Ordinal))
                    {
                        childCall = line.Substring("CALL ".Length);
                    }
                }
                Assert.IsNotNull(childRegistration, output + error);
                Assert.IsNotNull(childCall, output + error);
                Assert.AreEqual(Field(registration, "secrit"), Field(childRegistration, "secrit"));
                Assert.AreEqual(Field(registration, "spk"), Field(childRegistration, "spk"));
                StringAssert.StartsWith("200 ", childCall);
                StringAssert.Contains("child", childCall);

                Assert.AreEqual(1, emulator.Stat("weaver_regist"), "the second process used the file");
                Assert.AreEqual(2, emulator.Stat("weaver_apply_token"), "one token per process");
                CollectionAssert.AreEqual(written, File.ReadAllBytes(state), "the file is never rewritten");
                // The first process's registration is still the server's.
                oa.Invalidate();
                Assert.AreEqual(200, oa.Call("POST", RestEcho, "{}", userId: "9").StatusCode);
            }
        }

        [Test]
        public void HostileRestAnswersAreBadResponsesThatEchoNothing()
        {
            var cases = new[]
            {
                new[] { "bad_spk", "spk", "bm90IGFuIFJTQSBrZXk=" },
                new[] { "no_secrit", "\"secrit\"", null },
            };
            foreach (string[] c in cases)
            {
                emulator.Configure("{\"weaver_rest\":{\"hostile\":\"" + c[0] + "\"}}");
                string state = Path.Combine(dir, c[0] + ".json");
                using (WeaverRestClient oa = Rest(state))
                {
                    var e = Assert.Throws<ErpAuthException>(() => oa.Register(), c[0]);
                    Assert.AreEqual(Status.BadResponse, e.Status, c[0] + ": " + e.Message);
                    StringAssert.Contains(c[1], e.Message);
                    if (c[2] != null)
                    {
                        StringAssert.DoesNotContain(c[2], e.Message, "the value is not echoed");
                    }
                    Assert.IsFalse(File.Exists(state), c[0] + ": nothing is kept from a bad answer");
                }
            }
            emulator.Configure("{\"weaver_rest\":{\"hostile\":\"token_control_chars\"}}");
            using (WeaverRestClient oa = Rest(Path.Combine(dir, "crlf.json")))
            {
                var e = Assert.Throws<ErpAuthException>(() => oa.GetToken());
                Assert.AreEqual(Status.BadResponse, e.Status, e.Message);
                StringAssert.Contains("not a plain header value", e.Message);
                StringAssert.DoesNotContain("X-Injected", e.Message);
                Assert.IsFalse(e.Message.Contains("\n") || e.Message.Contains("\r"), e.Message);
                var onCall = Assert.Throws<ErpAuthException>(() => oa.Call("POST", RestEcho, "{}", userId: "9"));
                Assert.AreEqual(Status.BadResponse, onCall.Status);
                Assert.AreEqual(0, emulator.Stat("weaver_rest_business"), "nothing is sent with such a token");

                emulator.Configure("{\"weaver_rest\":{\"hostile\":\"none\"}}");
                Assert.AreEqual(200, oa.Call("POST", RestEcho, "{}", userId: "9").StatusCode);
            }
        }

        [Test]
        public void AKingdeeTokenWithControlCharactersIsABadResponseThatEchoesNothing()
        {
            using (var kingdee = new KingdeeClient(emulator.KingdeeOptions()))
            {
                emulator.Configure("{\"fault\":{\"endpoint\":\"kingdee_auth_token\",\"kind\":\"hostile_token\",\"count\":1}}");
                var e = Assert.Throws<ErpAuthException>(() => kingdee.Call("GET", Echo));
                Assert.AreEqual(Status.BadResponse, e.Status, e.Message);
                StringAssert.DoesNotContain("X-Evil", e.Message);
                StringAssert.DoesNotContain("t0k3n", e.Message);
                Assert.IsFalse(e.Message.Contains("\n"), e.Message);
                Assert.AreEqual(0, emulator.Stat("kingdee_business"), "nothing is sent with such a token");
                Assert.AreEqual(200, kingdee.Call("GET", Echo).StatusCode, "the next token is a good one");
            }
        }

        [Test]
        public void CallAsyncAnswersUnlessItsTokenIsAlreadyCancelled()
        {
            using (var kingdee = new KingdeeClient(emulator.KingdeeOptions()))
            using (WeaverRestClient oa = Rest(Path.Combine(dir, "async.json")))
            using (var live = new CancellationTokenSource())
            {
                ErpAuthResponse answer = kingdee.CallAsync("POST", Echo, "{\"a\":1}", null, live.Token).Result;
                Assert.AreEqual(200, answer.StatusCode, answer.Text);
                StringAssert.Contains("{\\\"a\\\":1}", answer.Text);
                ErpAuthResponse rest = oa.CallAsync("POST", RestEcho, "{}", userId: "9", cancellationToken: live.Token).Result;
                Assert.AreEqual(200, rest.StatusCode, rest.Text);
                Dictionary<string, long> before = emulator.Stats();

                var cancelled = new CancellationToken(true);
                Task<ErpAuthResponse> kingdeeTask = kingdee.CallAsync("GET", Echo, cancellationToken: cancelled);
                Task<ErpAuthResponse> restTask = oa.CallAsync("GET", RestEcho, cancellationToken: cancelled);
                foreach (Task<ErpAuthResponse> task in new[] { kingdeeTask, restTask })
                {
                    Assert.IsTrue(task.IsCanceled, "already cancelled: " + task.Status);
                    var e = Assert.Throws<AggregateException>(() => task.Wait());
                    Assert.IsInstanceOf<TaskCanceledException>(e.InnerException);
                }
                Dictionary<string, long> after = emulator.Stats();
                Assert.AreEqual(before["kingdee_business"], after["kingdee_business"], "nothing was sent");
                Assert.AreEqual(before["weaver_rest_business"], after["weaver_rest_business"], "nothing was sent");
            }
        }
    }
}
