// Datagram queue BIO: see dgram_bio.h for why BIO_s_mem is not enough for DTLS.
#include "dgram_bio.h"

#include <cstring>
#include <deque>
#include <mutex>

namespace handover_dtls {
namespace {

struct Queue {
  std::deque<std::vector<uint8_t>> datagrams;
};

// Bound on queued datagrams per direction: a flood from one peer cannot grow memory forever.
constexpr size_t kMaxQueued = 256;

Queue* QueueOf(BIO* bio) { return static_cast<Queue*>(BIO_get_data(bio)); }

int Create(BIO* bio) {
  BIO_set_data(bio, new Queue());
  BIO_set_init(bio, 1);
  return 1;
}

int Destroy(BIO* bio) {
  if (bio == nullptr) return 0;
  delete QueueOf(bio);
  BIO_set_data(bio, nullptr);
  return 1;
}

int WriteEx(BIO* bio, const char* data, size_t len, size_t* written) {
  Queue* q = QueueOf(bio);
  BIO_clear_retry_flags(bio);
  if (q == nullptr) return 0;
  if (q->datagrams.size() >= kMaxQueued) q->datagrams.pop_front();
  q->datagrams.emplace_back(reinterpret_cast<const uint8_t*>(data),
                            reinterpret_cast<const uint8_t*>(data) + len);
  *written = len;
  return 1;
}

int ReadEx(BIO* bio, char* data, size_t len, size_t* read) {
  Queue* q = QueueOf(bio);
  BIO_clear_retry_flags(bio);
  if (q == nullptr) return 0;
  if (q->datagrams.empty()) {
    // Nothing received yet: a non-blocking "try again", exactly like an empty UDP socket.
    BIO_set_retry_read(bio);
    *read = 0;
    return 0;
  }
  std::vector<uint8_t>& front = q->datagrams.front();
  // Datagram semantics: a short buffer truncates, the rest of the datagram is lost.
  size_t n = front.size() < len ? front.size() : len;
  if (n > 0) memcpy(data, front.data(), n);
  q->datagrams.pop_front();
  *read = n;
  return 1;
}

long Ctrl(BIO* bio, int cmd, long num, void* ptr) {
  (void)num;
  (void)ptr;
  Queue* q = QueueOf(bio);
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_PENDING:
      return (q == nullptr || q->datagrams.empty()) ? 0 : static_cast<long>(q->datagrams.front().size());
    case BIO_CTRL_WPENDING:
      return 0;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
      return kUdpOverhead;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      // The link MTU is set explicitly (SSL_OP_NO_QUERY_MTU + DTLS_set_link_mtu).
      return 0;
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
    case BIO_CTRL_DGRAM_SET_MTU:
      return 1;
    default:
      // Peer address queries (BIO_CTRL_DGRAM_GET_PEER…) are unsupported: the JS layer
      // demultiplexes by peer, and the cookie binds to the peer string we set on the SSL.
      return 0;
  }
}

BIO_METHOD* Method() {
  static BIO_METHOD* method = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "handover datagram queue");
    if (m == nullptr) return;
    BIO_meth_set_write_ex(m, WriteEx);
    BIO_meth_set_read_ex(m, ReadEx);
    BIO_meth_set_ctrl(m, Ctrl);
    BIO_meth_set_create(m, Create);
    BIO_meth_set_destroy(m, Destroy);
    method = m;
  });
  return method;
}

}  // namespace

BIO* NewDgramBio() {
  BIO_METHOD* m = Method();
  return m == nullptr ? nullptr : BIO_new(m);
}

bool DgramBioPush(BIO* bio, const uint8_t* data, size_t len) {
  Queue* q = QueueOf(bio);
  if (q == nullptr) return false;
  if (q->datagrams.size() >= kMaxQueued) return false;
  q->datagrams.emplace_back(data, data + len);
  return true;
}

bool DgramBioPop(BIO* bio, std::vector<uint8_t>* out) {
  Queue* q = QueueOf(bio);
  if (q == nullptr || q->datagrams.empty()) return false;
  *out = std::move(q->datagrams.front());
  q->datagrams.pop_front();
  return true;
}

size_t DgramBioCount(BIO* bio) {
  Queue* q = QueueOf(bio);
  return q == nullptr ? 0 : q->datagrams.size();
}

}  // namespace handover_dtls
