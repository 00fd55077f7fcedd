// A tiny XML reader, enough for the S3 and STS responses we parse: elements, attributes,
// text, the five entities and numeric references, CDATA, comments and the prolog.
// Namespace prefixes are dropped from names. No DTDs. Pure; thread-safe.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace auric::aws {

class XmlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct XmlNode {
  std::string name;  // local name (prefix removed)
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;  // concatenated character data directly inside this element
  std::vector<XmlNode> children;

  // First direct child with that local name, or nullptr.
  const XmlNode* child(std::string_view child_name) const;
  // First descendant (depth-first, this node included) with that local name, or nullptr.
  const XmlNode* find(std::string_view node_name) const;
  // Text of the first direct child with that name, or `fallback`.
  std::string child_text(std::string_view child_name, std::string_view fallback = {}) const;
  // Text of the first direct child with that name. Throws XmlError naming it when missing.
  std::string required_text(std::string_view child_name) const;
};

// Parses a document and returns its root element.
// Throws XmlError on malformed or truncated input.
XmlNode parse_xml(std::string_view document);

// Escapes text for element content or attribute values.
std::string xml_escape(std::string_view text);

}  // namespace auric::aws
