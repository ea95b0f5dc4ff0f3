// A datagram-preserving in-memory BIO for DTLS.
//
// OpenSSL's BIO_s_mem is a byte stream: two records written one after the other would come out
// as one blob, and DTLS needs one BIO_write == one UDP datagram (BIO_s_dgram_mem only appears in
// OpenSSL 3.2, and Node 20 carries 3.0). This BIO keeps a queue of datagrams: BIO_write appends
// one, BIO_read pops one. No sockets: the JavaScript side owns the UDP socket.
#pragma once

#include <openssl/bio.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace handover_dtls {

// IPv4 + UDP header bytes, reported to OpenSSL as the per-datagram overhead so that
// DTLS_set_link_mtu(link) leaves room for them.
constexpr long kUdpOverhead = 28;

// A new empty datagram BIO (refcount 1), or nullptr on allocation failure.
BIO* NewDgramBio();

// Appends one datagram to the BIO's queue (used for the read side: bytes received from the peer).
bool DgramBioPush(BIO* bio, const uint8_t* data, size_t len);

// Pops the oldest datagram written by OpenSSL (the write side: bytes to send). False when empty.
bool DgramBioPop(BIO* bio, std::vector<uint8_t>* out);

// Number of queued datagrams.
size_t DgramBioCount(BIO* bio);

}  // namespace handover_dtls
