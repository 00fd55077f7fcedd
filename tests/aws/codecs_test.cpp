// Pure pieces: encodings, dates, the XML reader, AttributeValue conversions, region and
// endpoint resolution.
#include <gtest/gtest.h>

#include <auric/dynamodb_client.hpp>

#include "aws/encoding.hpp"
#include "aws/endpoints.hpp"
#include "aws/http.hpp"
#include "aws/xml.hpp"

namespace auric::aws {
namespace {

TEST(Encoding, Base64RoundTripAndRejectsGarbage) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar",
                                                       std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_THROW(base64_decode("Zm9v!"), std::invalid_argument);
  EXPECT_THROW(base64_decode("Zg==Zg"), std::invalid_argument);
}

TEST(Encoding, UriEncodeAndDecode) {
  EXPECT_EQ(uri_encode("a b/c~d+e"), "a%20b%2Fc~d%2Be");
  EXPECT_EQ(uri_encode("a b/c", true), "a%20b/c");
  EXPECT_EQ(uri_encode("\xe1\x88\xb4"), "%E1%88%B4");
  EXPECT_EQ(uri_decode("a%20b+%zz%4"), "a b+%zz%4");
}

TEST(Encoding, Hashes) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex_encode(hmac_sha256("key", "The quick brown fox jumps over the lazy dog")),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

TEST(Encoding, Iso8601Forms) {
  const TimePoint t = parse_iso8601("2015-08-30T12:36:00Z");
  EXPECT_EQ(format_amz_date(t), "20150830T123600Z");
  EXPECT_EQ(format_amz_day(t), "20150830");
  EXPECT_EQ(parse_iso8601("2015-08-30T12:36:00.123Z"), t);
  EXPECT_EQ(parse_iso8601("2015-08-30T14:36:00+02:00"), t);
  EXPECT_EQ(parse_iso8601("2015-08-30T12:36:00UTC"), t);
  EXPECT_EQ(format_iso8601(t), "2015-08-30T12:36:00Z");
  for (const char* bad :
       {"", "yesterday", "2015-13-01T00:00:00Z", "2015-08-30 12:36", "2015-08-30T12:36:00Q"}) {
    EXPECT_THROW(parse_iso8601(bad), std::invalid_argument) << bad;
  }
}

// The clock's nanosecond ticks reach only 1677..2262: dates past either end saturate instead
// of wrapping (a "never expires" 9999 must not read as a date in 1816).
TEST(Encoding, Iso8601OutsideTheClockRangeSaturates) {
  EXPECT_EQ(parse_iso8601("9999-12-31T23:59:59Z"), TimePoint::max());
  EXPECT_EQ(parse_iso8601("2262-04-12T00:00:00Z"), TimePoint::max());
  EXPECT_EQ(parse_iso8601("0000-01-01T00:00:00Z"), TimePoint::min());
  EXPECT_EQ(parse_iso8601("1677-09-21T00:00:00Z"), TimePoint::min());
  EXPECT_EQ(format_iso8601(parse_iso8601("2262-04-11T00:00:00Z")), "2262-04-11T00:00:00Z");
  EXPECT_EQ(format_iso8601(parse_iso8601("1677-09-22T00:00:00Z")), "1677-09-22T00:00:00Z");
  EXPECT_EQ(time_from_epoch_ms(INT64_MAX), TimePoint::max());
  EXPECT_EQ(time_from_epoch_ms(INT64_MIN), TimePoint::min());
  EXPECT_EQ(time_from_epoch_ms(1440938160000), parse_iso8601("2015-08-30T12:36:00Z"));
}

TEST(Url, ParsesAuthorityPathAndQuery) {
  const Url u = parse_url("http://127.0.0.1:8000/a/b?x=1&y");
  EXPECT_EQ(u.scheme, "http");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 8000);
  EXPECT_EQ(u.path, "/a/b");
  EXPECT_EQ(u.query, "x=1&y");
  EXPECT_EQ(u.authority(), "127.0.0.1:8000");
  EXPECT_EQ(parse_url("https://s3.amazonaws.com:443").authority(), "s3.amazonaws.com");
  EXPECT_EQ(parse_url("https://h").path, "/");
  EXPECT_THROW(parse_url("ftp://x"), std::invalid_argument);
  EXPECT_THROW(parse_url("no-scheme"), std::invalid_argument);
  EXPECT_THROW(parse_url("http://h:99999/"), std::invalid_argument);
}

TEST(Xml, ParsesNamespacesEntitiesAndCdata) {
  const XmlNode root = parse_xml(
      "<?xml version=\"1.0\"?>\n<!-- c --><s:Root xmlns:s=\"urn:x\" a='1'><s:Name>a &amp; b "
      "&#65;&#x42;</s:Name>"
      "<Empty/><Data><![CDATA[<raw>]]></Data><List><Item>1</Item><Item>2</Item></List></s:Root>");
  EXPECT_EQ(root.name, "Root");
  ASSERT_EQ(root.attributes.size(), 2u);
  EXPECT_EQ(root.attributes.at(1).first, "a");
  EXPECT_EQ(root.attributes.at(1).second, "1");
  EXPECT_EQ(root.child_text("Name"), "a & b AB");
  EXPECT_EQ(root.child_text("Data"), "<raw>");
  ASSERT_NE(root.child("Empty"), nullptr);
  EXPECT_EQ(root.child("List")->children.size(), 2u);
  EXPECT_EQ(root.find("Item")->text, "1");
  EXPECT_EQ(root.child_text("Missing", "fallback"), "fallback");
  EXPECT_THROW(root.required_text("Missing"), XmlError);
}

TEST(Xml, MalformedAndTruncatedDocumentsThrow) {
  for (const char* bad : {"", "plain text", "<a>", "<a><b></a>", "<a>x</a><b/>", "<a b=1/>", "<a>&bogus;</a>",
                          "<Response><Result><Credentials><AccessKeyId>AK", "<a><![CDATA[x</a>"}) {
    EXPECT_THROW(parse_xml(bad), XmlError) << bad;
  }
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "<a>";
  EXPECT_THROW(parse_xml(deep), XmlError);
}

TEST(AttributeValueTest, WireRoundTripOfEveryType) {
  const nlohmann::json wire = {
      {"s", {{"S", "text"}}},
      {"n", {{"N", "-12.5"}}},
      {"b", {{"B", base64_encode(std::string("\x00\x01", 2))}}},
      {"t", {{"BOOL", true}}},
      {"z", {{"NULL", true}}},
      {"l", {{"L", {{{"S", "x"}}, {{"N", "1"}}}}}},
      {"m", {{"M", {{"inner", {{"S", "y"}}}}}}},
      {"ss", {{"SS", {"a", "b"}}}},
      {"ns", {{"NS", {"1", "2.5"}}}},
      {"bs", {{"BS", {base64_encode("q")}}}},
  };
  const Item item = item_from_wire(wire);
  EXPECT_EQ(item.at("s").as_string(), "text");
  EXPECT_EQ(item.at("n").as_double(), -12.5);
  EXPECT_EQ(item.at("b").as_binary(), std::string("\x00\x01", 2));
  EXPECT_TRUE(item.at("t").as_bool());
  EXPECT_TRUE(item.at("z").is_null());
  EXPECT_EQ(item.at("l").as_list().size(), 2u);
  EXPECT_EQ(item.at("m").as_map().at("inner").as_string(), "y");
  EXPECT_EQ(item.at("ns").type(), AttributeValue::Type::kNS);
  EXPECT_EQ(item.at("bs").as_set().at(0), "q");
  EXPECT_EQ(item_to_wire(item), wire);
  EXPECT_THROW(item.at("s").as_int(), std::logic_error);
}

TEST(AttributeValueTest, PlainJsonConversions) {
  const nlohmann::json plain = {{"name", "x"},     {"count", 3},       {"ratio", 0.5},          {"ok", false},
                                {"none", nullptr}, {"tags", {"a", 1}}, {"nested", {{"k", "v"}}}};
  const nlohmann::json wire = plain_to_wire(plain);
  EXPECT_EQ(wire["name"], nlohmann::json({{"S", "x"}}));
  EXPECT_EQ(wire["count"], nlohmann::json({{"N", "3"}}));
  EXPECT_EQ(wire["ratio"], nlohmann::json({{"N", "0.5"}}));
  EXPECT_EQ(wire["none"], nlohmann::json({{"NULL", true}}));
  EXPECT_EQ(wire["tags"]["L"][1], nlohmann::json({{"N", "1"}}));
  EXPECT_EQ(wire["nested"]["M"]["k"], nlohmann::json({{"S", "v"}}));
  EXPECT_EQ(wire_to_plain(wire), plain);
  // Numbers beyond int64 keep their exact text; sets become arrays.
  EXPECT_EQ(AttributeValue::number(std::string("123456789012345678901234567890")).to_plain(),
            "123456789012345678901234567890");
  EXPECT_EQ(AttributeValue::number_set({"1", "2"}).to_plain(), nlohmann::json({1, 2}));
  EXPECT_EQ(AttributeValue::number(std::int64_t{42}).as_int(), 42);
}

TEST(AttributeValueTest, RejectsMalformedWireValues) {
  for (const char* bad : {R"({"S": 1})", R"({"N": "abc"})", R"({"N": 5})", R"({"BOOL": "yes"})",
                          R"({"X": "1"})", R"({"S": "a", "N": "1"})", R"({})", R"("S")", R"({"L": {}})",
                          R"({"SS": [1]})", R"({"B": "!!"})", R"({"M": []})"}) {
    EXPECT_THROW(AttributeValue::from_wire(nlohmann::json::parse(bad)), std::invalid_argument) << bad;
  }
  EXPECT_THROW(item_from_plain(nlohmann::json::array()), std::invalid_argument);
  EXPECT_THROW(AttributeValue::number(std::string("1e")), std::invalid_argument);
}

TEST(Region, EnvironmentThenProfile) {
  SharedConfig config;
  parse_config_text("[default]\nregion = eu-west-1\n[profile x]\nregion = ap-south-1\n",
                    ConfigFileKind::kConfig, "c", config);
  MapEnvironment env;
  EXPECT_EQ(resolve_region(env, config, "default"), "eu-west-1");
  EXPECT_EQ(resolve_region(env, config, "x"), "ap-south-1");
  EXPECT_EQ(resolve_region(env, config, "missing"), std::nullopt);
  env.set("AWS_DEFAULT_REGION", "us-west-1");
  EXPECT_EQ(resolve_region(env, config, "x"), "us-west-1");
  env.set("AWS_REGION", "us-east-2");
  EXPECT_EQ(resolve_region(env, config, "x"), "us-east-2");
}

TEST(Endpoint, OverrideOrderAndStandardHosts) {
  MapEnvironment env;
  EXPECT_EQ(resolve_endpoint(kDynamoDbService, "us-east-1", env), "https://dynamodb.us-east-1.amazonaws.com");
  EXPECT_EQ(resolve_endpoint(kSsoService, "eu-west-1", env), "https://portal.sso.eu-west-1.amazonaws.com");
  EXPECT_EQ(resolve_endpoint(kS3Service, "cn-north-1", env), "https://s3.cn-north-1.amazonaws.com.cn");
  env.set("AWS_ENDPOINT_URL", "http://127.0.0.1:9000/");
  EXPECT_EQ(resolve_endpoint(kLambdaService, "us-east-1", env), "http://127.0.0.1:9000");
  env.set("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000");
  EXPECT_EQ(resolve_endpoint(kDynamoDbService, "us-east-1", env), "http://127.0.0.1:8000");
  EXPECT_EQ(resolve_endpoint(kLambdaService, "us-east-1", env), "http://127.0.0.1:9000");
  EXPECT_EQ(resolve_endpoint(kDynamoDbService, "us-east-1", env, "http://explicit:1"), "http://explicit:1");
  env.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
  EXPECT_EQ(resolve_endpoint(kDynamoDbService, "us-east-1", env), "https://dynamodb.us-east-1.amazonaws.com");
  EXPECT_THROW(resolve_endpoint(kDynamoDbService, "", env), std::invalid_argument);
  env.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false");
  env.set("AWS_ENDPOINT_URL_DYNAMODB", "localhost:8000");
  EXPECT_THROW(resolve_endpoint(kDynamoDbService, "us-east-1", env), std::invalid_argument);
}

}  // namespace
}  // namespace auric::aws
