using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using NUnit.Framework;

namespace ErpAuth.Tests
{
    /// <summary>
    /// Every public vector of tests/vectors/*.json through the binding. A vector file or a
    /// section this test does not know fails it, so a new vector is never skipped silently.
    /// </summary>
    [TestFixture]
    public class VectorTests
    {
        /// <summary>A vector file, parsed. Also read by the signer tests.</summary>
        internal static Dictionary<string, object> Load(string name)
        {
            return Json.ParseObject(File.ReadAllText(Path.Combine(TestPaths.VectorsDirectory, name), Encoding.UTF8));
        }

        /// <summary>The entries of one section of a vector file; an empty section fails.</summary>
        internal static IEnumerable<Dictionary<string, object>> Section(Dictionary<string, object> file, string name)
        {
            var entries = (object[])file[name];
            Assert.IsNotEmpty(entries, "vector section " + name + " is empty");
            foreach (object entry in entries)
            {
                yield return (Dictionary<string, object>)entry;
            }
        }

        [Test]
        public void EveryVectorFileAndSectionIsKnown()
        {
            var known = new Dictionary<string, string[]>
            {
                { "kingdee.json", new[] { "source", "app_signature", "api_signature" } },
                { "weaver.json", new[] { "source", "sign" } },
            };
            // The e9 REST client has no C# API yet; tests/weaver_rest_client.rs checks these.
            var checkedElsewhere = new[] { "weaver_rest.json" };
            string[] files = Directory.GetFiles(TestPaths.VectorsDirectory, "*.json");
            Assert.IsNotEmpty(files);
            foreach (string path in files)
            {
                string name = Path.GetFileName(path);
                if (Array.IndexOf(checkedElsewhere, name) >= 0)
                {
                    continue;
                }
                Assert.IsTrue(known.ContainsKey(name), "vector file " + name + " is not checked by the C# tests");
                foreach (string section in Load(name).Keys)
                {
                    CollectionAssert.Contains(known[name], section, "section " + section + " of " + name + " is not checked");
                }
            }
        }

        [Test]
        public void KingdeeAppSignature()
        {
            foreach (Dictionary<string, object> v in Section(Load("kingdee.json"), "app_signature"))
            {
                Assert.AreEqual(v["app_signature"], Kingdee.AppSignature((string)v["app_key"], (string)v["app_secret"]));
            }
        }

        [Test]
        public void KingdeeApiSignatureAndStringToSign()
        {
            foreach (Dictionary<string, object> v in Section(Load("kingdee.json"), "api_signature"))
            {
                string target = WireTarget(v);
                string method = (string)v["method"];
                string nonce = (string)v["nonce"];
                string timestamp = (string)v["timestamp"];
                Assert.AreEqual(v["string_to_sign"], Kingdee.StringToSign(method, target, nonce, timestamp));
                Assert.AreEqual(
                    v["signature"],
                    Kingdee.Signature((string)v["client_secret"], method, target, nonce, timestamp));
                // hmac_hex is what the Base64 wraps.
                Assert.AreEqual(
                    v["signature"],
                    System.Convert.ToBase64String(Encoding.ASCII.GetBytes((string)v["hmac_hex"])));
            }
        }

        /// <summary>
        /// The request target of an api_signature vector as it goes on the wire. The vector's
        /// query holds raw values; on the wire each is java-encoded once (so '=' travels as
        /// %3D), which the library decodes before signing.
        /// </summary>
        internal static string WireTarget(Dictionary<string, object> v)
        {
            var target = new StringBuilder((string)v["path"]);
            char separator = '?';
            foreach (object pair in (object[])v["query"])
            {
                var kv = (object[])pair;
                target.Append(separator)
                    .Append(ManagedReference.Encode((string)kv[0], ".-*_"))
                    .Append('=')
                    .Append(ManagedReference.Encode((string)kv[1], ".-*_"));
                separator = '&';
            }
            return target.ToString();
        }

        [Test]
        public void WeaverSign()
        {
            foreach (Dictionary<string, object> v in Section(Load("weaver.json"), "sign"))
            {
                long timestamp = (long)Json.Integer(v["timestamp_ms"]);
                string sign = Weaver.Sign((string)v["appid"], (string)v["secret"], (string)v["aes_key"], timestamp);
                Assert.AreEqual(v["sign"], sign);
                Assert.AreEqual(v["plaintext"], ManagedReference.WeaverDecrypt((string)v["aes_key"], sign));
            }
        }
    }
}
