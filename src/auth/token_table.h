// TokenTable: the service tokens the CredentialIndex checks, by id, in one
// flat array (open addressing, linear probing).
//
// Why not std::unordered_map: with 1M tokens the table is far larger than the
// caches, and on the machines we measured (bench/results-index.md) a cache
// miss costs 0.2-0.4 us, as much as the HMAC of the secret. A node-based map
// costs a check 4-6 dependent misses (bucket, node before, node, heap
// strings, grants). Here everything a check reads sits in the token's slot
// (short names and the first grants included), and Prefetch() starts loading
// the slots where the id most likely is, so the caller can hash the secret
// while the memory arrives.
//
// The slots are on transparent huge pages where the system allows it: at 1M
// tokens they span ~100k 4 KiB pages, so a check would nearly always miss
// the TLB as well, and the page walk (0.3 us under virtualization) is
// something a prefetch cannot hide.
//
// Not thread-safe: the CredentialIndex guards it with its lock.
#pragma once

#include <boost/container/small_vector.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "auth/token_format.h"
#include "common/clock.h"
#include "domain/credentials.h"

namespace opscale {

// One service token: what a check reads, and no more (no audit fields).
struct TokenRecord {
  std::string id;
  std::string org_id;
  std::optional<SecretDigest> digest;  // unset if the stored hash is malformed: matches nothing
  std::optional<TimeMs> expires_at;
  std::optional<TimeMs> last_used_at;
  // Names up to 24 chars and grants on up to 2 databases are kept in place;
  // beyond that they live on the heap (one more cache miss for that token).
  std::optional<boost::container::small_vector<char, 24>> name;
  AccessSet org_accesses;
  boost::container::small_vector<std::pair<std::string, AccessSet>, 2> database_accesses;  // by id

  void SetName(const std::optional<std::string>& n);
  std::string DisplayName() const;  // the name, else the id
  // A grant of an access this build knows (unknown names grant nothing).
  void AddGrant(ResourceType type, std::string_view resource_id, Access a);
  void RemoveGrant(ResourceType type, std::string_view resource_id, Access a);
  // Drops the token's grants on a database.
  void RemoveDatabase(std::string_view database_id);
  // Sets the principal's org_accesses and database_accesses.
  void CopyGrantsTo(Principal& p) const;
};

// Memory for large arrays, on transparent huge pages when possible.
void* AllocateOnHugePages(size_t bytes);
void FreeOnHugePages(void* p, size_t bytes);

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: rebinding
  T* allocate(size_t n) { return static_cast<T*>(AllocateOnHugePages(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { FreeOnHugePages(p, n * sizeof(T)); }
  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};

class TokenTable {
 public:
  TokenTable() = default;
  TokenTable(TokenTable&&) = default;
  TokenTable& operator=(TokenTable&&) = default;

  size_t size() const { return size_; }
  // Makes room for `n` tokens without growing.
  void Reserve(size_t n);

  // Starts loading the slots where `id` most likely is into the cache. A
  // hint: it changes nothing and is never needed for correctness.
  void Prefetch(std::string_view id) const;
  const TokenRecord* Find(std::string_view id) const;
  TokenRecord* Find(std::string_view id);
  // The token's record, added (empty but for its id) if it is not there.
  TokenRecord& FindOrAdd(std::string_view id);
  // False if there was no such token.
  bool Erase(std::string_view id);

  template <typename F>
  void ForEach(F&& f) {
    for (Slot& s : slots_)
      if (s.hash != 0) f(s.record);
  }

 private:
  // alignas: a slot starts a cache line, so Prefetch knows which lines to load.
  struct alignas(64) Slot {
    uint64_t hash = 0;  // of record.id; 0: the slot is empty
    TokenRecord record;
  };
  static uint64_t HashOf(std::string_view id);
  size_t Home(uint64_t hash) const;
  size_t Next(size_t i) const { return i + 1 == slots_.size() ? 0 : i + 1; }
  size_t FindSlot(std::string_view id, uint64_t hash) const;  // slots_.size() if absent
  void Rehash(size_t capacity);

  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  size_t size_ = 0;
};

}  // namespace opscale
