using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>The pure functions: cross-checked against System.Security.Cryptography, errors, threads.</summary>
    [TestFixture]
    public class SignatureTests
    {
        private const int RandomCases = 400;

        /// <summary>The Unix time in milliseconds. Also used by the signer tests.</summary>
        internal static long NowMs()
        {
            return (DateTime.UtcNow.Ticks - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks) / TimeSpan.TicksPerMillisecond;
        }

        [Test]
        public void VersionIsTheCratesVersion()
        {
            string manifest = System.IO.File.ReadAllText(System.IO.Path.Combine(TestPaths.RepoRoot, "Cargo.toml"));
            // The first `version = "..."` of the root manifest is the [package] one.
            Match version = Regex.Match(manifest, "^version\\s*=\\s*\"([^\"]+)\"", RegexOptions.Multiline);
            Assert.IsTrue(version.Success, "no version in Cargo.toml");
            Assert.AreEqual(version.Groups[1].Value, Library.Version);
        }

        [Test]
        public void AppSignatureMatchesManagedHmacOnRandomInputs()
        {
            var random = new RandomInputs(1);
            for (int i = 0; i < RandomCases; i++)
            {
                string appKey = random.Text(20);
                string appSecret = random.Text(40);
                Assert.AreEqual(
                    ManagedReference.AppSignature(appKey, appSecret),
                    Kingdee.AppSignature(appKey, appSecret),
                    "seed " + random.Seed + " case " + i);
            }
        }

        [Test]
        public void StringToSignAndSignatureMatchManagedOnRandomTargets()
        {
            var random = new RandomInputs(2);
            for (int i = 0; i < RandomCases; i++)
            {
                RandomInputs.KingdeeRequest r = random.Request();
                string clientSecret = random.Text(32);
                string context = "seed " + random.Seed + " case " + i + " target " + r.Target;

                string expected = ManagedReference.StringToSign(r.Method, r.Path, r.Query, r.Nonce, r.Timestamp);
                Assert.AreEqual(expected, Kingdee.StringToSign(r.Method, r.Target, r.Nonce, r.Timestamp), context);
                // The managed decoder of the wire form must agree with the parts it was built from.
                Assert.AreEqual(expected, ManagedReference.StringToSign(r.Method, r.Target, r.Nonce, r.Timestamp), context);
                Assert.AreEqual(
                    ManagedReference.Signature(clientSecret, r.Method, r.Target, r.Nonce, r.Timestamp),
                    Kingdee.Signature(clientSecret, r.Method, r.Target, r.Nonce, r.Timestamp),
                    context);
            }
        }

        [Test]
        public void StringToSignFollowsTheSpecSorting()
        {
            // Whole "k=v" strings are sorted, values encoded twice, the empty query line kept.
            Assert.AreEqual(
                "GET\n%2Fp\na-b=1&a=2\nx-api-nonce:1\nx-api-timestamp:2\n",
                Kingdee.StringToSign("get", "/p?a=2&a-b=1", "1", "2"));
            Assert.AreEqual(
                "POST\n%2Fa+b\nk=%25E4%25B8%25AD%2B%253D%2A%257E\nx-api-nonce:1\nx-api-timestamp:2\n",
                Kingdee.StringToSign("POST", "/a%20b?k=%E4%B8%AD+%3D*~", "1", "2"));
            Assert.AreEqual(
                "GET\n%2F\n\nx-api-nonce:1\nx-api-timestamp:2\n",
                Kingdee.StringToSign("GET", "/", "1", "2"));
        }

        [Test]
        public void SignHeadersAreTheSixGatewayHeadersAndVerify()
        {
            var random = new RandomInputs(3);
            for (int i = 0; i < 50; i++)
            {
                string path;
                List<ManagedReference.Parameter> query;
                string target = random.Target(out path, out query);
                string clientId = "client-" + random.Digits(6) + "-中文";
                string clientSecret = random.Text(32);
                string method = random.Method();
                long before = NowMs();
                HeaderList headers = Kingdee.GetSignHeaders(clientId, clientSecret, method, target);
                long after = NowMs();

                CollectionAssert.AreEqual(
                    new[] { "X-Api-ClientID", "X-Api-Auth-Version", "X-Api-TimeStamp", "X-Api-Nonce", "X-Api-SignHeaders", "X-Api-Signature" },
                    headers.Keys.ToArray());
                Assert.AreEqual(clientId, headers["X-Api-ClientID"]);
                Assert.AreEqual("2.0", headers["x-api-auth-version"], "names are case-insensitive");
                Assert.AreEqual("X-Api-TimeStamp,X-Api-Nonce", headers["X-Api-SignHeaders"]);
                StringAssert.IsMatch("^[1-9][0-9]{9}$", headers["X-Api-Nonce"]);
                long timestamp = long.Parse(headers["X-Api-TimeStamp"], CultureInfo.InvariantCulture);
                Assert.That(timestamp, Is.InRange(before - 5, after + 5));
                Assert.AreEqual(
                    ManagedReference.Signature(clientSecret, method, target, headers["X-Api-Nonce"], headers["X-Api-TimeStamp"]),
                    headers["X-Api-Signature"]);
            }
        }

        [Test]
        public void SignHeadersUseAFreshNonceEachTime()
        {
            var nonces = new HashSet<string>();
            for (int i = 0; i < 200; i++)
            {
                nonces.Add(Kingdee.GetSignHeaders("id", "secret", "GET", "/p")["X-Api-Nonce"]);
            }
            Assert.That(nonces.Count, Is.GreaterThan(195));
        }

        [Test]
        public void WeaverSignMatchesManagedAesOnRandomInputs()
        {
            var random = new RandomInputs(4);
            for (int i = 0; i < RandomCases; i++)
            {
                RandomInputs.WeaverCredentials c = random.Weaver();
                long timestamp = random.TimestampMs();
                Assert.AreEqual(
                    ManagedReference.WeaverSign(c.Appid, c.Secret, c.AesKey, timestamp),
                    Weaver.Sign(c.Appid, c.Secret, c.AesKey, timestamp),
                    "seed " + random.Seed + " case " + i);
            }
        }

        [Test]
        public void WeaverSignOfNowIsCurrentAndStrictlyIncreasing()
        {
            const string key = "8fy6K39X6PIEEeOq";
            long previous = 0;
            for (int i = 0; i < 1000; i++)
            {
                long before = NowMs();
                string sign = Weaver.Sign("appid", "secret", key, i % 2 == 0 ? 0 : -1);
                Assert.AreEqual(96, sign.Length);
                string text = ManagedReference.WeaverDecrypt(key, sign);
                long timestamp = long.Parse(text.Substring(0, text.IndexOf('_')), CultureInfo.InvariantCulture);
                Assert.AreEqual(ManagedReference.WeaverSignText("appid", "secret", timestamp), text);
                Assert.That(timestamp, Is.GreaterThan(previous), "times handed out must strictly increase");
                // It may run ahead of the clock when calls outrun it, never behind.
                Assert.That(timestamp, Is.GreaterThanOrEqualTo(before));
                Assert.That(timestamp, Is.LessThan(NowMs() + 60000));
                previous = timestamp;
            }
        }

        [Test]
        public void WeaverSignsFromManyThreadsAreAllDistinct()
        {
            const int threads = 8;
            const int perThread = 2000;
            var signs = new string[threads][];
            RunConcurrently(threads, t =>
            {
                signs[t] = new string[perThread];
                for (int i = 0; i < perThread; i++)
                {
                    signs[t][i] = Weaver.Sign("appid", "secret", "8fy6K39X6PIEEeOq");
                }
            });
            Assert.AreEqual(threads * perThread, signs.SelectMany(s => s).Distinct().Count());
        }

        [Test]
        public void ResultsLongerThanTheInitialBufferGrowIt()
        {
            // Longer than the 1 KiB first buffer, and (second case) than the 64 KiB kept per thread.
            foreach (int length in new[] { 3000, 70000 })
            {
                string value = string.Concat(Enumerable.Repeat("中 x", length / 3));
                string target = "/long?v=" + ManagedReference.Encode(value, ".-*_");
                string expected = ManagedReference.StringToSign("GET", target, "1", "2");
                Assert.That(Encoding.UTF8.GetByteCount(expected), Is.GreaterThan(length));
                Assert.AreEqual(expected, Kingdee.StringToSign("GET", target, "1", "2"));
                Assert.AreEqual(
                    ManagedReference.Signature("s", "GET", target, "1", "2"),
                    Kingdee.Signature("s", "GET", target, "1", "2"));
            }
            // And a short one right after, on the same thread's buffer.
            Assert.AreEqual(ManagedReference.AppSignature("abc", "abc123"), Kingdee.AppSignature("abc", "abc123"));
        }

        [Test]
        public void ManyThreadsGetTheirOwnCorrectResults()
        {
            RunConcurrently(8, t =>
            {
                var random = new RandomInputs(100 + t);
                for (int i = 0; i < 300; i++)
                {
                    string target = random.Target();
                    string secret = random.Text(20);
                    // Vary result sizes so threads grow their buffers at different times.
                    if (i % 50 == 0)
                    {
                        target += "&big=" + new string('x', 5000 + random.Next(5000));
                    }
                    Assert.AreEqual(
                        ManagedReference.Signature(secret, "GET", target, "123", "456"),
                        Kingdee.Signature(secret, "GET", target, "123", "456"),
                        "thread " + t + " case " + i + ": " + target);
                }
            });
        }

        [Test]
        public void NativeFailuresAreErpAuthExceptionsWithTheLibrarysReason()
        {
            var e = Assert.Throws<ArgumentException>(() => Kingdee.StringToSign("GET", "/p?a=%zz", "1", "2"));
            StringAssert.Contains("malformed percent escape", e.Message);

            e = Assert.Throws<ArgumentException>(() => Kingdee.StringToSign("GET", "/p?a=%FF", "1", "2"));
            StringAssert.Contains("not UTF-8", e.Message);

            e = Assert.Throws<ArgumentException>(() => Kingdee.Signature("s", "GET", "https://host/p", "1", "2"));
            StringAssert.StartsWith("pathAndQuery must start with '/'", e.Message);
            Assert.AreEqual("pathAndQuery", e.ParamName);

            e = Assert.Throws<ArgumentException>(() => Kingdee.Signature("s", "G T", "/p", "1", "2"));
            StringAssert.Contains("method", e.Message);

            e = Assert.Throws<ArgumentException>(() => Kingdee.StringToSign("GET", "/p", "12a", "2"));
            StringAssert.Contains("nonce", e.Message);

            e = Assert.Throws<ArgumentException>(() => Kingdee.GetSignHeaders("bad\r\nid", "s", "GET", "/p"));
            StringAssert.Contains("clientId", e.Message);
            StringAssert.DoesNotContain("client_id", e.Message);
        }

        [Test]
        public void AWrongAesKeyLengthNamesTheLengthButNeverTheKey()
        {
            foreach (int length in new[] { 0, 15, 17, 31, 33 })
            {
                string key = new string('k', length);
                var e = Assert.Throws<ArgumentException>(() => Weaver.Sign("a", "s", key, 1700000000000));
                StringAssert.Contains(length + " bytes", e.Message);
                if (length > 0)
                {
                    StringAssert.DoesNotContain(key, e.Message);
                }
            }
            // Bytes, not characters: 6 CJK characters are 18 bytes.
            var wide = Assert.Throws<ArgumentException>(() => Weaver.Sign("a", "s", "中文中文中文", 1));
            StringAssert.Contains("18 bytes", wide.Message);
        }

        [Test]
        public void EachThreadSeesItsOwnLastError()
        {
            RunConcurrently(8, t =>
            {
                // Each thread fails with a message naming its own key length.
                int length = 1 + t;
                for (int i = 0; i < 500; i++)
                {
                    var e = Assert.Throws<ArgumentException>(() => Weaver.Sign("a", "s", new string('k', length), 1));
                    StringAssert.Contains(" " + length + " bytes", e.Message, "thread " + t);
                    // Successes in between must not disturb the next failure's message.
                    Kingdee.AppSignature("k", "s");
                }
            });
        }

        [Test]
        public void ManagedArgumentErrorsComeBeforeTheNativeCall()
        {
            Assert.Throws<ArgumentNullException>(() => Kingdee.AppSignature(null, "s"));
            Assert.Throws<ArgumentNullException>(() => Kingdee.AppSignature("k", null));
            Assert.Throws<ArgumentNullException>(() => Kingdee.StringToSign("GET", null, "1", "2"));
            Assert.Throws<ArgumentNullException>(() => Kingdee.Signature("s", "GET", "/", null, "2"));
            Assert.Throws<ArgumentNullException>(() => Kingdee.GetSignHeaders("id", "s", null, "/"));
            Assert.Throws<ArgumentNullException>(() => Weaver.Sign("a", "s", null));

            var nul = Assert.Throws<ArgumentException>(() => Kingdee.AppSignature("k\0ey", "s"));
            Assert.AreEqual("appKey", nul.ParamName);
            StringAssert.Contains("NUL", nul.Message);

            var surrogate = Assert.Throws<ArgumentException>(() => Weaver.Sign("a", "s\uD800", "8fy6K39X6PIEEeOq", 1));
            Assert.AreEqual("secret", surrogate.ParamName);
            StringAssert.Contains("surrogate", surrogate.Message);
        }

        [Test]
        public void NonAsciiGoesInAndOutAsUtf8NotTheAnsiCodePage()
        {
            // GBK would encode 中 as D6 D0; UTF-8 as E4 B8 AD. The path comes back gw-encoded.
            Assert.AreEqual(
                "GET\n%2F%E4%B8%AD%F0%9F%98%80\n\nx-api-nonce:1\nx-api-timestamp:2\n",
                Kingdee.StringToSign("GET", "/中\U0001F600", "1", "2"));
            Assert.AreEqual(ManagedReference.AppSignature("金蝶", "密钥"), Kingdee.AppSignature("金蝶", "密钥"));
            var e = Assert.Throws<ArgumentException>(() => Kingdee.StringToSign("GET", "/中%", "1", "2"));
            StringAssert.Contains("malformed percent escape", e.Message);
        }

        [Test]
        public void ExceptionsSurviveSerializationWithTheirStatus()
        {
            var original = new ErpAuthException(Status.Rejected, "1030002006 授权密钥校验失败");
            var formatter = new System.Runtime.Serialization.Formatters.Binary.BinaryFormatter();
            using (var stream = new System.IO.MemoryStream())
            {
                formatter.Serialize(stream, original);
                stream.Position = 0;
                var copy = (ErpAuthException)formatter.Deserialize(stream);
                Assert.AreEqual(Status.Rejected, copy.Status);
                Assert.AreEqual(original.Message, copy.Message);
            }
        }

        /// <summary>
        /// Runs <paramref name="body"/> on <paramref name="count"/> threads released together. A failed
        /// assertion or any other exception on a thread ends that thread and fails the caller (all of
        /// them together, as one AggregateException).
        /// </summary>
        internal static void RunConcurrently(int count, Action<int> body)
        {
            var start = new ManualResetEvent(false);
            var errors = new List<Exception>();
            var threads = new Thread[count];
            for (int t = 0; t < count; t++)
            {
                int index = t;
                threads[t] = new Thread(() =>
                {
                    start.WaitOne();
                    try
                    {
                        body(index);
                    }
                    catch (Exception e)
                    {
                        lock (errors)
                        {
                            errors.Add(e);
                        }
                    }
                });
                threads[t].Start();
            }
            start.Set();
            foreach (Thread thread in threads)
            {
                Assert.IsTrue(thread.Join(TimeSpan.FromMinutes(2)), "a thread did not finish");
            }
            if (errors.Count > 0)
            {
                throw new AggregateException(errors);
            }
        }
    }
}
