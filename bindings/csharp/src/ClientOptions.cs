using System;

namespace ErpAuth
{
    /// <summary>Which root certificates a client's TLS connections trust.</summary>
    public enum TlsRoots
    {
        /// <summary>Mozilla's root certificates, built into the library (the library's default).</summary>
        WebPki,

        /// <summary>The operating system's trust store and verifier.</summary>
        System,
    }

    /// <summary>
    /// Transport options both clients share. Every property left null keeps the library's
    /// default; a bad value makes the client's constructor throw an
    /// <see cref="ArgumentException"/> naming the property.
    /// </summary>
    public abstract class ClientOptions
    {
        /// <summary>Bound on a whole request, connect to last byte (<c>timeout_ms</c>; library default 10 s).</summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>Root certificates to trust (<c>tls_roots</c>; library default <see cref="ErpAuth.TlsRoots.WebPki"/>).</summary>
        public TlsRoots? TlsRoots { get; set; }

        /// <summary>A PEM file of the CA certificates to trust <em>instead of</em> the built-in web roots,
        /// for servers with an internal CA: only these are trusted then. Cannot be combined with
        /// <see cref="ErpAuth.TlsRoots.System"/> (add the CA to the system store instead).</summary>
        public string CaFile { get; set; }

        /// <summary>An HTTP proxy URL such as <c>http://user:pass@proxy:3128</c>. Without it (and without
        /// <see cref="ProxyFromEnvironment"/>) no proxy is used, whatever HTTP_PROXY says.</summary>
        public string Proxy { get; set; }

        /// <summary>The largest business-call answer accepted, in bytes (<c>max_body_bytes</c>; library
        /// default 10 MiB); a larger one is refused.</summary>
        public long? MaxBodyBytes { get; set; }

        /// <summary>Use the proxy of the environment variables <c>HTTPS_PROXY</c>/<c>HTTP_PROXY</c>.
        /// Off by default, so that an intranet server is never sent to a proxy unasked. Cannot be
        /// combined with <see cref="Proxy"/>.</summary>
        public bool ProxyFromEnvironment { get; set; }

        /// <summary>Refresh a cached token this long before it ends, at most a tenth of its lifetime
        /// (<c>refresh_margin_s</c>, whole seconds; library default 5 minutes).</summary>
        public TimeSpan? RefreshMargin { get; set; }

        /// <summary>The config JSON the library's <c>*_client_new</c> takes. It contains the secrets:
        /// do not log it.</summary>
        internal abstract string ToJson();

        internal void WriteTransport(JsonObjectWriter json)
        {
            json.Integer("timeout_ms", WholeUnits(Timeout, TimeSpan.TicksPerMillisecond, "Timeout", "milliseconds"));
            if (TlsRoots.HasValue)
            {
                json.String("tls_roots", TlsRootsName(TlsRoots.Value));
            }
            json.String("ca_file", CaFile);
            if (ProxyFromEnvironment)
            {
                if (Proxy != null)
                {
                    throw new ArgumentException("Proxy and ProxyFromEnvironment cannot both be set", "Proxy");
                }
                json.String("proxy", "env");
            }
            else
            {
                json.String("proxy", Proxy);
            }
            json.Integer("max_body_bytes", MaxBodyBytes);
            json.Integer("refresh_margin_s", WholeUnits(RefreshMargin, TimeSpan.TicksPerSecond, "RefreshMargin", "seconds"));
        }

        /// <summary>
        /// <paramref name="value"/> in whole units. A fraction is refused rather than rounded, so
        /// a 0.5 s margin never silently becomes 0, and so is a negative span. Upper bounds are
        /// the library's.
        /// </summary>
        internal static long? WholeUnits(TimeSpan? value, long ticksPerUnit, string property, string unit)
        {
            if (!value.HasValue)
            {
                return null;
            }
            if (value.Value.Ticks < 0)
            {
                throw new ArgumentOutOfRangeException(property, value.Value, property + " must not be negative");
            }
            if (value.Value.Ticks % ticksPerUnit != 0)
            {
                throw new ArgumentException(property + " must be a whole number of " + unit, property);
            }
            return value.Value.Ticks / ticksPerUnit;
        }

        private static string TlsRootsName(TlsRoots roots)
        {
            switch (roots)
            {
                case ErpAuth.TlsRoots.WebPki:
                    return "webpki";
                case ErpAuth.TlsRoots.System:
                    return "system";
                default:
                    throw new ArgumentException("TlsRoots has no value " + (int)roots, "TlsRoots");
            }
        }
    }

    /// <summary>Configuration of a <see cref="KingdeeClient"/>.</summary>
    public sealed class KingdeeClientOptions : ClientOptions
    {
        /// <summary>The developer app's client id (<c>X-Api-ClientID</c>). Required.</summary>
        public string ClientId { get; set; }

        /// <summary>The developer app's client secret, the key of <c>X-Api-Signature</c>. Required.</summary>
        public string ClientSecret { get; set; }

        /// <summary>The account authorization's app_key. Required.</summary>
        public string AppKey { get; set; }

        /// <summary>The account authorization's app_secret, the key of <c>app_signature</c>; rotates
        /// every 24 h. Required.</summary>
        public string AppSecret { get; set; }

        /// <summary>The gateway (library default <c>https://api.kingdee.com</c>).</summary>
        public string BaseUrl { get; set; }

        /// <summary>Ask for the token of this cloud-account user of the same enterprise (<c>uid</c>).</summary>
        public string Uid { get; set; }

        /// <summary>The instance id of Kingdee's authorization push: with it, <see cref="AppKey"/>,
        /// <see cref="AppSecret"/> and <see cref="Domain"/> may be left out; the client pulls them
        /// (<c>push_app_authorize</c>) and pulls again when the gateway says the app secret rotated.</summary>
        public string OuterInstanceId { get; set; }

        /// <summary>Allow a plain <c>http://</c> gateway that is not on this machine (<c>allow_insecure_http</c>;
        /// default: refused, so that credentials never cross a network in clear by mistake).</summary>
        public bool? AllowInsecureHttp { get; set; }

        /// <summary>The account's domain, e.g. <c>https://tf.jdy.com</c>, sent as <c>X-GW-Router-Addr</c>
        /// with business-call headers.</summary>
        public string Domain { get; set; }

        internal override string ToJson()
        {
            var json = new JsonObjectWriter()
                .String("client_id", ClientId)
                .String("client_secret", ClientSecret)
                .String("app_key", AppKey)
                .String("app_secret", AppSecret)
                .String("base_url", BaseUrl)
                .String("uid", Uid)
                .String("domain", Domain)
                .String("outer_instance_id", OuterInstanceId)
                .Boolean("allow_insecure_http", AllowInsecureHttp);
            WriteTransport(json);
            return json.ToString();
        }
    }

    /// <summary>Configuration of a <see cref="WeaverClient"/>.</summary>
    public sealed class WeaverClientOptions : ClientOptions
    {
        /// <summary>The e9 server, e.g. <c>http://oa.example.com:8080</c>. Required.</summary>
        public string BaseUrl { get; set; }

        /// <summary>The application id issued by the OA administrator. Required.</summary>
        public string AppId { get; set; }

        /// <summary>The application secret. Required.</summary>
        public string Secret { get; set; }

        /// <summary>The AES key, 16, 24 or 32 bytes of UTF-8. Required.</summary>
        public string AesKey { get; set; }

        /// <summary>How long the server keeps a token (<c>token_ttl_s</c>, whole seconds; library
        /// default 30 minutes, the e9 default).</summary>
        public TimeSpan? TokenTtl { get; set; }

        /// <summary>At most this many users' tokens are cached (<c>max_users</c>; library default 10 000,
        /// the least recently used go first).</summary>
        public long? MaxUsers { get; set; }

        internal override string ToJson()
        {
            var json = new JsonObjectWriter()
                .String("base_url", BaseUrl)
                .String("appid", AppId)
                .String("secret", Secret)
                .String("aes_key", AesKey)
                .Integer("token_ttl_s", WholeUnits(TokenTtl, TimeSpan.TicksPerSecond, "TokenTtl", "seconds"))
                .Integer("max_users", MaxUsers);
            WriteTransport(json);
            return json.ToString();
        }
    }

    /// <summary>Configuration of a <see cref="WeaverRestClient"/>.</summary>
    public sealed class WeaverRestClientOptions : ClientOptions
    {
        /// <summary>The e9 server, e.g. <c>http://oa.example.com:8080</c>. Required.</summary>
        public string BaseUrl { get; set; }

        /// <summary>The application id the OA administrator set up for REST access. Required.</summary>
        public string AppId { get; set; }

        /// <summary>Where the client keeps its RSA key pair, spk and secrit: registered once on first
        /// use, written atomically with owner-only permissions, safely shared by several processes.
        /// Either this or <see cref="Spk"/> and <see cref="Secrit"/>.</summary>
        public string StateFile { get; set; }

        /// <summary>The server's public key of an earlier registration (Base64 DER), with <see cref="Secrit"/>.</summary>
        public string Spk { get; set; }

        /// <summary>The secret of an earlier registration (e9 spells it <c>secrit</c>), with <see cref="Spk"/>.</summary>
        public string Secrit { get; set; }

        /// <summary>The token lifetime asked of applytoken (<c>token_ttl_s</c>, whole seconds; default 30 minutes).</summary>
        public TimeSpan? TokenTtl { get; set; }

        internal override string ToJson()
        {
            var json = new JsonObjectWriter()
                .String("base_url", BaseUrl)
                .String("appid", AppId)
                .String("state_file", StateFile)
                .String("spk", Spk)
                .String("secrit", Secrit)
                .Integer("token_ttl_s", WholeUnits(TokenTtl, TimeSpan.TicksPerSecond, "TokenTtl", "seconds"));
            WriteTransport(json);
            return json.ToString();
        }
    }
}
