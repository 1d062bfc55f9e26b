// The profile as a terminal table, a JSON document and a self-contained HTML page with one
// box-plot row per conversion point against its type's range (inline SVG).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "tachyon/calibrate/calibrate.h"

namespace tachyon::calibrate {

namespace {

std::string num(double v) {
  if (!std::isfinite(v)) return "-";
  return fmt::format("{:.4g}", v);
}

std::string esc(const std::string& s) {
  std::string r;
  for (char c : s) {
    if (c == '<') r += "&lt;";
    else if (c == '>') r += "&gt;";
    else if (c == '&') r += "&amp;";
    else if (c == '"') r += "&quot;";
    else r += c;
  }
  return r;
}

double pct(const Range& r, size_t i, double fallback) { return i < r.pct.size() ? r.pct[i] : fallback; }

}  // namespace

std::string profile_table(const Profile& p) {
  size_t wl = 5, ww = 4, wt = 4;
  for (const ProfileEntry& e : p.entries) {
    wl = std::max(wl, e.layer.size());
    ww = std::max(ww, e.what.size());
    wt = std::max(wt, e.type.size());
  }
  std::string out = fmt::format("{} on {} sample{}\n", p.model, p.samples, p.samples == 1 ? "" : "s");
  out += fmt::format("{:<{}}  {:<{}}  {:>10}  {:>10}  {:>10}  {:>10}  {:>4}  {:>4}  {:<{}}  {:>9}  {:>9}\n", "layer", wl,
                     "what", ww, "min", "p0.1", "p99.9", "max", "int", "frac", "type", wt, "wrapped", "saturated");
  int flagged = 0;
  for (const ProfileEntry& e : p.entries) {
    const Range& r = e.range;
    out += fmt::format("{:<{}}  {:<{}}  {:>10}  {:>10}  {:>10}  {:>10}  {:>4}  {:>4}  {:<{}}  {:>9}  {:>9}", e.layer, wl,
                       e.what, ww, num(r.min), num(pct(r, 0, r.min)), num(pct(r, 6, r.max)), num(r.max),
                       r.empty() ? "-" : fmt::format("{}{}", e.int_bits, e.is_signed ? "" : "u"), e.frac_bits,
                       e.type.empty() ? "-" : e.type, wt, e.wrapped, e.saturated);
    if (!r.empty() && !e.type.empty() && (r.min < e.type_min || r.max > e.type_max)) {
      out += "  << OUT OF RANGE";
      ++flagged;
    } else if (e.wrapped + e.saturated > 0) {
      out += "  << OVERFLOW";
      ++flagged;
    }
    out += "\n";
  }
  out += "int: integer bits the observed values need ('u': unsigned); frac: fractional bits for 8 significant bits\n"
         "at the median magnitude; wrapped/saturated: with the configured types\n";
  out += flagged ? fmt::format("{} point{} out of range\n", flagged, flagged == 1 ? "" : "s") : "every value in range\n";
  return out;
}

nlohmann::json profile_json(const Profile& p) {
  nlohmann::json j;
  j["model"] = p.model;
  j["samples"] = p.samples;
  j["percentiles"] = {0.1, 1, 25, 50, 75, 99, 99.9};
  nlohmann::json rows = nlohmann::json::array();
  for (const ProfileEntry& e : p.entries) {
    nlohmann::json r;
    r["layer"] = e.layer;
    r["op"] = e.op;
    r["what"] = e.what;
    r["slot"] = e.slot;
    r["type"] = e.type;
    r["constant"] = e.constant;
    r["count"] = e.range.count;
    auto fin = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    r["min"] = fin(e.range.min);
    r["max"] = fin(e.range.max);
    nlohmann::json pc = nlohmann::json::array();
    for (double v : e.range.pct) pc.push_back(fin(v));
    r["pct"] = pc;
    r["abs_median"] = e.range.abs_median;
    r["int_bits"] = e.int_bits;
    r["frac_bits"] = e.frac_bits;
    r["signed"] = e.is_signed;
    r["type_min"] = fin(e.type_min);
    r["type_max"] = fin(e.type_max);
    r["conversions"] = e.conversions;
    r["wrapped"] = e.wrapped;
    r["saturated"] = e.saturated;
    rows.push_back(r);
  }
  j["entries"] = rows;
  return j;
}

// One row per point on a log2 |value| axis: grey band = the type's range [2^-F, max |type|];
// box = median/2 .. the larger magnitude of the 25th/75th percentiles; line up to max |value|;
// dot = the larger magnitude of the 0.1th/99.9th percentiles (the legend is in the page).
std::string profile_html(const Profile& p, const std::string& title) {
  const int lo = -16, hi = 12;  // log2 axis
  const double left = 330, width = 560, row_h = 18, top = 40;
  auto xpos = [&](double v) {
    double l = v > 0 ? std::log2(v) : lo;
    l = std::clamp(l, double(lo), double(hi));
    return left + (l - lo) / (hi - lo) * width;
  };
  const double h = top + row_h * static_cast<double>(p.entries.size()) + 40;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"monospace\" font-size=\"11\">\n",
      left + width + 20, h);
  for (int e = lo; e <= hi; e += 2) {
    double x = xpos(std::ldexp(1.0, e));
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#ddd\"/>"
                       "<text x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">2^{4}</text>\n",
                       x, top - 6, h - 30, top - 10, e);
  }
  for (size_t i = 0; i < p.entries.size(); ++i) {
    const ProfileEntry& e = p.entries[i];
    const double y = top + row_h * static_cast<double>(i);
    const double mid = y + row_h / 2;
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{} {}</text>\n", left - 6, mid + 4, esc(e.layer),
                       esc(e.what));
    if (std::isfinite(e.type_max) && e.type_max > 0) {
      double a = xpos(e.type_ulp);
      double b = xpos(std::max(std::fabs(e.type_min), e.type_max));
      svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#e4e4e4\"><title>{}</title></rect>\n",
                         a, y + 2, std::max(1.0, b - a), row_h - 4, esc(e.type));
    }
    const Range& r = e.range;
    if (r.empty()) continue;
    auto mag = [](double a, double b) { return std::max(std::fabs(a), std::fabs(b)); };
    double wmax = mag(r.min, r.max);
    double p_lo = mag(pct(r, 0, r.min), pct(r, 6, r.max));
    double q1 = r.abs_median / 2, q3 = mag(pct(r, 2, r.min), pct(r, 4, r.max));
    if (q1 <= 0) q1 = q3 / 4;
    bool bad = e.wrapped + e.saturated > 0 || (!e.type.empty() && (r.min < e.type_min || r.max > e.type_max));
    const char* col = bad ? "#d62728" : "#1f77b4";
    double xm = xpos(r.abs_median), x1 = xpos(q1), x3 = xpos(std::max(q1, q3)), xw = xpos(wmax), xp = xpos(p_lo);
    svg += fmt::format(
        "<g><title>{} {}: min {} max {} median |v| {} type {} wrapped {} saturated {}</title>"
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>"
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"0.5\" stroke=\"{}\"/>"
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"black\"/>"
        "<circle cx=\"{}\" cy=\"{}\" r=\"2\" fill=\"{}\"/></g>\n",
        esc(e.layer), esc(e.what), num(r.min), num(r.max), num(r.abs_median), esc(e.type.empty() ? "-" : e.type),
        e.wrapped, e.saturated, x1, mid, xw, mid, col, x1, y + 4, std::max(1.0, x3 - x1), row_h - 8, col, col, xm, y + 3,
        xm, y + row_h - 3, xp, mid, col);
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">|value| (log2 axis)</text>\n", left + width / 2,
                     h - 10);
  svg += "</svg>\n";
  std::string t = title.empty() ? "Tachyon profile: " + p.model : title;
  std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + esc(t) +
                     "</title><style>body{font-family:sans-serif;margin:20px}pre{font-size:11px}</style></head><body>\n";
  html += "<h1>" + esc(t) + "</h1>\n<p>" + std::to_string(p.samples) +
          " samples. Ranges from the exact fixed-point run (16 extra integer bits, same fractional bits); "
          "overflow counts with the configured types.</p>\n";
  html += "<p>One row per converted value. Grey: the configured type's range (2^-F up to its largest magnitude). "
          "Box: median/2 to the 75th percentile of |value|, tick: the median; line: up to the largest |value|; dot: "
          "99.9th percentile. Red: out of the type's range, or wrapped / saturated.</p>\n";
  html += svg;
  html += "<h2>Table</h2>\n<pre>" + esc(profile_table(p)) + "</pre>\n</body></html>\n";
  return html;
}

}  // namespace tachyon::calibrate
