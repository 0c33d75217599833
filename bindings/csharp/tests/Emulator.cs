using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;

namespace ErpAuth.Tests
{
    /// <summary>Where the tests find the repository's files; run-tests.sh sets the variables.</summary>
    internal static class TestPaths
    {
        /// <summary>The repository root: ERPAUTH_REPO_ROOT, else four levels above the test assembly
        /// (bindings/csharp/build/tests).</summary>
        internal static string RepoRoot
        {
            get
            {
                string root = Environment.GetEnvironmentVariable("ERPAUTH_REPO_ROOT");
                if (!string.IsNullOrEmpty(root))
                {
                    return root;
                }
                string here = Path.GetDirectoryName(typeof(TestPaths).Assembly.Location);
                return Path.GetFullPath(Path.Combine(here, "..", "..", "..", ".."));
            }
        }

        /// <summary>ERPAUTH_VECTORS_DIR, else the repository's tests/vectors.</summary>
        internal static string VectorsDirectory
        {
            get
            {
                string dir = Environment.GetEnvironmentVariable("ERPAUTH_VECTORS_DIR");
                if (string.IsNullOrEmpty(dir))
                {
                    dir = Path.GetFullPath(Path.Combine(RepoRoot, "tests", "vectors"));
                }
                if (!Directory.Exists(dir))
                {
                    throw new DirectoryNotFoundException(
                        "vector directory " + dir + " is missing: run the tests from a complete checkout of the "
                        + "repository or set ERPAUTH_VECTORS_DIR");
                }
                return dir;
            }
        }

        /// <summary>ERPAUTH_EMULATOR, else target/release/erpauth of the repository.</summary>
        internal static string EmulatorBinary
        {
            get
            {
                string path = Environment.GetEnvironmentVariable("ERPAUTH_EMULATOR");
                if (string.IsNullOrEmpty(path))
                {
                    path = Path.Combine(RepoRoot, "target", "release", "erpauth");
                }
                if (!File.Exists(path))
                {
                    throw new FileNotFoundException(
                        "emulator binary " + path + " is missing: run `cargo build --release -p erpauth-cli` or set ERPAUTH_EMULATOR");
                }
                return path;
            }
        }
    }

    /// <summary>
    /// One `erpauth emulate` process on 127.0.0.1 (docs/EMULATOR.md). It exits when this
    /// process closes its stdin, so a crashed test run never leaves it behind.
    /// </summary>
    internal sealed class Emulator : IDisposable
    {
        private const string ListeningPrefix = "listening on ";

        private readonly Process process;
        private readonly string configFile;

        private Emulator(Process process, string baseUrl, string configFile)
        {
            this.process = process;
            BaseUrl = baseUrl;
            this.configFile = configFile;
        }

        /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
        internal string BaseUrl { get; private set; }

        /// <summary>Starts an emulator, with the default credentials or the given config JSON.</summary>
        internal static Emulator Start(string configJson = null)
        {
            string arguments = "emulate --port 0 --exit-on-stdin-eof";
            string configFile = null;
            if (configJson != null)
            {
                configFile = Path.Combine(Path.GetTempPath(), "erpauth-csharp-emulator-" + Guid.NewGuid().ToString("N") + ".json");
                File.WriteAllText(configFile, configJson, new UTF8Encoding(false));
                arguments += " --config \"" + configFile + "\"";
            }
            var startInfo = new ProcessStartInfo(TestPaths.EmulatorBinary, arguments)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            Process process = Process.Start(startInfo);
            string firstLine = null;
            var started = new ManualResetEvent(false);
            var emulatorLog = new StringBuilder();
            var stdout = new Thread(() =>
            {
                string line;
                while ((line = process.StandardOutput.ReadLine()) != null)
                {
                    if (firstLine == null)
                    {
                        firstLine = line;
                        started.Set();
                    }
                    lock (emulatorLog)
                    {
                        emulatorLog.AppendLine(line);
                    }
                }
                started.Set();
            }) { IsBackground = true };
            var stderr = new Thread(() =>
            {
                string line;
                while ((line = process.StandardError.ReadLine()) != null)
                {
                    lock (emulatorLog)
                    {
                        emulatorLog.AppendLine(line);
                    }
                }
            }) { IsBackground = true };
            stdout.Start();
            stderr.Start();
            if (!started.WaitOne(TimeSpan.FromSeconds(20)) || firstLine == null || !firstLine.StartsWith(ListeningPrefix, StringComparison.Ordinal))
            {
                try
                {
                    process.Kill();
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
                process.WaitForExit(5000);
                string output;
                lock (emulatorLog)
                {
                    output = emulatorLog.ToString();
                }
                throw new InvalidOperationException(
                    "the emulator did not print \"" + ListeningPrefix + "http://127.0.0.1:PORT\"; its output:\n" + output);
            }
            var emulator = new Emulator(process, firstLine.Substring(ListeningPrefix.Length).Trim(), configFile);
            return emulator;
        }

        /// <summary>The counters of <c>GET /__emulator/stats</c>.</summary>
        internal Dictionary<string, long> Stats()
        {
            var stats = new Dictionary<string, long>();
            foreach (KeyValuePair<string, object> entry in Json.ParseObject(Request("GET", "/__emulator/stats", null)))
            {
                long? number = Json.Integer(entry.Value);
                if (number.HasValue)
                {
                    stats[entry.Key] = number.Value;
                }
            }
            return stats;
        }

        /// <summary>One counter of <c>GET /__emulator/stats</c>, e.g. <c>kingdee_auth_token</c>.</summary>
        internal long Stat(string name)
        {
            Dictionary<string, long> stats = Stats();
            long value;
            if (!stats.TryGetValue(name, out value))
            {
                throw new KeyNotFoundException("the emulator's stats have no \"" + name + "\"");
            }
            return value;
        }

        /// <summary><c>POST /__emulator/config</c> with a partial config, e.g. a fault.</summary>
        internal void Configure(string json)
        {
            Request("POST", "/__emulator/config", json);
        }

        /// <summary>Takes back any fault set with <see cref="Configure"/>.</summary>
        internal void ClearFaults()
        {
            Configure("{\"fault\":{\"kind\":\"none\"}}");
        }

        /// <summary>Kingdee client options with this emulator's default credentials (docs/EMULATOR.md).</summary>
        internal KingdeeClientOptions KingdeeOptions(string appSecret = "emu-app-secret")
        {
            return new KingdeeClientOptions
            {
                ClientId = "emu-client-id",
                ClientSecret = "emu-client-secret",
                AppKey = "emuAppKey",
                AppSecret = appSecret,
                Domain = "https://emu.jdy.com",
                BaseUrl = BaseUrl,
                Timeout = TimeSpan.FromSeconds(10),
            };
        }

        /// <summary>Kingdee client options with the default client credentials and no app key: the
        /// client pulls the authorization of the emulator's instance <c>emu-instance-1</c>.</summary>
        internal KingdeeClientOptions KingdeePullOptions()
        {
            return new KingdeeClientOptions
            {
                ClientId = "emu-client-id",
                ClientSecret = "emu-client-secret",
                OuterInstanceId = "emu-instance-1",
                BaseUrl = BaseUrl,
            };
        }

        /// <summary>Weaver client options with this emulator's default credentials (docs/EMULATOR.md).</summary>
        internal WeaverClientOptions WeaverOptions(string appId = "emu-appid")
        {
            return new WeaverClientOptions
            {
                BaseUrl = BaseUrl,
                AppId = appId,
                Secret = "emu-secret",
                AesKey = "emu-aes-key-0016",
                Timeout = TimeSpan.FromSeconds(10),
            };
        }

        /// <summary>A control request, e.g. <c>/__emulator/expire_tokens</c>; returns the answer.</summary>
        internal string Post(string path, string body)
        {
            return Request("POST", path, body);
        }

        private string Request(string method, string path, string body)
        {
            var request = (HttpWebRequest)WebRequest.Create(BaseUrl + path);
            request.Method = method;
            request.Proxy = null;
            request.Timeout = 10000;
            request.KeepAlive = false;
            if (body != null)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(body);
                request.ContentType = "application/json";
                request.ContentLength = bytes.Length;
                using (Stream stream = request.GetRequestStream())
                {
                    stream.Write(bytes, 0, bytes.Length);
                }
            }
            try
            {
                using (var response = (HttpWebResponse)request.GetResponse())
                using (var reader = new StreamReader(response.GetResponseStream(), Encoding.UTF8))
                {
                    return reader.ReadToEnd();
                }
            }
            catch (WebException e)
            {
                string answer = string.Empty;
                if (e.Response != null)
                {
                    using (var reader = new StreamReader(e.Response.GetResponseStream(), Encoding.UTF8))
                    {
                        answer = reader.ReadToEnd();
                    }
                }
                throw new InvalidOperationException(method + " " + path + " failed: " + e.Message + " " + answer, e);
            }
        }

        public void Dispose()
        {
            try
            {
                process.StandardInput.Close();
                if (!process.WaitForExit(10000))
                {
                    process.Kill();
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            process.Dispose();
            if (configFile != null)
            {
                File.Delete(configFile);
            }
        }
    }
}
