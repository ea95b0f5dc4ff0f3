// DtlsSession: one DTLS association (one SSL) with one peer. Every call returns a result object
//   { state: 'handshaking'|'psk-needed'|'established'|'closed'|'failed', out: Buffer[],
//     data: Buffer[], timeoutMs: number (-1: no retransmission timer), error?: string,
//     pskIdentity?: string }
// and the JS side sends `out`, delivers `data`, and re-arms its timer with `timeoutMs`.
#include <openssl/async.h>
#include <openssl/x509.h>

#include <memory>

#include "dgram_bio.h"
#include "dtls.h"

namespace handover_dtls {
namespace {

bool Paused(const Conn* c) { return c->server && c->pskAsked && !c->pskResolved; }

void PushDer(Napi::Env env, Napi::Array& arr, X509* x) {
  int len = i2d_X509(x, nullptr);
  if (len <= 0) return;
  auto buf = Napi::Buffer<uint8_t>::New(env, static_cast<size_t>(len));
  unsigned char* p = buf.Data();
  i2d_X509(x, &p);
  arr.Set(arr.Length(), buf);
}

std::string Describe(SSL* ssl, int sslError) {
  std::string detail = TakeOpenSslErrors();
  if (detail.empty()) {
    detail = sslError == SSL_ERROR_SYSCALL ? "unexpected end of the DTLS association"
                                           : "SSL error " + std::to_string(sslError);
  }
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) detail += " (certificate verification: " + std::string(X509_verify_cert_error_string(verify)) + ")";
  return detail;
}

}  // namespace

Napi::Function DtlsSession::Init(Napi::Env env) {
  return DefineClass(env, "DtlsSession",
                     {InstanceMethod("feed", &DtlsSession::Feed), InstanceMethod("handleTimeout", &DtlsSession::HandleTimeout),
                      InstanceMethod("resolvePsk", &DtlsSession::ResolvePsk), InstanceMethod("write", &DtlsSession::Write),
                      InstanceMethod("close", &DtlsSession::Close), InstanceMethod("destroy", &DtlsSession::Destroy),
                      InstanceMethod("peerChain", &DtlsSession::PeerChain), InstanceMethod("cipher", &DtlsSession::Cipher),
                      InstanceMethod("pskIdentity", &DtlsSession::PskIdentity)});
}

Napi::Object DtlsSession::Create(Napi::Env env, Conn* conn, Napi::Object context) {
  AddonData* data = env.GetInstanceData<AddonData>();
  Napi::Object obj;
  try {
    obj = data->sessionConstructor.New({Napi::External<Conn>::New(env, conn)});
  } catch (...) {
    delete conn;
    throw;
  }
  DtlsSession* self = DtlsSession::Unwrap(obj);
  self->context_ = Napi::Persistent(context);
  return obj;
}

DtlsSession::DtlsSession(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DtlsSession>(info) {
  if (info.Length() < 1 || !info[0].IsExternal()) {
    throw Napi::TypeError::New(info.Env(), "a DtlsSession comes from DtlsContext.listen() or connect()");
  }
  conn_ = info[0].As<Napi::External<Conn>>().Data();
}

DtlsSession::~DtlsSession() { Free(); }

void DtlsSession::Free() {
  delete conn_;
  conn_ = nullptr;
  if (!context_.IsEmpty()) context_.Reset();
}

Napi::Object DtlsSession::Result(Napi::Env env, Napi::Array data) {
  Napi::Object r = Napi::Object::New(env);
  const char* state = "closed";
  switch (state_) {
    case State::Handshaking: state = (conn_ != nullptr && Paused(conn_)) ? "psk-needed" : "handshaking"; break;
    case State::Established: state = "established"; break;
    case State::Closed: state = "closed"; break;
    case State::Failed: state = "failed"; break;
  }
  r.Set("state", state);
  r.Set("out", DrainOut(env, conn_));
  r.Set("data", data);
  double timeoutMs = -1;
  struct timeval tv;
  if (conn_ != nullptr && (state_ == State::Handshaking || state_ == State::Established) && !Paused(conn_) &&
      DTLSv1_get_timeout(conn_->ssl, &tv) == 1) {
    timeoutMs = static_cast<double>(tv.tv_sec) * 1000 + static_cast<double>((tv.tv_usec + 999) / 1000);
  }
  r.Set("timeoutMs", timeoutMs);
  if (!error_.empty()) r.Set("error", error_);
  if (conn_ != nullptr && conn_->pskAsked) r.Set("pskIdentity", conn_->pskIdentity);
  ERR_clear_error();
  return r;
}

Napi::Object DtlsSession::Pump(Napi::Env env) {
  Napi::Array data = Napi::Array::New(env);
  if (conn_ == nullptr) return Result(env, data);
  SSL* ssl = conn_->ssl;
  ERR_clear_error();
  if (state_ == State::Handshaking) {
    if (Paused(conn_)) return Result(env, data);
    // Only the PSK key exchange runs inside an ASYNC job (so the PSK callback can pause):
    // it needs no certificate work, which keeps the job's small stack out of X.509 code.
    if (conn_->server && conn_->pskEnabled && !conn_->pskResolved) {
      const SSL_CIPHER* pending = SSL_get_pending_cipher(ssl);
      if (pending != nullptr && SSL_CIPHER_get_kx_nid(pending) == NID_kx_psk) SSL_set_mode(ssl, SSL_MODE_ASYNC);
    }
    int rc = SSL_do_handshake(ssl);
    if (rc == 1) {
      state_ = State::Established;
      SSL_clear_mode(ssl, SSL_MODE_ASYNC);
    } else {
      int e = SSL_get_error(ssl, rc);
      if (e == SSL_ERROR_WANT_ASYNC && !Paused(conn_)) {
        state_ = State::Failed;
        error_ = "handshake paused without a PSK request: " + TakeOpenSslErrors();
      } else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_ASYNC) {
        state_ = State::Failed;
        error_ = Describe(ssl, e);
      }
    }
  }
  if (state_ == State::Established) {
    std::vector<uint8_t> buf(16384 + 2048);
    for (;;) {
      size_t n = 0;
      int rc = SSL_read_ex(ssl, buf.data(), buf.size(), &n);
      if (rc == 1) {
        data.Set(data.Length(), Napi::Buffer<uint8_t>::Copy(env, buf.data(), n));
        continue;
      }
      int e = SSL_get_error(ssl, rc);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
      if (e == SSL_ERROR_ZERO_RETURN) {
        // The peer sent close_notify: answer with ours.
        SSL_shutdown(ssl);
        state_ = State::Closed;
      } else {
        state_ = State::Failed;
        error_ = Describe(ssl, e);
      }
      break;
    }
  }
  return Result(env, data);
}

// feed(datagram: Buffer | null): queue one received datagram (if any) and advance.
Napi::Value DtlsSession::Feed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (conn_ != nullptr && info.Length() > 0 && info[0].IsBuffer() &&
      (state_ == State::Handshaking || state_ == State::Established)) {
    auto b = info[0].As<Napi::Buffer<uint8_t>>();
    DgramBioPush(conn_->rbio, b.Data(), b.Length());
  }
  if (state_ != State::Handshaking && state_ != State::Established) return Result(env, Napi::Array::New(env));
  return Pump(env);
}

// handleTimeout(): the JS timer armed with the last timeoutMs fired; retransmit if due.
Napi::Value DtlsSession::HandleTimeout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (conn_ != nullptr && (state_ == State::Handshaking || state_ == State::Established) && !Paused(conn_)) {
    ERR_clear_error();
    if (DTLSv1_handle_timeout(conn_->ssl) < 0) {
      state_ = State::Failed;
      std::string detail = TakeOpenSslErrors();
      error_ = "retransmission limit reached" + (detail.empty() ? std::string() : ": " + detail);
    }
  }
  return Result(env, Napi::Array::New(env));
}

// resolvePsk(key: Buffer | null): the asynchronous PSK lookup finished; resume the handshake.
Napi::Value DtlsSession::ResolvePsk(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (conn_ == nullptr || !Paused(conn_)) throw Napi::Error::New(env, "no PSK lookup is pending on this session");
  conn_->pskKey.clear();
  if (info.Length() > 0 && info[0].IsBuffer()) {
    auto b = info[0].As<Napi::Buffer<uint8_t>>();
    conn_->pskKey.assign(b.Data(), b.Data() + b.Length());
  }
  conn_->pskResolved = true;
  return Pump(env);
}

// write(plaintext: Buffer): encrypt one record; the result's `out` holds the datagram.
Napi::Value DtlsSession::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBuffer()) throw Napi::TypeError::New(env, "write(plaintext: Buffer)");
  if (conn_ == nullptr || state_ != State::Established) throw Napi::Error::New(env, "the DTLS session is not established");
  auto b = info[0].As<Napi::Buffer<uint8_t>>();
  ERR_clear_error();
  size_t written = 0;
  if (SSL_write_ex(conn_->ssl, b.Data(), b.Length(), &written) != 1) {
    int e = SSL_get_error(conn_->ssl, 0);
    throw Napi::Error::New(env, "DTLS write failed: " + Describe(conn_->ssl, e));
  }
  return Result(env, Napi::Array::New(env));
}

// close(): send close_notify (when a session exists) and stop.
Napi::Value DtlsSession::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (conn_ != nullptr && state_ == State::Established) {
    ERR_clear_error();
    SSL_shutdown(conn_->ssl);
  }
  if (state_ == State::Handshaking || state_ == State::Established) state_ = State::Closed;
  return Result(env, Napi::Array::New(env));
}

Napi::Value DtlsSession::Destroy(const Napi::CallbackInfo& info) {
  Free();
  if (state_ == State::Handshaking || state_ == State::Established) state_ = State::Closed;
  return info.Env().Undefined();
}

// peerChain(): the certificates the peer sent, leaf first, DER.
Napi::Value DtlsSession::PeerChain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array arr = Napi::Array::New(env);
  if (conn_ == nullptr) return arr;
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(conn_->ssl);
  // On the server side OpenSSL's peer chain omits the leaf; on the client side it includes it.
  X509* leaf = SSL_get0_peer_certificate(conn_->ssl);
  if (leaf != nullptr && conn_->server) PushDer(env, arr, leaf);
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); i++) PushDer(env, arr, sk_X509_value(chain, i));
  return arr;
}

// cipher(): the IANA name of the negotiated suite, e.g. "TLS_PSK_WITH_AES_128_CCM_8".
Napi::Value DtlsSession::Cipher(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const SSL_CIPHER* c = conn_ == nullptr ? nullptr : SSL_get_current_cipher(conn_->ssl);
  if (c == nullptr) return env.Undefined();
  const char* name = SSL_CIPHER_standard_name(c);
  return Napi::String::New(env, name != nullptr ? name : SSL_CIPHER_get_name(c));
}

// pskIdentity(): the PSK identity used by this session (server: the one the client sent).
Napi::Value DtlsSession::PskIdentity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (conn_ == nullptr) return env.Undefined();
  if (conn_->server) {
    const char* id = SSL_get_psk_identity(conn_->ssl);
    return id == nullptr ? env.Undefined() : Napi::String::New(env, id);
  }
  return conn_->clientKey.empty() ? env.Undefined() : Napi::String::New(env, conn_->clientIdentity);
}

}  // namespace handover_dtls
