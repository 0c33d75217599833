// include/erpauth.h compiled as C++ (g++ -Wall -Wextra -Werror): the
// extern "C" block links, erpauth_status is a 32-bit enum type, and the
// functions work from C++ with std::string / std::vector buffers.
#include "erpauth.h"

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "check.h"

static_assert(sizeof(erpauth_status) == sizeof(std::int32_t), "erpauth_status is an int32_t");
static_assert(std::is_same<std::underlying_type<erpauth_status>::type, std::int32_t>::value,
              "erpauth_status has int32_t as its underlying type");
static_assert(ERPAUTH_OK == 0 && ERPAUTH_BUFFER_TOO_SMALL == 1 && ERPAUTH_INVALID_ARGUMENT == 2 &&
                  ERPAUTH_NETWORK == 3 && ERPAUTH_HTTP == 4 && ERPAUTH_REJECTED == 5 &&
                  ERPAUTH_BAD_RESPONSE == 6 && ERPAUTH_INTERNAL == 7,
              "status codes of docs/protocol/c-api.md");

// The usual C++ wrapper: size query, then a buffer of exactly needed + 1.
template <typename Call>
static std::string call_to_string(Call call, erpauth_status *status)
{
    std::size_t needed = 0;
    *status = call(nullptr, 0, &needed);
    if (*status != ERPAUTH_BUFFER_TOO_SMALL) {
        return std::string();
    }
    std::vector<char> buf(needed + 1);
    std::size_t len = 0;
    *status = call(buf.data(), buf.size(), &len);
    return *status == ERPAUTH_OK ? std::string(buf.data(), len) : std::string();
}

int main()
{
    erpauth_status status = ERPAUTH_INTERNAL;
    std::printf("test_header_cpp (erpauth %s)\n", erpauth_version());
    CHECK(erpauth_version() != nullptr);

    std::string app_signature = call_to_string(
        [](char *out, std::size_t cap, std::size_t *len) {
            return erpauth_kingdee_app_signature("abc", "abc123", out, cap, len);
        },
        &status);
    CHECK_STATUS(status, ERPAUTH_OK);
    CHECK_STR(app_signature.c_str(),
              "ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNz"
              "UyZQ==");

    std::string sign = call_to_string(
        [](char *out, std::size_t cap, std::size_t *len) {
            return erpauth_weaver_sign("weaverappid", "weaversecret", "8fy6K39X6PIEEeOq",
                                       INT64_C(1700000000000), out, cap, len);
        },
        &status);
    CHECK_STATUS(status, ERPAUTH_OK);
    CHECK_STR(sign.c_str(), "2da1e861f36ba4aa1babbadbdc1e275a9efc8b34155b2bd4e147370de8d80954b04d"
                            "be29a019802759029ab51c8bc6a1");

    std::string signature = call_to_string(
        [](char *out, std::size_t cap, std::size_t *len) {
            return erpauth_kingdee_signature(
                "f2adcfef73369bfc4e1384677d38a0ff", "GET",
                "/jdyconnector/app_management/kingdee_auth_token?app_key=bVZgAZOv1&app_signature="
                "MzZlYTk0ODk4MWZlNjdiODNmNWU4YzViNzYxNGM5MTFlOGJkN2NjMzk0MTJkZGNhZGM0NzZhN2YxZDJm"
                "OTlkZA%3D%3D",
                "4427456950", "1670305063559", out, cap, len);
        },
        &status);
    CHECK_STATUS(status, ERPAUTH_OK);
    CHECK_STR(signature.c_str(), "OTFiZTliNDFiMjNkYTI3YzVhNzg4MDI4ZGU3MWY1ZTA5ZTk1NjVlNGM1YTI1ZjIx"
                                 "Y2Y5YTA3ZGY2OGI1MGQ1MQ==");

    std::size_t len = 1;
    CHECK_STATUS(erpauth_kingdee_sign_headers(nullptr, "s", "GET", "/", nullptr, 0, &len),
                 ERPAUTH_INVALID_ARGUMENT);
    CHECK(len == 0);
    CHECK_CONTAINS(last_error_text(), "client_id");
    return check_report("test_header_cpp");
}
