using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using ErpAuth.Tests;

namespace ErpAuth.Benchmark
{
    /// <summary>
    /// Times the binding (P/Invoke into the Rust library) against the same computation in
    /// managed code (ManagedReference: System.Security.Cryptography), side by side in one run:
    /// the rounds alternate between the two so drift of the machine affects both alike. Prints a
    /// Markdown table of median nanoseconds per call. Not part of the test run.
    /// Usage: ErpAuth.Benchmark.exe [rounds] [milliseconds per round]
    /// </summary>
    public static class Program
    {
        private const string Target =
            "/jdyconnector/app_management/kingdee_auth_token?app_key=bVZgAZOv1"
            + "&app_signature=MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA%3D%3D";

        private static readonly RandomNumberGenerator Random = RandomNumberGenerator.Create();

        public static int Main(string[] args)
        {
            int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
            int roundMs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;

            // The signers live for the whole run, as they would in an application.
            using (KingdeeSigner kingdeeSigner = new KingdeeSigner("f2adcfef73369bfc4e1384677d38a0ff"))
            using (WeaverSigner weaverSigner = new WeaverSigner("weaverappid", "weaversecret", "8fy6K39X6PIEEeOq"))
            {
                var managedKingdeeSigner = new ManagedKingdeeSigner("f2adcfef73369bfc4e1384677d38a0ff");
                var managedWeaverSigner = new ManagedWeaverSigner("weaverappid", "weaversecret", "8fy6K39X6PIEEeOq");
                return Run(rounds, roundMs, kingdeeSigner, weaverSigner, managedKingdeeSigner, managedWeaverSigner);
            }
        }

        private static int Run(
            int rounds,
            int roundMs,
            KingdeeSigner kingdeeSigner,
            WeaverSigner weaverSigner,
            ManagedKingdeeSigner managedKingdeeSigner,
            ManagedWeaverSigner managedWeaverSigner)
        {
            var cases = new List<Case>
            {
                new Case(
                    "Kingdee app_signature",
                    () => Kingdee.AppSignature("bVZgAZOv1", "abc123"),
                    () => ManagedReference.AppSignature("bVZgAZOv1", "abc123")),
                new Case(
                    "Kingdee X-Api-Signature (vector request)",
                    () => Kingdee.Signature("f2adcfef73369bfc4e1384677d38a0ff", "GET", Target, "4427456950", "1670305063559"),
                    () => ManagedReference.Signature("f2adcfef73369bfc4e1384677d38a0ff", "GET", Target, "4427456950", "1670305063559")),
                new Case(
                    "Kingdee X-Api-Signature, signer (vector request)",
                    () => kingdeeSigner.Signature("GET", Target, "4427456950", "1670305063559"),
                    () => managedKingdeeSigner.Signature("GET", Target, "4427456950", "1670305063559")),
                new Case(
                    "Kingdee six headers (fresh nonce, now)",
                    () => Kingdee.GetSignHeaders("client-id", "f2adcfef73369bfc4e1384677d38a0ff", "GET", Target),
                    () => ManagedSignHeaders("client-id", "f2adcfef73369bfc4e1384677d38a0ff", "GET", Target)),
                new Case(
                    "Weaver getToken sign (AES-128)",
                    () => Weaver.Sign("weaverappid", "weaversecret", "8fy6K39X6PIEEeOq", 1700000000000),
                    () => ManagedReference.WeaverSign("weaverappid", "weaversecret", "8fy6K39X6PIEEeOq", 1700000000000)),
                new Case(
                    "Weaver getToken sign, signer (AES-128)",
                    () => weaverSigner.Sign(1700000000000),
                    () => managedWeaverSigner.Sign(1700000000000)),
            };

            // Both sides must compute the same thing before their speed means anything; twice, so
            // that state a prepared side carries from one call to the next would show.
            foreach (Case c in cases.Where(c => !c.Name.Contains("headers")))
            {
                for (int check = 0; check < 2; check++)
                {
                    if (!Equals(c.Native(), c.Managed()))
                    {
                        Console.Error.WriteLine("results differ for " + c.Name);
                        return 1;
                    }
                }
            }

            Console.WriteLine("Runtime: " + RuntimeDescription() + "; " + Environment.ProcessorCount + " logical CPUs; "
                + (IntPtr.Size * 8) + "-bit; " + rounds + " rounds of ~" + roundMs + " ms per side");
            Console.WriteLine();
            Console.WriteLine("| operation | binding (ns/call, median) | managed (ns/call, median) | managed / binding |");
            Console.WriteLine("|---|---:|---:|---:|");
            foreach (Case c in cases)
            {
                int iterations = Calibrate(c.Native, roundMs);
                int managedIterations = Calibrate(c.Managed, roundMs);
                var native = new List<double>();
                var managed = new List<double>();
                for (int round = 0; round < rounds; round++)
                {
                    native.Add(NanosecondsPerCall(c.Native, iterations));
                    managed.Add(NanosecondsPerCall(c.Managed, managedIterations));
                }
                double nativeMedian = Median(native);
                double managedMedian = Median(managed);
                Console.WriteLine(string.Format(
                    CultureInfo.InvariantCulture,
                    "| {0} | {1:F0} | {2:F0} | {3:F2} |",
                    c.Name, nativeMedian, managedMedian, managedMedian / nativeMedian));
            }
            return 0;
        }

        private sealed class Case
        {
            internal Case(string name, Func<object> native, Func<object> managed)
            {
                Name = name;
                Native = native;
                Managed = managed;
            }

            internal string Name { get; private set; }

            internal Func<object> Native { get; private set; }

            internal Func<object> Managed { get; private set; }
        }

        /// <summary>
        /// The managed counterpart of KingdeeSigner: one HMACSHA256 keyed once and reused, so the
        /// signer rows compare prepared with prepared. Not thread-safe (the benchmark is one thread).
        /// </summary>
        private sealed class ManagedKingdeeSigner
        {
            private readonly HMACSHA256 hmac;

            internal ManagedKingdeeSigner(string clientSecret)
            {
                hmac = new HMACSHA256(Encoding.UTF8.GetBytes(clientSecret));
            }

            internal string Signature(string method, string pathAndQuery, string nonce, string timestamp)
            {
                byte[] message = Encoding.UTF8.GetBytes(ManagedReference.StringToSign(method, pathAndQuery, nonce, timestamp));
                string hex = ManagedReference.LowerHex(hmac.ComputeHash(message));
                return Convert.ToBase64String(Encoding.ASCII.GetBytes(hex));
            }
        }

        /// <summary>
        /// The managed counterpart of WeaverSigner: the MD5 part of the text computed once and one
        /// AES-ECB encryptor reused. Not thread-safe (the benchmark is one thread).
        /// </summary>
        private sealed class ManagedWeaverSigner
        {
            private readonly string digestSuffix;
            private readonly ICryptoTransform encryptor;

            internal ManagedWeaverSigner(string appid, string secret, string aesKey)
            {
                // WeaverSignText of any time is "<time>_<digest>"; keep "_<digest>".
                string text = ManagedReference.WeaverSignText(appid, secret, 0);
                digestSuffix = text.Substring(text.IndexOf('_'));
                Aes aes = Aes.Create();
                aes.Mode = CipherMode.ECB;
                aes.Padding = PaddingMode.PKCS7;
                aes.Key = Encoding.UTF8.GetBytes(aesKey);
                encryptor = aes.CreateEncryptor();
            }

            internal string Sign(long timestampMs)
            {
                byte[] plain = Encoding.UTF8.GetBytes(timestampMs.ToString(CultureInfo.InvariantCulture) + digestSuffix);
                return ManagedReference.LowerHex(encryptor.TransformFinalBlock(plain, 0, plain.Length));
            }
        }

        /// <summary>What SignHeaders does, in managed code: a ten-digit random nonce, the time, the signature.</summary>
        private static IDictionary<string, string> ManagedSignHeaders(string clientId, string clientSecret, string method, string target)
        {
            var bytes = new byte[8];
            Random.GetBytes(bytes);
            ulong nonce = 1000000000UL + BitConverter.ToUInt64(bytes, 0) % 9000000000UL;
            long now = (DateTime.UtcNow.Ticks - 621355968000000000L) / TimeSpan.TicksPerMillisecond;
            string nonceText = nonce.ToString(CultureInfo.InvariantCulture);
            string timestamp = now.ToString(CultureInfo.InvariantCulture);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            headers["X-Api-ClientID"] = clientId;
            headers["X-Api-Auth-Version"] = "2.0";
            headers["X-Api-TimeStamp"] = timestamp;
            headers["X-Api-Nonce"] = nonceText;
            headers["X-Api-SignHeaders"] = "X-Api-TimeStamp,X-Api-Nonce";
            headers["X-Api-Signature"] = ManagedReference.Signature(clientSecret, method, target, nonceText, timestamp);
            return headers;
        }

        /// <summary>Iterations that take about <paramref name="targetMs"/>, after a warm-up.</summary>
        private static int Calibrate(Func<object> call, int targetMs)
        {
            int iterations = 16;
            while (true)
            {
                Stopwatch watch = Stopwatch.StartNew();
                for (int i = 0; i < iterations; i++)
                {
                    call();
                }
                watch.Stop();
                if (watch.ElapsedMilliseconds >= targetMs / 4 || iterations >= 1 << 24)
                {
                    return (int)Math.Max(16, iterations * (double)targetMs / Math.Max(1, watch.ElapsedMilliseconds));
                }
                iterations *= 4;
            }
        }

        private static double NanosecondsPerCall(Func<object> call, int iterations)
        {
            Stopwatch watch = Stopwatch.StartNew();
            for (int i = 0; i < iterations; i++)
            {
                call();
            }
            watch.Stop();
            return watch.Elapsed.TotalMilliseconds * 1e6 / iterations;
        }

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            int middle = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }

        private static string RuntimeDescription()
        {
            Type mono = Type.GetType("Mono.Runtime");
            if (mono != null)
            {
                var display = mono.GetMethod("GetDisplayName", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static);
                if (display != null)
                {
                    return "Mono " + display.Invoke(null, null);
                }
            }
            return ".NET CLR " + Environment.Version;
        }
    }
}
