// Error responses of every protocol: the input is "STATUS\nX-AMZN-ERRORTYPE\nBODY" (a JSON
// body for the json protocol, XML for query/S3, anything else too), read by
// aws::parse_error_response (never throws; the message is one line) and by the 2xx decoders
// decode_json_body / decode_xml_body (AwsError MalformedResponse, documented).
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/errors.hpp"
#include "aws/protocols.hpp"
#include "fuzz_support.hpp"

namespace aws = auric::aws;
using auric::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = auric::fuzz::split(auric::fuzz::as_text(data, size), '\n', 3);
  aws::HttpResponse response;
  int status = 400;
  std::from_chars(parts[0].data(), parts[0].data() + parts[0].size(), status);
  response.status = status;
  if (!parts[1].empty()) response.headers.add("x-amzn-ErrorType", std::string(parts[1]));
  response.headers.add("x-amzn-RequestId", "fuzz-request");
  response.body = std::string(parts[2]);

  for (const char* service : {"DynamoDB", "S3", "STS"}) {
    const aws::AwsError error = aws::parse_error_response(service, "Operation", response);  // never throws
    check(!error.code().empty(), "an error without a code", error.what());
    check(error.message().find_first_of("\r\n") == std::string::npos, "a message of several lines",
          error.message());
    check(error.http_status() == status, "the HTTP status was lost");
  }

  response.status = 200;
  try {
    (void)aws::decode_json_body("DynamoDB", "GetItem", response).dump();
  } catch (const aws::AwsError& e) {
    check(e.code() == aws::kMalformedResponseCode, "decode_json_body threw another code", e.what());
  }
  try {
    (void)aws::decode_xml_body("STS", "AssumeRole", response);
  } catch (const aws::AwsError& e) {
    check(e.code() == aws::kMalformedResponseCode, "decode_xml_body threw another code", e.what());
  }
  return 0;
}
