// File: actors/record_table.hpp
// The memory store's table of task records: records live in slots of a
// deque (stable addresses, grows without moving, freed slots are reused),
// and an open-addressing flat map finds a slot by task id. The store does
// several lookups per task, so this is the hottest data structure of the
// embedded pipeline; std::unordered_map spent most of its time rehashing
// and chasing node pointers here.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "actors/model/task.hpp"

namespace taskmesh {

class record_table {
public:
  task_record* find(const task_id& id) {
    auto i = index_.find(id);
    return i == index_.end() ? nullptr : &slots_[i->second];
  }

  // Inserts unless the id is present; returns the record and whether it was new.
  std::pair<task_record*, bool> insert(task_record&& r) {
    const auto slot = free_.empty() ? static_cast<std::uint32_t>(slots_.size()) : free_.back();
    auto [i, inserted] = index_.try_emplace(r.id, slot);
    if (!inserted)
      return {&slots_[i->second], false};
    if (slot == slots_.size()) {
      slots_.push_back(std::move(r));
    } else {
      free_.pop_back();
      slots_[slot] = std::move(r);
    }
    return {&slots_[slot], true};
  }

  // Erases the record of `id`, if there is one, after on_erase(record) has
  // seen it: one lookup (the table is mostly cache misses: a find and then
  // an erase by id paid for two).
  template <class OnErase>
  void erase(const task_id& id, OnErase&& on_erase) {
    auto i = index_.find(id);
    if (i == index_.end())
      return;
    on_erase(slots_[i->second]);
    slots_[i->second] = task_record{}; // releases result and error memory now
    free_.push_back(i->second);
    index_.erase(i);
  }

  std::size_t size() const noexcept { return index_.size(); }

private:
  boost::unordered_flat_map<task_id, std::uint32_t, std::hash<task_id>> index_;
  std::deque<task_record> slots_;
  std::vector<std::uint32_t> free_;
};

} // namespace taskmesh
