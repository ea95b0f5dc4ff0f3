// Shared declarations of the DTLS addon: the per-SSL connection state, the two wrapped classes
// (DtlsContext = one SSL_CTX, DtlsSession = one SSL with its two datagram BIOs) and helpers.
//
// Everything runs on the JS thread; nothing here touches a socket. The JS layer feeds received
// datagrams in and sends the datagrams each call returns.
#pragma once

#include <napi.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <string>
#include <vector>

namespace handover_dtls {

// What the C++ callbacks of one SSL need to see. Owned by whoever owns the SSL.
struct Conn {
  SSL* ssl = nullptr;
  BIO* rbio = nullptr;  // datagrams received from the peer (owned by ssl)
  BIO* wbio = nullptr;  // datagrams to send to the peer (owned by ssl)
  bool server = false;
  std::string peer;  // "address:port" (binds the cookie to the peer)
  const std::vector<uint8_t>* cookieSecret = nullptr;  // server only; owned by the context

  // Server PSK: the callback pauses the handshake (ASYNC job) until JS resolves the key.
  bool pskEnabled = false;
  bool pskAsked = false;
  bool pskResolved = false;
  std::string pskIdentity;
  std::vector<uint8_t> pskKey;

  // Client PSK.
  std::string clientIdentity;
  std::vector<uint8_t> clientKey;

  ~Conn();
};

// Creates an SSL for `ctx` with fresh datagram BIOs and attached Conn. nullptr + error on failure.
Conn* NewConn(SSL_CTX* ctx, bool server, long linkMtu, std::string* error);

// The Conn attached to an SSL (ex_data), or nullptr.
Conn* ConnOf(const SSL* ssl);

// Cookie callbacks (server) and PSK callbacks (when `psk`), implemented in conn.cc.
void InstallServerCallbacks(SSL_CTX* ctx, bool psk);
void InstallClientCallbacks(SSL_CTX* ctx, bool psk);

// Drains OpenSSL's thread error queue into one readable line ("" when empty).
std::string TakeOpenSslErrors();

// Throws a JS Error carrying OpenSSL's error strings, prefixed by `what`.
[[noreturn]] void ThrowOpenSsl(Napi::Env env, const std::string& what);

// Moves every queued outgoing datagram into a JS array of Buffers.
Napi::Array DrainOut(Napi::Env env, Conn* conn);

class DtlsSession;

class DtlsContext : public Napi::ObjectWrap<DtlsContext> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit DtlsContext(const Napi::CallbackInfo& info);
  ~DtlsContext() override;

 private:
  Napi::Value Listen(const Napi::CallbackInfo& info);
  Napi::Value Connect(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  void Configure(Napi::Env env, const Napi::Object& opts);
  SSL_CTX* ctx_ = nullptr;
  bool server_ = false;
  bool psk_ = false;
  long linkMtu_ = 1280;
  std::vector<uint8_t> cookieSecret_;
  Conn* listener_ = nullptr;  // reused for stateless cookie exchange until a ClientHello passes
};

class DtlsSession : public Napi::ObjectWrap<DtlsSession> {
 public:
  static Napi::Function Init(Napi::Env env);
  // Wraps `conn` (takes ownership). `context` is kept alive as long as the session is.
  static Napi::Object Create(Napi::Env env, Conn* conn, Napi::Object context);
  explicit DtlsSession(const Napi::CallbackInfo& info);
  ~DtlsSession() override;

 private:
  Napi::Value Feed(const Napi::CallbackInfo& info);
  Napi::Value HandleTimeout(const Napi::CallbackInfo& info);
  Napi::Value ResolvePsk(const Napi::CallbackInfo& info);
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Destroy(const Napi::CallbackInfo& info);
  Napi::Value PeerChain(const Napi::CallbackInfo& info);
  Napi::Value Cipher(const Napi::CallbackInfo& info);
  Napi::Value PskIdentity(const Napi::CallbackInfo& info);

  // Runs the handshake / reads application data, and returns the result object JS acts on.
  Napi::Object Pump(Napi::Env env);
  Napi::Object Result(Napi::Env env, Napi::Array data);
  void Free();
  Conn* conn_ = nullptr;
  enum class State { Handshaking, Established, Closed, Failed } state_ = State::Handshaking;
  std::string error_;
  Napi::ObjectReference context_;
};

// Constructor of DtlsSession, stored per addon instance.
struct AddonData {
  Napi::FunctionReference sessionConstructor;
};

}  // namespace handover_dtls
