// DtlsContext: one SSL_CTX for DTLS 1.2 (server or client) configured from a JS options object:
//   { role: 'server'|'client', ciphers: string, mtu: number, psk: boolean,
//     pskIdentityHint?: string, certChainPem?: string, keyPem?: string, caPem?: string,
//     verifyPeer?: boolean, cookieSecret?: Buffer }
// Server: listen(datagram, peer) runs the stateless cookie exchange (DTLSv1_listen) and returns
// a DtlsSession only for a ClientHello carrying a valid cookie. Client: connect(peer, {...}).
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "dgram_bio.h"
#include "dtls.h"

namespace handover_dtls {
namespace {

std::string StringOpt(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

// PEM reading stops with "no start line" at the end of the input; anything else is an error.
bool PemEndIsClean() {
  unsigned long e = ERR_peek_last_error();
  bool clean = e == 0 || (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE);
  if (clean) ERR_clear_error();
  return clean;
}

void LoadChain(Napi::Env env, SSL_CTX* ctx, const std::string& pem) {
  BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* leaf = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
  if (leaf == nullptr) {
    BIO_free(b);
    ThrowOpenSsl(env, "certChainPem holds no PEM certificate");
  }
  int ok = SSL_CTX_use_certificate(ctx, leaf);
  X509_free(leaf);
  if (ok != 1) {
    BIO_free(b);
    ThrowOpenSsl(env, "certificate refused");
  }
  X509* extra;
  while ((extra = PEM_read_bio_X509(b, nullptr, nullptr, nullptr)) != nullptr) {
    if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
      X509_free(extra);
      BIO_free(b);
      ThrowOpenSsl(env, "chain certificate refused");
    }
  }
  BIO_free(b);
  if (!PemEndIsClean()) ThrowOpenSsl(env, "malformed PEM in certChainPem");
}

void LoadKey(Napi::Env env, SSL_CTX* ctx, const std::string& pem) {
  BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  if (key == nullptr) ThrowOpenSsl(env, "keyPem holds no readable (unencrypted) PEM private key");
  int ok = SSL_CTX_use_PrivateKey(ctx, key);
  EVP_PKEY_free(key);
  if (ok != 1) ThrowOpenSsl(env, "private key refused");
  if (SSL_CTX_check_private_key(ctx) != 1) ThrowOpenSsl(env, "private key does not match the certificate");
}

void LoadTrust(Napi::Env env, SSL_CTX* ctx, const std::string& pem) {
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* ca;
  int count = 0;
  while ((ca = PEM_read_bio_X509(b, nullptr, nullptr, nullptr)) != nullptr) {
    int ok = X509_STORE_add_cert(store, ca);
    X509_free(ca);
    if (ok != 1) {
      BIO_free(b);
      ThrowOpenSsl(env, "trust anchor refused");
    }
    count++;
  }
  BIO_free(b);
  if (!PemEndIsClean()) ThrowOpenSsl(env, "malformed PEM in caPem");
  if (count == 0) throw Napi::Error::New(env, "caPem holds no PEM certificate");
}

}  // namespace

Napi::Function DtlsContext::Init(Napi::Env env) {
  return DefineClass(env, "DtlsContext",
                     {InstanceMethod("listen", &DtlsContext::Listen), InstanceMethod("connect", &DtlsContext::Connect),
                      InstanceMethod("dispose", &DtlsContext::Dispose)});
}

DtlsContext::DtlsContext(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DtlsContext>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "DtlsContext(options) needs an object");
  ERR_clear_error();
  try {
    Configure(env, info[0].As<Napi::Object>());
  } catch (...) {
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    ctx_ = nullptr;
    ERR_clear_error();
    throw;
  }
}

void DtlsContext::Configure(Napi::Env env, const Napi::Object& opts) {
  std::string role = StringOpt(opts, "role");
  if (role != "server" && role != "client") throw Napi::TypeError::New(env, "role must be 'server' or 'client'");
  server_ = role == "server";
  psk_ = opts.Get("psk").ToBoolean().Value();
  Napi::Value mtu = opts.Get("mtu");
  if (mtu.IsNumber()) linkMtu_ = mtu.As<Napi::Number>().Int64Value();

  ctx_ = SSL_CTX_new(server_ ? DTLS_server_method() : DTLS_client_method());
  if (ctx_ == nullptr) ThrowOpenSsl(env, "SSL_CTX_new failed");
  if (SSL_CTX_set_min_proto_version(ctx_, DTLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx_, DTLS1_2_VERSION) != 1) {
    ThrowOpenSsl(env, "cannot pin DTLS 1.2");
  }
  SSL_CTX_set_options(ctx_, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  std::string ciphers = StringOpt(opts, "ciphers");
  if (SSL_CTX_set_cipher_list(ctx_, ciphers.c_str()) != 1) ThrowOpenSsl(env, "no usable cipher suite in '" + ciphers + "'");

  std::string chain = StringOpt(opts, "certChainPem");
  std::string key = StringOpt(opts, "keyPem");
  std::string ca = StringOpt(opts, "caPem");
  if (!chain.empty()) LoadChain(env, ctx_, chain);
  if (!key.empty()) LoadKey(env, ctx_, key);
  if (!ca.empty()) LoadTrust(env, ctx_, ca);
  bool verifyPeer = opts.Get("verifyPeer").ToBoolean().Value();
  if (verifyPeer) {
    // Server: request a client certificate and fail without one (mutual authentication).
    int mode = SSL_VERIFY_PEER | (server_ ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);
    SSL_CTX_set_verify(ctx_, mode, nullptr);
  }

  if (server_) {
    static const unsigned char kSidContext[] = "handover-dtls";
    SSL_CTX_set_session_id_context(ctx_, kSidContext, sizeof kSidContext - 1);
    Napi::Value secret = opts.Get("cookieSecret");
    if (secret.IsBuffer() && secret.As<Napi::Buffer<uint8_t>>().Length() >= 16) {
      auto b = secret.As<Napi::Buffer<uint8_t>>();
      cookieSecret_.assign(b.Data(), b.Data() + b.Length());
    } else {
      cookieSecret_.resize(32);
      if (RAND_bytes(cookieSecret_.data(), static_cast<int>(cookieSecret_.size())) != 1) ThrowOpenSsl(env, "RAND_bytes failed");
    }
    InstallServerCallbacks(ctx_, psk_);
    std::string hint = StringOpt(opts, "pskIdentityHint");
    if (psk_ && !hint.empty() && SSL_CTX_use_psk_identity_hint(ctx_, hint.c_str()) != 1) ThrowOpenSsl(env, "PSK identity hint refused");
  } else {
    InstallClientCallbacks(ctx_, psk_);
  }
}

DtlsContext::~DtlsContext() {
  delete listener_;
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

Napi::Value DtlsContext::Dispose(const Napi::CallbackInfo& info) {
  delete listener_;
  listener_ = nullptr;
  return info.Env().Undefined();
}

// listen(datagram: Buffer, peer: string) -> { out: Buffer[], session: DtlsSession | null, error?: string }
Napi::Value DtlsContext::Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!server_ || ctx_ == nullptr) throw Napi::Error::New(env, "listen() needs a server context");
  if (info.Length() < 2 || !info[0].IsBuffer() || !info[1].IsString()) throw Napi::TypeError::New(env, "listen(datagram, peer)");
  auto datagram = info[0].As<Napi::Buffer<uint8_t>>();
  ERR_clear_error();
  if (listener_ == nullptr) {
    std::string error;
    listener_ = NewConn(ctx_, true, linkMtu_, &error);
    if (listener_ == nullptr) throw Napi::Error::New(env, error);
    listener_->cookieSecret = &cookieSecret_;
    listener_->pskEnabled = psk_;
  }
  listener_->peer = info[1].As<Napi::String>().Utf8Value();
  DgramBioPush(listener_->rbio, datagram.Data(), datagram.Length());
  BIO_ADDR* addr = BIO_ADDR_new();
  int rc = DTLSv1_listen(listener_->ssl, addr);
  BIO_ADDR_free(addr);
  Napi::Object result = Napi::Object::New(env);
  result.Set("out", DrainOut(env, listener_));
  result.Set("session", env.Null());
  if (rc == 1) {
    Conn* accepted = listener_;
    listener_ = nullptr;
    result.Set("session", DtlsSession::Create(env, accepted, Value()));
  } else if (rc < 0) {
    std::string error = TakeOpenSslErrors();
    result.Set("error", error.empty() ? "DTLSv1_listen failed" : error);
    delete listener_;  // its state is unknown after a hard failure: start clean next time
    listener_ = nullptr;
  }
  ERR_clear_error();
  return result;
}

// connect(peer: string, { identity?: Buffer, key?: Buffer, verifyName?: string }) -> DtlsSession
Napi::Value DtlsContext::Connect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (server_ || ctx_ == nullptr) throw Napi::Error::New(env, "connect() needs a client context");
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject()) throw Napi::TypeError::New(env, "connect(peer, options)");
  Napi::Object opts = info[1].As<Napi::Object>();
  ERR_clear_error();
  std::string error;
  Conn* c = NewConn(ctx_, false, linkMtu_, &error);
  if (c == nullptr) throw Napi::Error::New(env, error);
  c->peer = info[0].As<Napi::String>().Utf8Value();
  Napi::Value identity = opts.Get("identity");
  Napi::Value key = opts.Get("key");
  if (identity.IsBuffer()) {
    auto b = identity.As<Napi::Buffer<uint8_t>>();
    c->clientIdentity.assign(reinterpret_cast<const char*>(b.Data()), b.Length());
  }
  if (key.IsBuffer()) {
    auto b = key.As<Napi::Buffer<uint8_t>>();
    c->clientKey.assign(b.Data(), b.Data() + b.Length());
  }
  std::string name = StringOpt(opts, "verifyName");
  if (!name.empty()) {
    X509_VERIFY_PARAM* param = SSL_get0_param(c->ssl);
    // An IP literal is matched against iPAddress SANs, anything else as a DNS name (and sent as SNI).
    if (X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) != 1) {
      ERR_clear_error();
      if (SSL_set1_host(c->ssl, name.c_str()) != 1 || SSL_set_tlsext_host_name(c->ssl, name.c_str()) != 1) {
        delete c;
        ThrowOpenSsl(env, "cannot set the expected server name");
      }
    }
  }
  return DtlsSession::Create(env, c, Value());
}

}  // namespace handover_dtls
