package io.github.erpauth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.erpauth.Emulator;
import io.github.erpauth.WeaverClient;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.client.entity.UrlEncodedFormEntity;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.message.BasicNameValuePair;
import org.apache.http.util.EntityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OkHttp and Apache HttpClient 4 against the emulator's e9 business endpoints. */
class WeaverIntegrationTest {
    private static final String TODO = "/api/workflow/paService/getToDoWorkflowRequestList";
    private static final String CREATE = "/api/workflow/paService/doCreateRequest";

    private Emulator emulator;
    private WeaverClient oa;

    @BeforeEach
    void start() throws Exception {
        emulator = Emulator.start();
        oa = emulator.weaver().build();
    }

    @AfterEach
    void stop() throws Exception {
        oa.close();
        emulator.close();
    }

    @Test
    void okHttpSendsAppidTokenAndUseridAndReplacesATimedOutToken() throws Exception {
        OkHttpClient http = new OkHttpClient.Builder()
                .addInterceptor(new WeaverInterceptor(oa, WeaverClient.UserType.LOGINID, "zhangs")).build();
        try (Response response = http.newCall(new Request.Builder().url(emulator.baseUrl + TODO + "?keyword=请假").build()).execute()) {
            String body = response.body().string();
            assertTrue(body.contains("\"status\":true") && body.contains("\"user\":\"9\""), body);
        }
        String first = oa.token(WeaverClient.UserType.LOGINID, "zhangs");
        emulator.expireTokens();
        long business = emulator.count("weaver_business");
        Request create = new Request.Builder().url(emulator.baseUrl + CREATE)
                .post(new FormBody.Builder().add("requestName", "请假申请").build()).build();
        try (Response response = http.newCall(create).execute()) {
            String body = response.body().string();
            assertTrue(body.contains("\"status\":true"), body);
        }
        assertEquals(business + 2, emulator.count("weaver_business"));
        assertNotEquals(first, oa.token(WeaverClient.UserType.LOGINID, "zhangs"));

        OkHttpClient plain = new OkHttpClient.Builder().addInterceptor(new WeaverInterceptor(oa)).build();
        try (Response response = plain.newCall(new Request.Builder().url(emulator.baseUrl + TODO).build()).execute()) {
            String body = response.body().string();
            assertTrue(body.contains("\"user\":null") && body.contains(oa.token()), body);
        }
        assertThrows(NullPointerException.class, () -> new WeaverInterceptor(oa, null, "x"));
    }

    @Test
    void apacheSendsAppidTokenAndUseridAndReplacesATimedOutToken() throws Exception {
        WeaverApacheInterceptor asZhangs = new WeaverApacheInterceptor(oa, WeaverClient.UserType.LOGINID, "zhangs");
        try (CloseableHttpClient http = HttpClients.custom().addInterceptorLast((HttpRequestInterceptor) asZhangs)
                .setServiceUnavailableRetryStrategy(asZhangs).disableCookieManagement().build()) {
            try (CloseableHttpResponse response = http.execute(new HttpGet(emulator.baseUrl + TODO))) {
                String body = EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
                assertTrue(body.contains("\"status\":true") && body.contains("\"user\":\"9\""), body);
            }
            String first = oa.token(WeaverClient.UserType.LOGINID, "zhangs");
            emulator.expireTokens();
            long business = emulator.count("weaver_business");
            HttpPost post = new HttpPost(emulator.baseUrl + CREATE);
            post.setEntity(new UrlEncodedFormEntity(
                    Collections.singletonList(new BasicNameValuePair("requestName", "请假申请")), StandardCharsets.UTF_8));
            try (CloseableHttpResponse response = http.execute(post)) {
                String body = EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
                assertTrue(body.contains("\"status\":true"), body);
            }
            assertEquals(business + 2, emulator.count("weaver_business"));
            assertNotEquals(first, oa.token(WeaverClient.UserType.LOGINID, "zhangs"));
        }
    }
}
