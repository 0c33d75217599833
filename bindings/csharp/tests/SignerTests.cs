using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>
    /// KingdeeSigner and WeaverSigner: the public vectors, random inputs checked against both the
    /// one-shot functions and the managed reference, errors, threads and Dispose.
    /// </summary>
    [TestFixture]
    public class SignerTests
    {
        private const int RandomSigners = 40;
        private const int RequestsPerSigner = 10;

        // Distinctive enough that finding one in a message or ToString means it leaked.
        private const string ClientSecret = "zq-client-secret-密钥-4711";
        private const string Appid = "weaverappid";
        private const string Secret = "zq-weaver-secret-密钥-4711";
        private const string AesKey = "8fy6K39X6PIEEeOq";

        // Chinese text, spaces and the characters every encoder treats differently.
        private const string Reserved = "* ~ + = & %";

        private static long SignedTimestamp(string aesKey, string sign)
        {
            string text = ManagedReference.WeaverDecrypt(aesKey, sign);
            return long.Parse(text.Substring(0, text.IndexOf('_')), CultureInfo.InvariantCulture);
        }

        [Test]
        public void EveryPublicVectorThroughTheSigners()
        {
            foreach (Dictionary<string, object> v in VectorTests.Section(VectorTests.Load("kingdee.json"), "api_signature"))
            {
                using (KingdeeSigner signer = new KingdeeSigner((string)v["client_secret"]))
                {
                    Assert.AreEqual(
                        v["signature"],
                        signer.Signature((string)v["method"], VectorTests.WireTarget(v), (string)v["nonce"], (string)v["timestamp"]));
                }
            }
            foreach (Dictionary<string, object> v in VectorTests.Section(VectorTests.Load("weaver.json"), "sign"))
            {
                using (WeaverSigner signer = new WeaverSigner((string)v["appid"], (string)v["secret"], (string)v["aes_key"]))
                {
                    Assert.AreEqual(v["sign"], signer.Sign((long)Json.Integer(v["timestamp_ms"])));
                }
            }
        }

        [Test]
        public void KingdeeSignerMatchesTheOneShotFunctionAndManagedHmacOnRandomInputs()
        {
            var random = new RandomInputs(200);
            for (int s = 0; s < RandomSigners; s++)
            {
                string clientSecret = random.Text(32);
                using (KingdeeSigner signer = new KingdeeSigner(clientSecret))
                {
                    // Many requests per signer: the prepared key must not change between them.
                    for (int i = 0; i < RequestsPerSigner; i++)
                    {
                        RandomInputs.KingdeeRequest r = random.Request();
                        string context = "seed " + random.Seed + " signer " + s + " request " + i + " target " + r.Target;

                        string expected = ManagedReference.Signature(clientSecret, r.Method, r.Target, r.Nonce, r.Timestamp);
                        Assert.AreEqual(expected, Kingdee.Signature(clientSecret, r.Method, r.Target, r.Nonce, r.Timestamp), context);
                        Assert.AreEqual(expected, signer.Signature(r.Method, r.Target, r.Nonce, r.Timestamp), context);
                    }
                }
            }
        }

        [Test]
        public void WeaverSignerMatchesTheOneShotFunctionAndManagedAesOnRandomInputs()
        {
            var random = new RandomInputs(201);
            for (int s = 0; s < RandomSigners; s++)
            {
                RandomInputs.WeaverCredentials c = random.Weaver();
                using (WeaverSigner signer = new WeaverSigner(c.Appid, c.Secret, c.AesKey))
                {
                    for (int i = 0; i < RequestsPerSigner; i++)
                    {
                        long timestamp = random.TimestampMs();
                        string context = "seed " + random.Seed + " signer " + s + " sign " + i;
                        string expected = ManagedReference.WeaverSign(c.Appid, c.Secret, c.AesKey, timestamp);
                        Assert.AreEqual(expected, Weaver.Sign(c.Appid, c.Secret, c.AesKey, timestamp), context);
                        Assert.AreEqual(expected, signer.Sign(timestamp), context);
                    }
                }
            }
        }

        [Test]
        public void ChineseTextSpacesAndReservedCharactersSignAsTheOneShotFunctions()
        {
            string clientSecret = "金蝶 密钥 " + Reserved;
            string[] targets =
            {
                // The value java-encoded once, as a client sends it.
                "/jdy/v2/bd/customer?name=" + ManagedReference.Encode("中文 " + Reserved, ".-*_"),
                // Raw '*' and '~', '+' as a space, and '=', '&', '%' escaped in both cases of hex.
                "/jdy/v2/bd/customer?q=*~+%2B%3d%26%25&q=%E4%B8%AD%e6%96%87",
                // Escaped Chinese and space in the path, and raw Chinese in path and query.
                "/%E9%87%91%E8%9D%B6%20*~/中文?名=金蝶*~",
            };
            using (KingdeeSigner signer = new KingdeeSigner(clientSecret))
            {
                foreach (string target in targets)
                {
                    string expected = ManagedReference.Signature(clientSecret, "POST", target, "4427456950", "1670305063559");
                    Assert.AreEqual(expected, Kingdee.Signature(clientSecret, "POST", target, "4427456950", "1670305063559"), target);
                    Assert.AreEqual(expected, signer.Signature("POST", target, "4427456950", "1670305063559"), target);
                }
            }

            string appid = "泛微 OA " + Reserved;
            string secret = "密钥 " + Reserved + " 中文";
            foreach (string aesKey in new[] { "中文密钥*~+=", "金蝶 中文 *~+=&%abcd", "密钥 *~+=&% 中文 金蝶abcde" })
            {
                Assert.That(Encoding.UTF8.GetByteCount(aesKey), Is.EqualTo(16).Or.EqualTo(24).Or.EqualTo(32), aesKey);
                using (WeaverSigner signer = new WeaverSigner(appid, secret, aesKey))
                {
                    string expected = ManagedReference.WeaverSign(appid, secret, aesKey, 1700000000000);
                    Assert.AreEqual(expected, Weaver.Sign(appid, secret, aesKey, 1700000000000), aesKey);
                    Assert.AreEqual(expected, signer.Sign(1700000000000), aesKey);
                }
            }
        }

        [Test]
        public void AWrongAesKeyLengthIsAnInvalidArgumentThatNeverShowsTheKeyOrSecret()
        {
            const string pattern = "Zx9#Qw7!Zx9#Qw7!Zx9#Qw7!Zx9#Qw7!Zx9#";
            foreach (int length in new[] { 0, 1, 15, 17, 23, 25, 31, 33 })
            {
                string key = pattern.Substring(0, length);
                var e = Assert.Throws<ArgumentException>(() => new WeaverSigner(Appid, Secret, key));
                Assert.AreEqual("aesKey", e.ParamName);
                StringAssert.StartsWith("aesKey must be 16, 24 or 32 bytes", e.Message);
                StringAssert.DoesNotContain("aes_key", e.Message);
                StringAssert.Contains(" " + length + " bytes", e.Message);
                StringAssert.DoesNotContain(Secret, e.Message);
                if (length > 0)
                {
                    StringAssert.DoesNotContain(key, e.Message);
                }
                // The same words as the one-shot function.
                var oneShot = Assert.Throws<ArgumentException>(() => Weaver.Sign(Appid, Secret, key, 1));
                Assert.AreEqual(oneShot.Message, e.Message);
            }
            // Bytes, not characters: 6 CJK characters are 18 bytes.
            var wide = Assert.Throws<ArgumentException>(() => new WeaverSigner(Appid, Secret, "中文中文中文"));
            StringAssert.Contains(" 18 bytes", wide.Message);
            StringAssert.DoesNotContain("中文中文中文", wide.Message);
        }

        [Test]
        public void BadRequestsAreInvalidArgumentsInTheOneShotWordsWithoutTheSecret()
        {
            string[][] badRequests =
            {
                new[] { "GET", "/p?a=%zz", "1", "2", "malformed percent escape" },
                new[] { "GET", "/p?a=%FF", "1", "2", "not UTF-8" },
                new[] { "GET", "https://host/p", "1", "2", "must start with '/'" },
                new[] { "G T", "/p", "1", "2", "method" },
                new[] { "GET", "/p", "12a", "2", "nonce" },
                new[] { "GET", "/p", "1", "2b", "timestamp" },
            };
            using (KingdeeSigner signer = new KingdeeSigner(ClientSecret))
            {
                foreach (string[] r in badRequests)
                {
                    string context = string.Join(" ", r, 0, 4);
                    var e = Assert.Throws<ArgumentException>(() => signer.Signature(r[0], r[1], r[2], r[3]), context);
                    StringAssert.Contains(r[4], e.Message, context);
                    StringAssert.DoesNotContain(ClientSecret, e.Message, context);
                    var oneShot = Assert.Throws<ArgumentException>(() => Kingdee.Signature(ClientSecret, r[0], r[1], r[2], r[3]), context);
                    Assert.AreEqual(oneShot.Message, e.Message, context);
                }
                // A failure leaves the signer as it was.
                Assert.AreEqual(
                    ManagedReference.Signature(ClientSecret, "GET", "/p?a=1", "1", "2"),
                    signer.Signature("GET", "/p?a=1", "1", "2"));
            }
        }

        [Test]
        public void NullArgumentsAreArgumentNullExceptionsNamingTheParameter()
        {
            Assert.AreEqual("clientSecret", Assert.Throws<ArgumentNullException>(() => new KingdeeSigner(null)).ParamName);
            Assert.AreEqual("appId", Assert.Throws<ArgumentNullException>(() => new WeaverSigner(null, Secret, AesKey)).ParamName);
            Assert.AreEqual("secret", Assert.Throws<ArgumentNullException>(() => new WeaverSigner(Appid, null, AesKey)).ParamName);
            Assert.AreEqual("aesKey", Assert.Throws<ArgumentNullException>(() => new WeaverSigner(Appid, Secret, null)).ParamName);
            using (KingdeeSigner signer = new KingdeeSigner(ClientSecret))
            {
                Assert.AreEqual("method", Assert.Throws<ArgumentNullException>(() => signer.Signature(null, "/", "1", "2")).ParamName);
                Assert.AreEqual("pathAndQuery", Assert.Throws<ArgumentNullException>(() => signer.Signature("GET", null, "1", "2")).ParamName);
                Assert.AreEqual("nonce", Assert.Throws<ArgumentNullException>(() => signer.Signature("GET", "/", null, "2")).ParamName);
                Assert.AreEqual("timestamp", Assert.Throws<ArgumentNullException>(() => signer.Signature("GET", "/", "1", null)).ParamName);
            }
            // What C or UTF-8 cannot carry is refused before the native call, as for the one-shot functions.
            Assert.AreEqual("clientSecret", Assert.Throws<ArgumentException>(() => new KingdeeSigner("se\0cret")).ParamName);
            Assert.AreEqual("secret", Assert.Throws<ArgumentException>(() => new WeaverSigner(Appid, "s\uD800", AesKey)).ParamName);
        }

        [Test]
        public void DisposeTwiceIsHarmlessAndUseAfterDisposeThrows()
        {
            KingdeeSigner kingdee = new KingdeeSigner(ClientSecret);
            WeaverSigner weaver = new WeaverSigner(Appid, Secret, AesKey);
            Assert.AreEqual(ManagedReference.Signature(ClientSecret, "GET", "/p", "1", "2"), kingdee.Signature("GET", "/p", "1", "2"));
            Assert.AreEqual(ManagedReference.WeaverSign(Appid, Secret, AesKey, 1), weaver.Sign(1));
            kingdee.Dispose();
            kingdee.Dispose();
            weaver.Dispose();
            weaver.Dispose();

            var e = Assert.Throws<ObjectDisposedException>(() => kingdee.Signature("GET", "/p", "1", "2"));
            Assert.AreEqual("KingdeeSigner", e.ObjectName);
            e = Assert.Throws<ObjectDisposedException>(() => weaver.Sign());
            Assert.AreEqual("WeaverSigner", e.ObjectName);
            Assert.Throws<ObjectDisposedException>(() => weaver.Sign(1700000000000));
            // Argument checks still come first, as for the clients.
            Assert.Throws<ArgumentNullException>(() => kingdee.Signature(null, "/p", "1", "2"));
            // Still disposed after the failed calls, and still harmless.
            kingdee.Dispose();
            Assert.Throws<ObjectDisposedException>(() => kingdee.Signature("GET", "/p", "1", "2"));
        }

        [Test]
        public void ToStringNeverShowsASecret()
        {
            KingdeeSigner kingdee = new KingdeeSigner(ClientSecret);
            WeaverSigner weaver = new WeaverSigner(Appid, Secret, AesKey);
            Assert.AreEqual("KingdeeSigner", kingdee.ToString());
            Assert.AreEqual("WeaverSigner[appid=weaverappid]", weaver.ToString());
            kingdee.Dispose();
            weaver.Dispose();
            Assert.AreEqual("KingdeeSigner (disposed)", kingdee.ToString());
            Assert.AreEqual("WeaverSigner[appid=weaverappid] (disposed)", weaver.ToString());
            foreach (string shown in new[] { kingdee.ToString(), weaver.ToString() })
            {
                StringAssert.DoesNotContain(ClientSecret, shown);
                StringAssert.DoesNotContain(Secret, shown);
                StringAssert.DoesNotContain(AesKey, shown);
            }
        }

        [Test]
        public void OneSignerUsedFromManyThreadsAtOnceGivesCorrectResults()
        {
            const int threads = 8;
            string clientSecret = "并发 " + Reserved;
            string aesKey = "金蝶 中文 *~+=&%abcd";
            using (KingdeeSigner kingdee = new KingdeeSigner(clientSecret))
            using (WeaverSigner weaver = new WeaverSigner(Appid, Secret, aesKey))
            {
                SignatureTests.RunConcurrently(threads, t =>
                {
                    var random = new RandomInputs(300 + t);
                    for (int i = 0; i < 300; i++)
                    {
                        string target = random.Target();
                        string nonce = random.Digits(10);
                        string timestamp = random.Digits(13);
                        long timestampMs = random.TimestampMs();
                        string context = "thread " + t + " case " + i + ": " + target + " at " + timestampMs;
                        Assert.AreEqual(
                            ManagedReference.Signature(clientSecret, "GET", target, nonce, timestamp),
                            kingdee.Signature("GET", target, nonce, timestamp),
                            context);
                        Assert.AreEqual(ManagedReference.WeaverSign(Appid, Secret, aesKey, timestampMs), weaver.Sign(timestampMs), context);
                    }
                });
            }
        }

        [Test]
        public void SignsOfNowFromManyThreadsAreNeverTheSame()
        {
            const int threads = 8;
            const int perThread = 1000;
            var timestamps = new long[threads][];
            var signs = new string[threads][];
            long before = SignatureTests.NowMs();
            using (WeaverSigner signer = new WeaverSigner(Appid, Secret, AesKey))
            {
                SignatureTests.RunConcurrently(threads, t =>
                {
                    signs[t] = new string[perThread];
                    for (int i = 0; i < perThread; i++)
                    {
                        // Every other one through the one-shot function: both draw on one process-wide clock.
                        signs[t][i] = i % 2 == 0 ? signer.Sign() : Weaver.Sign(Appid, Secret, AesKey);
                    }
                });
            }
            long after = SignatureTests.NowMs();

            Assert.AreEqual(threads * perThread, signs.SelectMany(s => s).Distinct().Count(), "a sign was made twice");
            for (int t = 0; t < threads; t++)
            {
                timestamps[t] = signs[t].Select(sign => SignedTimestamp(AesKey, sign)).ToArray();
                for (int i = 0; i < perThread; i++)
                {
                    // A sign of these credentials at that time, never behind the clock nor far ahead of it.
                    Assert.AreEqual(ManagedReference.WeaverSign(Appid, Secret, AesKey, timestamps[t][i]), signs[t][i]);
                    Assert.That(timestamps[t][i], Is.GreaterThanOrEqualTo(before));
                    Assert.That(timestamps[t][i], Is.LessThan(after + 60000));
                    if (i > 0)
                    {
                        Assert.That(timestamps[t][i], Is.GreaterThan(timestamps[t][i - 1]), "thread " + t + " sign " + i);
                    }
                }
            }
            Assert.AreEqual(threads * perThread, timestamps.SelectMany(s => s).Distinct().Count(), "a time was signed twice");
        }

        [Test]
        public void DisposeWhileOtherThreadsAreSigningIsSafe()
        {
            string expectedSignature = ManagedReference.Signature(ClientSecret, "GET", "/jdy/v2/bd/customer", "1", "2");
            string expectedSign = ManagedReference.WeaverSign(Appid, Secret, AesKey, 1700000000000);
            for (int round = 0; round < 20; round++)
            {
                var kingdee = new KingdeeSigner(ClientSecret);
                var weaver = new WeaverSigner(Appid, Secret, AesKey);
                // Every result up to the ObjectDisposedException must still be right: a signer
                // freed under a running call would give garbage or crash.
                DisposeRace.Run(t =>
                {
                    string result = t % 2 == 0
                        ? kingdee.Signature("GET", "/jdy/v2/bd/customer", "1", "2")
                        : weaver.Sign(1700000000000);
                    if (result != (t % 2 == 0 ? expectedSignature : expectedSign))
                    {
                        throw new InvalidOperationException("wrong result " + result);
                    }
                }, () =>
                {
                    kingdee.Dispose();
                    weaver.Dispose();
                });
            }
        }
    }
}
