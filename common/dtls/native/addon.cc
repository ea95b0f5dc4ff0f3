// Entry point of the handover_dtls addon: DTLS 1.2 on the OpenSSL that Node itself carries
// (its symbols are exported by the node binary, so nothing is linked here).
#include <openssl/async.h>

#include "dtls.h"

namespace handover_dtls {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  exports.Set("DtlsContext", DtlsContext::Init(env));
  Napi::Function session = DtlsSession::Init(env);
  data->sessionConstructor = Napi::Persistent(session);
  exports.Set("DtlsSession", session);
  exports.Set("openssl", Napi::String::New(env, OpenSSL_version(OPENSSL_VERSION)));
  // The asynchronous PSK lookup pauses the handshake in an OpenSSL ASYNC job.
  exports.Set("asyncCapable", Napi::Boolean::New(env, ASYNC_is_capable() == 1));
  return exports;
}

}  // namespace handover_dtls

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return handover_dtls::Init(env, exports); }

NODE_API_MODULE(handover_dtls, InitAddon)
