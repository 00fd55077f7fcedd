// decode_object_headers (s3.hpp) and parse_http_date (encoding.hpp): what S3's object headers
// say, and a MalformedResponse naming the header for a value that cannot be read.
#include <gtest/gtest.h>

#include "aws/encoding.hpp"
#include "aws/errors.hpp"
#include "aws/s3.hpp"

namespace auric::aws {
namespace {

Headers headers(std::initializer_list<std::pair<std::string, std::string>> list) {
  Headers h;
  for (const auto& [name, value] : list) h.add(name, value);
  return h;
}

// The message of the MalformedResponse the headers give.
std::string refusal(const Headers& h, std::string_view operation = "HeadObject") {
  try {
    decode_object_headers(operation, h);
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), kMalformedResponseCode);
    EXPECT_EQ(e.service(), "S3");
    EXPECT_EQ(e.operation(), operation);
    return e.message();
  }
  ADD_FAILURE() << "expected a MalformedResponse";
  return {};
}

TEST(S3Headers, DecodesWhatS3Sends) {
  const ObjectInfo info =
      decode_object_headers("GetObject", headers({{"content-length", "20000"},
                                                  {"ETag", "\"9b2cf535f27731c974343645a3985328\""},
                                                  {"Content-Type", "application/zip"},
                                                  {"Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"},
                                                  {"x-amz-version-id", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"},
                                                  {"x-amz-delete-marker", "false"},
                                                  {"x-amz-server-side-encryption", "AES256"},
                                                  {"X-Amz-Meta-Build", "42"},
                                                  {"x-amz-meta-owner", "team a"},
                                                  {"x-amz-request-id", "REQ1"}}));
  EXPECT_EQ(info.content_length, 20000u);
  EXPECT_EQ(info.etag, "\"9b2cf535f27731c974343645a3985328\"");
  EXPECT_EQ(info.content_type, "application/zip");
  EXPECT_EQ(info.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
  ASSERT_TRUE(info.last_modified_time);
  EXPECT_EQ(format_iso8601(*info.last_modified_time), "2015-10-21T07:28:00Z");
  EXPECT_EQ(info.version_id, "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY");
  EXPECT_FALSE(info.delete_marker);
  EXPECT_EQ(info.server_side_encryption, "AES256");
  EXPECT_EQ(info.metadata, (std::map<std::string, std::string>{{"build", "42"}, {"owner", "team a"}}));
}

TEST(S3Headers, AbsentHeadersLeaveTheDefaults) {
  const ObjectInfo info = decode_object_headers("HeadObject", Headers{});
  EXPECT_EQ(info.content_length, 0u);
  EXPECT_TRUE(info.etag.empty());
  EXPECT_TRUE(info.last_modified.empty());
  EXPECT_FALSE(info.last_modified_time);
  EXPECT_FALSE(info.delete_marker);
  EXPECT_TRUE(info.metadata.empty());
  EXPECT_TRUE(decode_object_headers("HeadObject", headers({{"x-amz-delete-marker", "TRUE"}})).delete_marker);
  // The same length twice is fine (a proxy may repeat it); surrounding blanks are not part of it.
  EXPECT_EQ(decode_object_headers("GetObject", headers({{"Content-Length", " 7 "}, {"content-length", "7"}}))
                .content_length,
            7u);
  EXPECT_EQ(decode_object_headers("GetObject", headers({{"Content-Length", "18446744073709551615"}}))
                .content_length,
            UINT64_MAX);
}

TEST(S3Headers, AContentLengthThatIsNotAWholeNumberIsMalformed) {
  for (const char* bad : {"", "-1", "+5", "12abc", "1.5", "0x10", "18446744073709551616", "１２"}) {
    const std::string message = refusal(headers({{"Content-Length", bad}}));
    EXPECT_NE(message.find("bad Content-Length '" + std::string(bad) + "'"), std::string::npos) << message;
    EXPECT_NE(message.find("expected a whole number of bytes"), std::string::npos) << message;
  }
  const std::string twice =
      refusal(headers({{"Content-Length", "10"}, {"Content-Length", "12"}}), "GetObject");
  EXPECT_NE(twice.find("Content-Length sent twice with different values (10 and 12)"), std::string::npos)
      << twice;
}

TEST(S3Headers, ABadLastModifiedOrDeleteMarkerIsMalformed) {
  for (const char* bad :
       {"yesterday", "2015-10-21T07:28:00Z", "Wed, 21 Oct 2015 07:28:00 UTC", "Wed, 32 Oct 2015 07:28:00 GMT",
        "Wed, 21 Okt 2015 07:28:00 GMT", "Wed, 21 Oct 2015 24:00:00 GMT", "Xyz, 21 Oct 2015 07:28:00 GMT",
        "Wed, -1 Oct 2015 07:28:00 GMT"}) {
    const std::string message = refusal(headers({{"Last-Modified", bad}}));
    EXPECT_NE(message.find("bad Last-Modified '" + std::string(bad) + "'"), std::string::npos) << message;
  }
  const std::string marker = refusal(headers({{"x-amz-delete-marker", "maybe"}}));
  EXPECT_NE(marker.find("bad x-amz-delete-marker 'maybe': expected true or false"), std::string::npos)
      << marker;
}

TEST(S3Headers, TheErrorCarriesTheRequestId) {
  try {
    decode_object_headers("HeadObject", headers({{"Content-Length", "many"}, {"x-amz-request-id", "REQ9"}}));
    FAIL();
  } catch (const AwsError& e) {
    EXPECT_EQ(e.request_id(), "REQ9");
    EXPECT_NE(std::string(e.what()).find("S3 HeadObject failed: MalformedResponse"), std::string::npos)
        << e.what();
  }
}

TEST(Encoding, HttpDates) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), parse_iso8601("1994-11-06T08:49:37Z"));
  EXPECT_EQ(parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT"), parse_iso8601("2024-02-29T23:59:59Z"));
  // The day name is not checked against the date.
  EXPECT_EQ(parse_http_date("Mon, 06 Nov 1994 08:49:37 GMT"), parse_iso8601("1994-11-06T08:49:37Z"));
  // Years the clock cannot hold saturate, as parse_iso8601 does.
  EXPECT_EQ(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"), TimePoint::max());
  EXPECT_EQ(parse_http_date("Sat, 01 Jan 0000 00:00:00 GMT"), TimePoint::min());
  for (const char* bad :
       {"", "Sun, 06 Nov 1994 08:49:37", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        "Sun, 29 Feb 2023 08:49:37 GMT", "Sun, 06 Nov 1994 08:60:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT!", "onT, 06 Nov 1994 08:49:37 GMT"}) {
    EXPECT_THROW(parse_http_date(bad), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace auric::aws
