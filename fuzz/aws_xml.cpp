// The XML reader behind the STS and S3 clients: aws::parse_xml on the input (XmlError for
// malformed or truncated documents, documented), then the lookups the clients make on the tree
// (STS credentials, S3 listings and errors) and decode_xml_body (AwsError MalformedResponse).
// Character data must survive xml_escape -> parse_xml unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/errors.hpp"
#include "aws/protocols.hpp"
#include "aws/xml.hpp"
#include "fuzz_support.hpp"

namespace aws = auric::aws;
using auric::fuzz::check;

namespace {

void walk(const aws::XmlNode& node, int depth) {
  (void)node.child("Code");
  (void)node.child_text("Message", "none");
  try {
    (void)node.required_text("AccessKeyId");
  } catch (const aws::XmlError&) {
  }
  if (depth < 64) {
    for (const auto& child : node.children) walk(child, depth + 1);
  }
}

void escape_round_trip(const std::string& text) {
  const std::string document = "<r a=\"" + aws::xml_escape(text) + "\">" + aws::xml_escape(text) + "</r>";
  const aws::XmlNode root = aws::parse_xml(document);  // must not throw: we wrote it
  check(root.text == text, "xml_escape -> parse_xml changed the text", document);
  check(root.attributes.size() == 1 && root.attributes[0].second == text,
        "xml_escape -> parse_xml changed the attribute", document);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = auric::fuzz::as_text(data, size);
  try {
    const aws::XmlNode root = aws::parse_xml(text);
    walk(root, 0);
    for (const char* name : {"Credentials", "Error", "Contents", "RequestId", "Expiration"}) {
      if (const aws::XmlNode* found = root.find(name)) (void)found->child_text("Key");
    }
    escape_round_trip(root.text);
  } catch (const aws::XmlError&) {
  }
  aws::HttpResponse response;
  response.status = 200;
  response.body = std::string(text);
  try {
    (void)aws::decode_xml_body("S3", "ListObjectsV2", response);
  } catch (const aws::AwsError& e) {
    check(e.code() == aws::kMalformedResponseCode, "decode_xml_body threw another code", e.what());
  }
  return 0;
}
