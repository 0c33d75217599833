package io.github.erpauth.bench;

import cn.hutool.crypto.SecureUtil;
import cn.hutool.crypto.symmetric.AES;
import io.github.erpauth.Kingdee;
import io.github.erpauth.KingdeeSigner;
import io.github.erpauth.Weaver;
import io.github.erpauth.WeaverSigner;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The binding against hand-written Java, on the same inputs: Kingdee's documented example
 * request (docs/protocol/kingdee.md) and the Weaver sign of the seed page. Setup checks that
 * both sides compute the same value, so only equal work is compared.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SignatureBenchmark {
    static final String CLIENT_SECRET = "f2adcfef73369bfc4e1384677d38a0ff";
    static final String PATH = "/jdyconnector/app_management/kingdee_auth_token";
    static final String APP_KEY = "bVZgAZOv1";
    static final String APP_SIGNATURE = "MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJmOTlkZA==";
    static final String NONCE = "4427456950";
    static final String TIMESTAMP = "1670305063559";
    static final String APP_SECRET = "abc123";

    static final String APPID = "weaverappid";
    static final String SECRET = "weaversecret";
    static final String AES_KEY = "8fy6K39X6PIEEeOq";

    // The request target as it goes on the wire (what the binding takes) and the decoded
    // parameters (what the hand-written code takes): the same request.
    private final String target = PATH + "?app_key=" + APP_KEY + "&app_signature=" + APP_SIGNATURE.replace("=", "%3D");
    private final Map<String, String> params = new LinkedHashMap<>();
    // The signers: the same secrets prepared once, as a program that signs many requests
    // keeps them (KingdeeClient and WeaverClient do the same inside).
    private KingdeeSigner kingdeeSigner;
    private WeaverSigner weaverSigner;
    // The hand-written counterparts of the signers: the Mac keyed once; hutool's AES object and
    // the upper-case MD5 made once. Same work per call as a signer, so these rows compare like
    // with like (the benchmark is single-threaded, so one Mac is enough).
    private Mac preparedMac;
    private AES preparedAes;
    private String preparedMd5;

    @Setup
    public void checkBothSidesAgree() throws Exception {
        params.put("app_key", APP_KEY);
        params.put("app_signature", APP_SIGNATURE);
        kingdeeSigner = Kingdee.signer(CLIENT_SECRET);
        weaverSigner = Weaver.signer(APPID, SECRET, AES_KEY);
        preparedMac = HandWrittenKingdee.preparedMac(CLIENT_SECRET);
        preparedAes = SecureUtil.aes(AES_KEY.getBytes(StandardCharsets.UTF_8));
        preparedMd5 = SecureUtil.md5(APPID + ":" + SECRET).toUpperCase();
        same(javaKingdeeSignature(), bindingKingdeeSignature());
        same(javaKingdeeSignature(), bindingKingdeeSigner());
        same(javaKingdeeSignature(), javaKingdeeSignaturePrepared());
        same(javaKingdeeAppSignature(), bindingKingdeeAppSignature());
        long t = 1700000000000L;
        same(hutoolWeaverSign(t), Weaver.sign(APPID, SECRET, AES_KEY, t));
        same(hutoolWeaverSign(t), weaverSigner.sign(t));
        same(hutoolWeaverSign(t), hutoolWeaverSignPrepared(t));
    }

    @TearDown
    public void closeSigners() {
        kingdeeSigner.close();
        weaverSigner.close();
    }

    private static void same(String java, String binding) {
        if (!java.equals(binding)) {
            throw new IllegalStateException("hand-written Java and binding disagree: " + java + " vs " + binding);
        }
    }

    @Benchmark
    public String bindingKingdeeSignature() {
        return Kingdee.signature(CLIENT_SECRET, "GET", target, NONCE, TIMESTAMP);
    }

    @Benchmark
    public String bindingKingdeeSigner() {
        return kingdeeSigner.signature("GET", target, NONCE, TIMESTAMP);
    }

    @Benchmark
    public String javaKingdeeSignature() throws Exception {
        return HandWrittenKingdee.signature(CLIENT_SECRET, "GET", PATH, params, NONCE, TIMESTAMP);
    }

    @Benchmark
    public String javaKingdeeSignaturePrepared() throws Exception {
        return HandWrittenKingdee.signature(preparedMac, "GET", PATH, params, NONCE, TIMESTAMP);
    }

    @Benchmark
    public String bindingKingdeeAppSignature() {
        return Kingdee.appSignature(APP_KEY, APP_SECRET);
    }

    @Benchmark
    public String javaKingdeeAppSignature() throws Exception {
        return HandWrittenKingdee.appSignature(APP_KEY, APP_SECRET);
    }

    @Benchmark
    public String bindingWeaverSign() {
        return Weaver.sign(APPID, SECRET, AES_KEY);
    }

    @Benchmark
    public String bindingWeaverSigner() {
        return weaverSigner.sign();
    }

    @Benchmark
    public String hutoolWeaverSign() {
        return hutoolWeaverSign(System.currentTimeMillis());
    }

    @Benchmark
    public String hutoolWeaverSignPrepared() {
        return hutoolWeaverSignPrepared(System.currentTimeMillis());
    }

    private String hutoolWeaverSignPrepared(long timestamp) {
        return preparedAes.encryptHex(timestamp + "_" + preparedMd5);
    }

    /** The seed page's code: hutool MD5, upper case, then hutool AES (ECB/PKCS5) to hex. */
    private static String hutoolWeaverSign(long timestamp) {
        String md5 = SecureUtil.md5(APPID + ":" + SECRET).toUpperCase();
        return SecureUtil.aes(AES_KEY.getBytes(StandardCharsets.UTF_8)).encryptHex(timestamp + "_" + md5);
    }
}
