#include "aws/xml.hpp"

#include <cctype>
#include <charconv>

namespace auric::aws {
namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(std::string_view doc) : doc_(doc) {}

  XmlNode parse_document() {
    skip_misc();
    if (!starts_with("<")) fail("no root element");
    XmlNode root = parse_element(0);
    skip_misc();
    if (pos_ != doc_.size()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw XmlError("malformed XML at byte " + std::to_string(pos_) + ": " + what);
  }

  bool starts_with(std::string_view s) const { return doc_.substr(pos_).starts_with(s); }

  void skip_space() {
    while (pos_ < doc_.size() && std::isspace(static_cast<unsigned char>(doc_[pos_]))) ++pos_;
  }

  void skip_until(std::string_view terminator) {
    const auto end = doc_.find(terminator, pos_);
    if (end == std::string_view::npos) fail("unterminated construct");
    pos_ = end + terminator.size();
  }

  // Whitespace, comments, processing instructions and a DOCTYPE outside the root.
  void skip_misc() {
    for (;;) {
      skip_space();
      if (starts_with("<?"))
        skip_until("?>");
      else if (starts_with("<!--"))
        skip_until("-->");
      else if (starts_with("<!DOCTYPE"))
        skip_until(">");
      else
        return;
    }
  }

  static std::string local(std::string_view name) {
    const auto colon = name.find(':');
    return std::string(colon == std::string_view::npos ? name : name.substr(colon + 1));
  }

  std::string_view parse_name() {
    const std::size_t start = pos_;
    while (pos_ < doc_.size()) {
      const char c = doc_[pos_];
      if (std::isspace(static_cast<unsigned char>(c)) || c == '>' || c == '/' || c == '=') break;
      ++pos_;
    }
    if (pos_ == start) fail("expected a name");
    return doc_.substr(start, pos_ - start);
  }

  void append_decoded(std::string& out, std::string_view raw) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out.push_back(raw[i]);
        continue;
      }
      const auto semi = raw.find(';', i);
      if (semi == std::string_view::npos) fail("unterminated entity");
      std::string_view entity = raw.substr(i + 1, semi - i - 1);
      if (entity == "lt")
        out.push_back('<');
      else if (entity == "gt")
        out.push_back('>');
      else if (entity == "amp")
        out.push_back('&');
      else if (entity == "quot")
        out.push_back('"');
      else if (entity == "apos")
        out.push_back('\'');
      else if (!entity.empty() && entity[0] == '#') {
        unsigned code = 0;
        const bool hex = entity.size() > 1 && (entity[1] == 'x' || entity[1] == 'X');
        std::string_view digits = entity.substr(hex ? 2 : 1);
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
        if (ec != std::errc{} || ptr != digits.data() + digits.size() || code > 0x10FFFF) {
          fail("bad character reference");
        }
        append_utf8(out, code);
      } else {
        fail("unknown entity '&" + std::string(entity) + ";'");
      }
      i = semi;
    }
  }

  static void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  XmlNode parse_element(int depth) {
    if (depth > kMaxDepth) fail("nesting too deep");
    ++pos_;  // '<'
    const std::string_view qname = parse_name();
    XmlNode node;
    node.name = local(qname);
    for (;;) {
      skip_space();
      if (pos_ >= doc_.size()) fail("truncated start tag");
      if (starts_with("/>")) {
        pos_ += 2;
        return node;
      }
      if (doc_[pos_] == '>') {
        ++pos_;
        break;
      }
      const std::string_view attr = parse_name();
      skip_space();
      if (pos_ >= doc_.size() || doc_[pos_] != '=') fail("expected '=' after attribute name");
      ++pos_;
      skip_space();
      if (pos_ >= doc_.size() || (doc_[pos_] != '"' && doc_[pos_] != '\''))
        fail("expected quoted attribute value");
      const char quote = doc_[pos_++];
      const auto end = doc_.find(quote, pos_);
      if (end == std::string_view::npos) fail("unterminated attribute value");
      std::string value;
      append_decoded(value, doc_.substr(pos_, end - pos_));
      pos_ = end + 1;
      node.attributes.emplace_back(local(attr), std::move(value));
    }
    for (;;) {
      if (pos_ >= doc_.size()) fail("truncated document: <" + std::string(qname) + "> not closed");
      if (starts_with("</")) {
        pos_ += 2;
        const std::string_view closing = parse_name();
        if (closing != qname) fail("</" + std::string(closing) + "> closes <" + std::string(qname) + ">");
        skip_space();
        if (pos_ >= doc_.size() || doc_[pos_] != '>') fail("expected '>'");
        ++pos_;
        return node;
      }
      if (starts_with("<!--")) {
        skip_until("-->");
      } else if (starts_with("<![CDATA[")) {
        pos_ += 9;
        const auto end = doc_.find("]]>", pos_);
        if (end == std::string_view::npos) fail("unterminated CDATA");
        node.text.append(doc_.substr(pos_, end - pos_));
        pos_ = end + 3;
      } else if (starts_with("<?")) {
        skip_until("?>");
      } else if (doc_[pos_] == '<') {
        node.children.push_back(parse_element(depth + 1));
      } else {
        const auto next = doc_.find('<', pos_);
        if (next == std::string_view::npos) fail("truncated document: text without closing tag");
        append_decoded(node.text, doc_.substr(pos_, next - pos_));
        pos_ = next;
      }
    }
  }

  std::string_view doc_;
  std::size_t pos_ = 0;
};

}  // namespace

const XmlNode* XmlNode::child(std::string_view child_name) const {
  for (const auto& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

const XmlNode* XmlNode::find(std::string_view node_name) const {
  if (name == node_name) return this;
  for (const auto& c : children) {
    if (const XmlNode* found = c.find(node_name)) return found;
  }
  return nullptr;
}

std::string XmlNode::child_text(std::string_view child_name, std::string_view fallback) const {
  const XmlNode* c = child(child_name);
  return c ? c->text : std::string(fallback);
}

std::string XmlNode::required_text(std::string_view child_name) const {
  const XmlNode* c = child(child_name);
  if (c == nullptr) throw XmlError("<" + name + "> has no <" + std::string(child_name) + ">");
  return c->text;
}

XmlNode parse_xml(std::string_view document) {
  return Parser(document).parse_document();
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace auric::aws
