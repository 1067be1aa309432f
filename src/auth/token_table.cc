#include "auth/token_table.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <functional>

namespace opscale {
namespace {

// Grow when more than 4/5 of the slots are used: with linear probing, about
// 3/4 of the tokens then sit in the first two slots of their probe sequence,
// the two that Prefetch loads.
constexpr size_t kMaxLoadNum = 4, kMaxLoadDen = 5;
constexpr size_t kPrefetchSlots = 2;

template <typename Vec>
auto LowerBound(Vec& v, std::string_view id) {
  return std::lower_bound(v.begin(), v.end(), id,
                          [](const auto& e, std::string_view k) { return e.first < k; });
}

}  // namespace

// --- Huge pages ---

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
}  // namespace

void* AllocateOnHugePages(size_t bytes) {
  if (bytes < kHugePage) return ::operator new(bytes, std::align_val_t{64});
  // mmap aligns to 4 KiB only: map a huge page more, keep an aligned range.
  const size_t size = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* raw = mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  char* begin = static_cast<char*>(raw);
  char* aligned = begin + (kHugePage - reinterpret_cast<uintptr_t>(begin) % kHugePage) % kHugePage;
  if (aligned > begin) munmap(begin, aligned - begin);
  char* end = aligned + size;
  if (begin + size + kHugePage > end) munmap(end, begin + size + kHugePage - end);
  (void)madvise(aligned, size, MADV_HUGEPAGE);  // a hint; 4 KiB pages still work
  return aligned;
}

void FreeOnHugePages(void* p, size_t bytes) {
  if (bytes < kHugePage) {
    ::operator delete(p, std::align_val_t{64});
    return;
  }
  munmap(p, (bytes + kHugePage - 1) / kHugePage * kHugePage);
}

// --- TokenRecord ---

void TokenRecord::SetName(const std::optional<std::string>& n) {
  if (n) name.emplace(n->begin(), n->end());
  else name.reset();
}

std::string TokenRecord::DisplayName() const {
  return name ? std::string(name->begin(), name->end()) : id;
}

void TokenRecord::AddGrant(ResourceType type, std::string_view resource_id, Access a) {
  if (type == ResourceType::kOrganization) {
    org_accesses.Add(a);
    return;
  }
  auto it = LowerBound(database_accesses, resource_id);
  if (it == database_accesses.end() || it->first != resource_id)
    it = database_accesses.emplace(it, std::string(resource_id), AccessSet{});
  it->second.Add(a);
}

void TokenRecord::RemoveGrant(ResourceType type, std::string_view resource_id, Access a) {
  if (type == ResourceType::kOrganization) {
    org_accesses.Remove(a);
    return;
  }
  auto it = LowerBound(database_accesses, resource_id);
  if (it == database_accesses.end() || it->first != resource_id) return;
  it->second.Remove(a);
  if (it->second.Empty()) database_accesses.erase(it);
}

void TokenRecord::RemoveDatabase(std::string_view database_id) {
  auto it = LowerBound(database_accesses, database_id);
  if (it != database_accesses.end() && it->first == database_id) database_accesses.erase(it);
}

void TokenRecord::CopyGrantsTo(Principal& p) const {
  p.org_accesses = org_accesses;
  p.database_accesses.AssignSorted(database_accesses.begin(), database_accesses.end());
}

// --- TokenTable ---

uint64_t TokenTable::HashOf(std::string_view id) {
  uint64_t h;
  if (id.size() >= 8 && id.size() <= 16) {
    // Ids are 12 chars: two (overlapping) 8-byte loads and a multiply-xorshift
    // mix, a few instructions where std::hash runs a loop over the bytes.
    uint64_t a, b;
    std::memcpy(&a, id.data(), 8);
    std::memcpy(&b, id.data() + id.size() - 8, 8);
    h = (a ^ (b << 7 | b >> 57) ^ id.size()) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
  } else {
    h = std::hash<std::string_view>{}(id);
  }
  return h == 0 ? 1 : h;  // 0 marks an empty slot
}

size_t TokenTable::Home(uint64_t hash) const {
  // Maps the hash onto [0, size) with a multiply instead of a division, so
  // the table need not be a power of two (at 1M tokens, the next power of two
  // would nearly double the memory).
  return static_cast<size_t>((static_cast<unsigned __int128>(hash) * slots_.size()) >> 64);
}

void TokenTable::Reserve(size_t n) {
  const size_t needed = n * kMaxLoadDen / kMaxLoadNum + 1;
  if (needed > slots_.size()) Rehash(needed);
}

void TokenTable::Prefetch(std::string_view id) const {
  if (slots_.empty()) return;
  size_t i = Home(HashOf(id));
  for (size_t k = 0; k < kPrefetchSlots; ++k, i = Next(i)) {
    const char* p = reinterpret_cast<const char*>(&slots_[i]);
    for (size_t line = 0; line < sizeof(Slot); line += 64) __builtin_prefetch(p + line);
  }
}

size_t TokenTable::FindSlot(std::string_view id, uint64_t hash) const {
  if (slots_.empty()) return 0;
  for (size_t i = Home(hash);; i = Next(i)) {
    const Slot& s = slots_[i];
    if (s.hash == 0) return slots_.size();
    if (s.hash == hash && s.record.id == id) return i;
  }
}

const TokenRecord* TokenTable::Find(std::string_view id) const {
  size_t i = FindSlot(id, HashOf(id));
  return i < slots_.size() ? &slots_[i].record : nullptr;
}

TokenRecord* TokenTable::Find(std::string_view id) {
  size_t i = FindSlot(id, HashOf(id));
  return i < slots_.size() ? &slots_[i].record : nullptr;
}

TokenRecord& TokenTable::FindOrAdd(std::string_view id) {
  const uint64_t hash = HashOf(id);
  size_t i = FindSlot(id, hash);
  if (i < slots_.size()) return slots_[i].record;
  if ((size_ + 1) * kMaxLoadDen > slots_.size() * kMaxLoadNum)
    Rehash(std::max<size_t>(16, slots_.size() * 2));
  for (i = Home(hash); slots_[i].hash != 0; i = Next(i)) {
  }
  slots_[i].hash = hash;
  slots_[i].record = TokenRecord{};
  slots_[i].record.id = std::string(id);
  ++size_;
  return slots_[i].record;
}

bool TokenTable::Erase(std::string_view id) {
  size_t hole = FindSlot(id, HashOf(id));
  if (hole >= slots_.size()) return false;
  // Backward-shift deletion: move later members of the probe run into the
  // hole when their home is not between the hole and where they are, so
  // every lookup still finds its token before the first empty slot.
  for (size_t j = Next(hole);; j = Next(j)) {
    Slot& s = slots_[j];
    if (s.hash == 0) break;
    const size_t home = Home(s.hash);
    const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) continue;
    slots_[hole] = std::move(s);
    hole = j;
  }
  slots_[hole] = Slot{};
  --size_;
  return true;
}

void TokenTable::Rehash(size_t capacity) {
  decltype(slots_) old(capacity);
  old.swap(slots_);
  for (Slot& s : old) {
    if (s.hash == 0) continue;
    size_t i = Home(s.hash);
    while (slots_[i].hash != 0) i = Next(i);
    slots_[i] = std::move(s);
  }
}

}  // namespace opscale
