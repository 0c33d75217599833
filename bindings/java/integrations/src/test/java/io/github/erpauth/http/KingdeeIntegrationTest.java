package io.github.erpauth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.erpauth.Emulator;
import io.github.erpauth.KingdeeClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.client.utils.URIBuilder;
import org.apache.http.entity.InputStreamEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OkHttp and Apache HttpClient 4 against the emulator's Kingdee gateway. */
class KingdeeIntegrationTest {
    private Emulator emulator;
    private KingdeeClient kingdee;

    @BeforeEach
    void start() throws Exception {
        emulator = Emulator.start();
        kingdee = emulator.kingdee().build();
    }

    @AfterEach
    void stop() throws Exception {
        kingdee.close();
        emulator.close();
    }

    @Test
    void okHttpRequestsAreSignedAsSentChineseInTheQueryIncluded() throws Exception {
        OkHttpClient http = new OkHttpClient.Builder().addInterceptor(new KingdeeInterceptor(kingdee)).build();
        Request request = new Request.Builder().url(emulator.baseUrl + "/jdy/v2/bd/customer?search=中文 客户&page=1").build();
        try (Response response = http.newCall(request).execute()) {
            String body = response.body().string();
            assertEquals(200, response.code(), body);
            assertTrue(body.contains("测试客户"), body);
        }
    }

    @Test
    void okHttpReplacesAnExpiredTokenAndSendsOnceMore() throws Exception {
        OkHttpClient http = new OkHttpClient.Builder().addInterceptor(new KingdeeInterceptor(kingdee)).build();
        String first = kingdee.appToken();
        emulator.expireTokens();
        long business = emulator.count("kingdee_business");
        try (Response response = http.newCall(new Request.Builder().url(emulator.baseUrl + "/jdy/v2/bd/customer").build()).execute()) {
            assertEquals(200, response.code(), response.body().string());
        }
        assertEquals(business + 2, emulator.count("kingdee_business"));
        assertNotEquals(first, kingdee.appToken());

        // A one-shot body is sent once, and the refusal passed on.
        emulator.expireTokens();
        RequestBody oneShot = new RequestBody() {
            @Override
            public MediaType contentType() {
                return MediaType.get("application/json");
            }

            @Override
            public void writeTo(BufferedSink sink) throws java.io.IOException {
                sink.writeUtf8("{}");
            }

            @Override
            public boolean isOneShot() {
                return true;
            }
        };
        business = emulator.count("kingdee_business");
        try (Response response = http.newCall(new Request.Builder().url(emulator.baseUrl + "/jdy/v2/bd/customer")
                .post(oneShot).build()).execute()) {
            assertEquals(519, response.code());
            assertTrue(response.body().string().contains("4011"));
        }
        assertEquals(business + 1, emulator.count("kingdee_business"));
        assertThrows(NullPointerException.class, () -> new KingdeeInterceptor(null));
    }

    @Test
    void apacheRequestsAreSignedAsSentAndAnExpiredTokenIsReplaced() throws Exception {
        KingdeeApacheInterceptor signing = new KingdeeApacheInterceptor(kingdee);
        try (CloseableHttpClient http = HttpClients.custom().addInterceptorLast((HttpRequestInterceptor) signing)
                .setServiceUnavailableRetryStrategy(signing).build()) {
            HttpGet get = new HttpGet(new URIBuilder(emulator.baseUrl + "/jdy/v2/bd/customer")
                    .addParameter("search", "中文 客户").addParameter("page", "1").build());
            try (CloseableHttpResponse response = http.execute(get)) {
                String body = EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
                assertEquals(200, response.getStatusLine().getStatusCode(), body);
                assertTrue(body.contains("测试客户"), body);
            }

            String first = kingdee.appToken();
            emulator.expireTokens();
            long business = emulator.count("kingdee_business");
            try (CloseableHttpResponse response = http.execute(new HttpGet(emulator.baseUrl + "/jdy/v2/bd/customer"))) {
                assertEquals(200, response.getStatusLine().getStatusCode(),
                        EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8));
            }
            assertEquals(business + 2, emulator.count("kingdee_business"));
            assertNotEquals(first, kingdee.appToken());

            // A body that is not repeatable is sent once; the refusal stays readable.
            emulator.expireTokens();
            business = emulator.count("kingdee_business");
            HttpPost post = new HttpPost(emulator.baseUrl + "/jdy/v2/bd/customer");
            post.setEntity(new InputStreamEntity(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), 2));
            try (CloseableHttpResponse response = http.execute(post)) {
                assertEquals(519, response.getStatusLine().getStatusCode());
                assertTrue(EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8).contains("4011"));
            }
            assertEquals(business + 1, emulator.count("kingdee_business"));
        }
    }
}
