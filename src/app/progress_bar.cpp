#include "app/progress_bar.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace auric::app {

void RateMeter::add(std::int64_t now_ms, std::int64_t done) {
  if (!samples_.empty() && done < samples_.back().second) samples_.clear();
  samples_.emplace_back(now_ms, done);
  // Keep the newest sample older than the window too, so the span covers the whole window.
  while (samples_.size() > 2 && now_ms - samples_[1].first >= window_ms_) samples_.pop_front();
}

std::optional<double> RateMeter::per_second() const {
  if (samples_.size() < 2) return std::nullopt;
  const auto& [t0, d0] = samples_.front();
  const auto& [t1, d1] = samples_.back();
  if (t1 - t0 < kMinSpanMs) return std::nullopt;
  return static_cast<double>(d1 - d0) * 1000.0 / static_cast<double>(t1 - t0);
}

std::string group_thousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  const std::size_t lead = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i >= lead && (i - lead) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::optional<int> percent_done(const ProgressSnapshot& p) {
  if (!p.total) return std::nullopt;
  if (*p.total <= 0 || p.done >= *p.total) return 100;
  return static_cast<int>(std::clamp<std::int64_t>(p.done * 100 / *p.total, 0, 100));
}

std::optional<std::int64_t> eta_ms(const ProgressSnapshot& p, std::optional<double> rate) {
  if (!p.total || p.done >= *p.total || !rate || *rate <= 0) return std::nullopt;
  return static_cast<std::int64_t>(std::ceil(static_cast<double>(*p.total - p.done) * 1000.0 / *rate));
}

std::string format_eta(std::int64_t ms) {
  const std::int64_t s = std::max<std::int64_t>(0, (ms + 999) / 1000);
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m " + std::to_string(s % 60) + "s";
  return std::to_string(s / 3600) + "h " + std::to_string(s % 3600 / 60) + "m";
}

std::string format_rate(double per_second, bool grouped) {
  const double r = per_second > 0 ? per_second : 0;
  if (r < 9.95) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", r);
    return buf;
  }
  const auto whole = static_cast<std::int64_t>(std::llround(r));
  return grouped ? group_thousands(whole) : std::to_string(whole);
}

namespace {

std::string unit_of(const ProgressSnapshot& p) {
  return p.unit.empty() ? "items" : p.unit;
}

// `[#######.......]` of `width` cells inside the brackets.
std::string bar_cells(int percent, int width) {
  const int filled = percent * width / 100;
  return "[" + std::string(static_cast<std::size_t>(filled), '#') +
         std::string(static_cast<std::size_t>(width - filled), '.') + "]";
}

}  // namespace

std::string format_bar_line(const ProgressView& v, int columns) {
  const ProgressSnapshot& p = v.progress;
  const std::string unit = unit_of(p);
  const std::optional<int> percent = percent_done(p);
  std::string tail;  // everything after the bar
  if (percent) {
    char pct[8];
    std::snprintf(pct, sizeof pct, "%3d%%", *percent);
    tail += std::string("  ") + pct + "  " + group_thousands(p.done) + "/" + group_thousands(*p.total) + " " +
            unit;
  } else {
    tail += "  " + group_thousands(p.done) + " " + unit;
  }
  if (v.rate) tail += "  " + format_rate(*v.rate, true) + " " + unit + "/s";
  if (const auto eta = eta_ms(p, v.rate)) tail += "  ETA " + format_eta(*eta);

  const std::size_t limit = columns > 1 ? static_cast<std::size_t>(columns - 1) : 0;
  const std::string head = "  " + v.id;
  std::string line;
  if (percent) {
    // The bar takes what is left, between 10 and 30 cells; below 10 it is dropped.
    const std::size_t fixed = head.size() + 2 + 2 + tail.size();
    const std::size_t room = limit > fixed ? limit - fixed : 0;
    const int cells = static_cast<int>(std::min<std::size_t>(room, 30));
    line = cells >= 10 ? head + "  " + bar_cells(*percent, cells) + tail : head + tail;
  } else {
    line = head + tail;
  }
  if (line.size() > limit) line.resize(limit);
  return line;
}

std::string format_plain_line(const ProgressView& v) {
  const ProgressSnapshot& p = v.progress;
  const std::string unit = unit_of(p);
  std::string line = "[migrations] Progress " + v.id + ": " + std::to_string(p.done);
  if (const auto percent = percent_done(p)) {
    line += "/" + std::to_string(*p.total) + " " + unit + " (" + std::to_string(*percent) + "%)";
  } else {
    line += " " + unit;
  }
  if (v.rate) line += ", " + format_rate(*v.rate, false) + " " + unit + "/s";
  if (const auto eta = eta_ms(p, v.rate)) line += ", ETA " + format_eta(*eta);
  return line;
}

std::string format_progress_summary(const ProgressSnapshot& p, std::int64_t now_ms) {
  const std::string unit = unit_of(p);
  std::string text;
  if (const auto percent = percent_done(p)) {
    text = std::to_string(*percent) + "% (" + group_thousands(p.done) + "/" + group_thousands(*p.total) +
           " " + unit + ")";
  } else {
    text = group_thousands(p.done) + " " + unit;
  }
  const std::int64_t age_s = std::max<std::int64_t>(0, now_ms - p.updated_at) / 1000;
  std::string age;
  if (age_s < 60) {
    age = std::to_string(age_s) + "s";
  } else if (age_s < 3600) {
    age = std::to_string(age_s / 60) + "m";
  } else {
    age = std::to_string(age_s / 3600) + "h";
  }
  return text + ", updated " + age + " ago";
}

}  // namespace auric::app
