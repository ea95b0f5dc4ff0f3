// Per-SSL state and the OpenSSL callbacks that read it: cookie generation/verification
// (HelloVerifyRequest), the PSK server callback that pauses the handshake for an asynchronous
// key lookup, and the PSK client callback.
#include <openssl/async.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>

#include "dgram_bio.h"
#include "dtls.h"

namespace handover_dtls {
namespace {

int ExIndex() {
  static int index = -1;
  static std::once_flag once;
  std::call_once(once, [] { index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr); });
  return index;
}

// Cookies are HMAC-SHA256(secret, window || peer) where window = now / 60 s; the current and
// the previous window verify, so a cookie lives 60–120 s and the server keeps no state for it.
constexpr time_t kCookieWindowSeconds = 60;
constexpr unsigned int kCookieLength = 32;

bool ComputeCookie(const Conn* c, uint64_t window, unsigned char* out) {
  if (c->cookieSecret == nullptr || c->cookieSecret->empty()) return false;
  std::vector<unsigned char> msg(8 + c->peer.size());
  for (int i = 0; i < 8; i++) msg[i] = static_cast<unsigned char>(window >> (56 - 8 * i));
  memcpy(msg.data() + 8, c->peer.data(), c->peer.size());
  unsigned int len = kCookieLength;
  return HMAC(EVP_sha256(), c->cookieSecret->data(), static_cast<int>(c->cookieSecret->size()), msg.data(),
              msg.size(), out, &len) != nullptr &&
         len == kCookieLength;
}

int CookieGenerate(SSL* ssl, unsigned char* cookie, unsigned int* cookieLen) {
  const Conn* c = ConnOf(ssl);
  if (c == nullptr) return 0;
  uint64_t window = static_cast<uint64_t>(time(nullptr) / kCookieWindowSeconds);
  if (!ComputeCookie(c, window, cookie)) return 0;
  *cookieLen = kCookieLength;
  return 1;
}

int CookieVerify(SSL* ssl, const unsigned char* cookie, unsigned int cookieLen) {
  const Conn* c = ConnOf(ssl);
  if (c == nullptr || cookieLen != kCookieLength) return 0;
  uint64_t now = static_cast<uint64_t>(time(nullptr) / kCookieWindowSeconds);
  unsigned char expected[kCookieLength];
  for (uint64_t window : {now, now - 1}) {
    if (ComputeCookie(c, window, expected) && CRYPTO_memcmp(expected, cookie, kCookieLength) == 0) return 1;
  }
  return 0;
}

// Called while processing the ClientKeyExchange. The first time, it records the identity and
// pauses the ASYNC job that runs the handshake (SSL_do_handshake returns SSL_ERROR_WANT_ASYNC);
// JS looks the key up (e.g. in Redis), stores it in the Conn and resumes the handshake, and
// this same call continues from ASYNC_pause_job() with the key. No key: 0, which makes OpenSSL
// send an unknown_psk_identity alert.
unsigned int PskServer(SSL* ssl, const char* identity, unsigned char* psk, unsigned int maxPskLen) {
  Conn* c = ConnOf(ssl);
  if (c == nullptr) return 0;
  if (!c->pskResolved) {
    c->pskIdentity = identity != nullptr ? identity : "";
    c->pskAsked = true;
    if (ASYNC_get_current_job() == nullptr) return 0;
    if (ASYNC_pause_job() == 0) return 0;
    if (!c->pskResolved) return 0;
  }
  if (c->pskKey.empty() || c->pskKey.size() > maxPskLen) return 0;
  memcpy(psk, c->pskKey.data(), c->pskKey.size());
  return static_cast<unsigned int>(c->pskKey.size());
}

unsigned int PskClient(SSL* ssl, const char* hint, char* identity, unsigned int maxIdentityLen, unsigned char* psk,
                       unsigned int maxPskLen) {
  (void)hint;
  const Conn* c = ConnOf(ssl);
  if (c == nullptr || c->clientKey.empty()) return 0;
  if (c->clientIdentity.size() + 1 > maxIdentityLen || c->clientKey.size() > maxPskLen) return 0;
  memcpy(identity, c->clientIdentity.c_str(), c->clientIdentity.size() + 1);
  memcpy(psk, c->clientKey.data(), c->clientKey.size());
  return static_cast<unsigned int>(c->clientKey.size());
}

}  // namespace

void InstallServerCallbacks(SSL_CTX* ctx, bool psk) {
  SSL_CTX_set_cookie_generate_cb(ctx, CookieGenerate);
  SSL_CTX_set_cookie_verify_cb(ctx, CookieVerify);
  if (psk) SSL_CTX_set_psk_server_callback(ctx, PskServer);
}

void InstallClientCallbacks(SSL_CTX* ctx, bool psk) {
  if (psk) SSL_CTX_set_psk_client_callback(ctx, PskClient);
}

Conn::~Conn() {
  if (ssl == nullptr) return;
  // A handshake paused inside the PSK callback owns an ASYNC job (a fibre with its own stack):
  // let it finish (with no key, so it fails) before freeing, or the job would leak.
  if (pskAsked && !pskResolved && SSL_waiting_for_async(ssl)) {
    pskResolved = true;
    pskKey.clear();
    SSL_do_handshake(ssl);
    ERR_clear_error();
  }
  SSL_free(ssl);  // frees rbio and wbio too
}

Conn* NewConn(SSL_CTX* ctx, bool server, long linkMtu, std::string* error) {
  auto c = std::make_unique<Conn>();
  c->server = server;
  c->ssl = SSL_new(ctx);
  if (c->ssl == nullptr) {
    *error = "SSL_new failed: " + TakeOpenSslErrors();
    return nullptr;
  }
  BIO* rbio = NewDgramBio();
  BIO* wbio = NewDgramBio();
  if (rbio == nullptr || wbio == nullptr) {
    BIO_free(rbio);
    BIO_free(wbio);
    *error = "cannot create datagram BIOs: " + TakeOpenSslErrors();
    return nullptr;
  }
  SSL_set_bio(c->ssl, rbio, wbio);
  c->rbio = rbio;
  c->wbio = wbio;
  SSL_set_ex_data(c->ssl, ExIndex(), c.get());
  SSL_set_options(c->ssl, SSL_OP_NO_QUERY_MTU);
  if (DTLS_set_link_mtu(c->ssl, linkMtu) != 1) {
    *error = "link MTU " + std::to_string(linkMtu) + " refused by OpenSSL: " + TakeOpenSslErrors();
    return nullptr;
  }
  if (server) {
    SSL_set_accept_state(c->ssl);
  } else {
    SSL_set_connect_state(c->ssl);
  }
  return c.release();
}

Conn* ConnOf(const SSL* ssl) { return static_cast<Conn*>(SSL_get_ex_data(ssl, ExIndex())); }

std::string TakeOpenSslErrors() {
  std::string out;
  char buf[256];
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

void ThrowOpenSsl(Napi::Env env, const std::string& what) {
  std::string detail = TakeOpenSslErrors();
  throw Napi::Error::New(env, detail.empty() ? what : what + ": " + detail);
}

Napi::Array DrainOut(Napi::Env env, Conn* conn) {
  Napi::Array out = Napi::Array::New(env);
  std::vector<uint8_t> d;
  uint32_t i = 0;
  while (conn != nullptr && DgramBioPop(conn->wbio, &d)) {
    out.Set(i++, Napi::Buffer<uint8_t>::Copy(env, d.data(), d.size()));
  }
  return out;
}

}  // namespace handover_dtls
