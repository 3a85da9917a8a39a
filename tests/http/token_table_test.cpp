// File: tests/http/token_table_test.cpp
// The tokens file: its format (comments, blank lines, CRLF, spaces), what it
// refuses (and that refusals name the line but never quote a token), several
// tokens per tenant, lookups, and the Authorization header's Bearer form.
#include <gtest/gtest.h>

#include "transport/http/access/token_auth.hpp"
#include "transport/http/access/token_table.hpp"

namespace taskmesh::http {
namespace {

const std::string acme_token = "acme-0123456789abcdef";
const std::string bravo_token = "bravo/Zm9vYmFyYmF6cXV4==";

token_table table_of(std::string_view text) {
  auto parsed = token_table::parse(text);
  if (auto* why = std::get_if<std::string>(&parsed))
    ADD_FAILURE() << "did not parse: " << *why;
  return std::get<token_table>(std::move(parsed));
}

std::string error_of(std::string_view text) {
  auto parsed = token_table::parse(text);
  if (std::holds_alternative<token_table>(parsed))
    return "<parsed>";
  return std::get<std::string>(parsed);
}

TEST(TokenTable, CommentsBlankLinesCrlfAndSpaces) {
  const auto t = table_of("# tenants of the staging cluster\n"
                          "\n"
                          "acme:" + acme_token + "\r\n"
                          "   # indented comment\n"
                          "  bravo :  " + bravo_token + "  \n"
                          "\t\n");
  EXPECT_EQ(t.tokens(), 2u);
  EXPECT_EQ(t.tenants(), 2u);
  EXPECT_EQ(t.tenant_of(acme_token), "acme");
  EXPECT_EQ(t.tenant_of(bravo_token), "bravo");
}

TEST(TokenTable, UnknownAndNearMissTokensHaveNoTenant) {
  const auto t = table_of("acme:" + acme_token + "\n");
  EXPECT_EQ(t.tenant_of(""), std::nullopt);
  EXPECT_EQ(t.tenant_of(acme_token + "x"), std::nullopt);
  EXPECT_EQ(t.tenant_of(acme_token.substr(1)), std::nullopt);
  EXPECT_EQ(t.tenant_of("ACME-0123456789ABCDEF"), std::nullopt); // tokens are case-sensitive
  EXPECT_EQ(t.tenant_of("acme"), std::nullopt);                  // a name is not a token
}

TEST(TokenTable, TenantWithTwoTokensForRotation) {
  const auto t = table_of("acme:" + acme_token + "\nacme:acme-new-token-0000000000\n");
  EXPECT_EQ(t.tokens(), 2u);
  EXPECT_EQ(t.tenants(), 1u);
  EXPECT_EQ(t.tenant_of(acme_token), "acme");
  EXPECT_EQ(t.tenant_of("acme-new-token-0000000000"), "acme");
}

TEST(TokenTable, RefusalsNameTheLineAndNeverTheToken) {
  const std::string secret = "s3cr3t-that-must-not-leak";
  const struct {
    std::string text;
    std::string expected;
  } cases[] = {
    {"acme " + secret, "line 1: expected name:token"},
    {"\n\n:" + secret, "line 3: tenant name must be"},
    {"ac me:" + secret, "line 1: tenant name must be"},
    {std::string(65, 'a') + ":" + secret, "line 1: tenant name must be"},
    {"# x\nacme:short", "line 2: token shorter than 16 characters"},
    {"acme:" + secret + " more", "line 1: token has characters"},
    {"acme:" + secret + "=x", "line 1: token has characters"},
    {"acme:" + secret + "\xC3\xA9", "line 1: token has characters"},
    {"acme:" + std::string(4097, 't'), "line 1: token longer than 4096"},
    {"# only comments\n\n", "no tokens"},
    {"", "no tokens"},
    {"acme:" + secret + "\nbravo:" + secret, "the same token is given to tenants 'acme' and 'bravo'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text.substr(0, 80));
    const auto why = error_of(c.text);
    EXPECT_EQ(why.rfind(c.expected, 0), 0u) << why;
    EXPECT_EQ(why.find(secret), std::string::npos) << why;
  }
}

TEST(TokenTable, SameTokenTwiceForOneTenantIsHarmless) {
  const auto t = table_of("acme:" + acme_token + "\nacme:" + acme_token + "\n");
  EXPECT_EQ(t.tenant_of(acme_token), "acme");
}

TEST(BearerToken, OnlyTheBearerSchemeWithOneToken) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer abc"), "abc");
  EXPECT_EQ(bearer_token("BEARER   abc  "), "abc");
  EXPECT_EQ(bearer_token(""), "");
  EXPECT_EQ(bearer_token("Bearer"), "");
  EXPECT_EQ(bearer_token("Bearer "), "");
  EXPECT_EQ(bearer_token("Bearerabc"), "");
  EXPECT_EQ(bearer_token("Basic YWxhZGRpbjpvcGVuc2VzYW1l"), "");
  EXPECT_EQ(bearer_token("Bearer abc def"), "");
  EXPECT_EQ(bearer_token("abc"), "");
}

} // namespace
} // namespace taskmesh::http
