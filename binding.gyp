# The DTLS 1.2 addon (common/dtls/native). It compiles against Node's own OpenSSL headers
# (include/node/openssl, put on the include path by node-gyp) and links no OpenSSL library:
# the node binary exports the symbols. Built by scripts/build-addon.js (npm "install" script).
{
  "targets": [
    {
      "target_name": "handover_dtls",
      "sources": [
        "common/dtls/native/addon.cc",
        "common/dtls/native/conn.cc",
        "common/dtls/native/context.cc",
        "common/dtls/native/dgram_bio.cc",
        "common/dtls/native/session.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "defines": ["NAPI_VERSION=8", "OPENSSL_API_COMPAT=30000"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wno-deprecated-declarations"],
      "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES", "CLANG_CXX_LANGUAGE_STANDARD": "c++17" }
    }
  ]
}
