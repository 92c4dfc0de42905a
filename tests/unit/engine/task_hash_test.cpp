/// Tests of jug::TaskHash (include/jug/task_hash.hpp): SHA-256 digests and
/// their 64-digit hex names, the names results have in every store.

#include "jug/task_hash.hpp"

#include <gtest/gtest.h>

#include <array>

#include <functional>
#include <map>
#include <string>
#include <unordered_set>

namespace {

TEST(TaskHash, Sha256TestVectors) {
  // FIPS 180-2 / NIST test vectors.
  EXPECT_EQ(jug::TaskHash::of("").hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(jug::TaskHash::of("abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(jug::TaskHash::of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex(),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(jug::TaskHash::of(std::string(1000000, 'a')).hex(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(TaskHash, BytesAreTheDigestInOrder) {
  const jug::TaskHash h = jug::TaskHash::of("abc");
  EXPECT_EQ(h.bytes[0], 0xba);
  EXPECT_EQ(h.bytes[1], 0x78);
  EXPECT_EQ(h.bytes[31], 0xad);
}

TEST(TaskHash, EmbeddedNulBytesAreHashed) {
  EXPECT_NE(jug::TaskHash::of(std::string("a\0b", 3)), jug::TaskHash::of("a"));
  EXPECT_NE(jug::TaskHash::of(std::string(1, '\0')), jug::TaskHash::of(""));
}

TEST(TaskHash, DefaultIsAllZeros) {
  EXPECT_EQ(jug::TaskHash{}.hex(), std::string(64, '0'));
}

TEST(TaskHash, HexIsLowerCase) {
  const std::string hex = jug::TaskHash::of("abc").hex();
  ASSERT_EQ(hex.size(), 64u);
  for (char c : hex) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << c;
}

TEST(TaskHash, HexRoundTrip) {
  for (const char* data : {"", "abc", "twice", "jug"}) {
    const jug::TaskHash h = jug::TaskHash::of(data);
    const auto back = jug::TaskHash::from_hex(h.hex());
    ASSERT_TRUE(back.has_value()) << data;
    EXPECT_EQ(*back, h);
  }
  jug::TaskHash all;
  for (std::size_t i = 0; i < all.bytes.size(); ++i) all.bytes[i] = static_cast<std::uint8_t>(i * 8 + 7);
  EXPECT_EQ(jug::TaskHash::from_hex(all.hex()), all);
  jug::TaskHash ff;
  ff.bytes.fill(0xff);
  EXPECT_EQ(ff.hex(), std::string(64, 'f'));
  EXPECT_EQ(jug::TaskHash::from_hex(std::string(64, 'f')), ff);
  EXPECT_EQ(jug::TaskHash::from_hex(std::string(64, '0')), jug::TaskHash{});
}

TEST(TaskHash, FromHexRejectsWrongLength) {
  const std::string good = jug::TaskHash::of("abc").hex();
  EXPECT_FALSE(jug::TaskHash::from_hex(""));
  EXPECT_FALSE(jug::TaskHash::from_hex(good.substr(0, 63)));
  EXPECT_FALSE(jug::TaskHash::from_hex(good.substr(0, 62)));
  EXPECT_FALSE(jug::TaskHash::from_hex(good + "0"));
  EXPECT_FALSE(jug::TaskHash::from_hex(good + good));
  EXPECT_FALSE(jug::TaskHash::from_hex(good.substr(0, 32)));
}

TEST(TaskHash, FromHexRejectsNonHexCharacters) {
  const std::string good = jug::TaskHash::of("abc").hex();
  for (std::size_t position : {0u, 1u, 31u, 62u, 63u}) {
    for (char bad : {'g', 'z', ' ', '-', 'x', '\0', '\xff', '/', ':', '@', '`', 'G'}) {
      std::string s = good;
      s[position] = bad;
      EXPECT_FALSE(jug::TaskHash::from_hex(s)) << "position " << position << " char " << int(bad);
    }
  }
  EXPECT_FALSE(jug::TaskHash::from_hex("0x" + good.substr(2)));
  EXPECT_FALSE(jug::TaskHash::from_hex(" " + good.substr(1)));
}

TEST(TaskHash, ComparisonAndStdHash) {
  const jug::TaskHash a = jug::TaskHash::of("a");
  const jug::TaskHash b = jug::TaskHash::of("b");
  EXPECT_EQ(a, jug::TaskHash::of("a"));
  EXPECT_NE(a, b);
  EXPECT_TRUE((a < b) != (b < a));
  EXPECT_EQ(std::hash<jug::TaskHash>{}(a), std::hash<jug::TaskHash>{}(jug::TaskHash::of("a")));

  std::unordered_set<jug::TaskHash> set;
  std::map<jug::TaskHash, int> map;
  for (int i = 0; i < 1000; ++i) {
    const jug::TaskHash h = jug::TaskHash::of(std::to_string(i));
    set.insert(h);
    map[h] = i;
  }
  EXPECT_EQ(set.size(), 1000u);
  EXPECT_EQ(map.size(), 1000u);
  EXPECT_EQ(map.at(jug::TaskHash::of("17")), 17);
}

TEST(TaskHash, OrderingFollowsTheHexNames) {
  // Sorting hashes sorts their store names: listings come out in one order.
  const jug::TaskHash a = *jug::TaskHash::from_hex(std::string(63, '0') + "f");
  const jug::TaskHash b = *jug::TaskHash::from_hex("1" + std::string(63, '0'));
  EXPECT_LT(a, b);
  EXPECT_LT(a.hex(), b.hex());
}

// ---- Python jug's hashes (a Python jugfile's tasks) --------------------------------

std::array<std::uint8_t, 20> sha1_of_hex(const std::string& hex) {
  std::array<std::uint8_t, 20> out{};
  for (std::size_t i = 0; i < 20; ++i) {
    out[i] = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
  return out;
}

TEST(TaskHash, APythonJugHashIsItsFortyDigits) {
  // A hash from ../shared/data/pyjug-golden/expected.json (basics.ident(0)).
  const std::string golden = "8e27ab1ab67e5999035fb76abc86b87aa40ac960";
  const jug::TaskHash h = jug::TaskHash::python_jug(sha1_of_hex(golden));
  EXPECT_TRUE(h.is_python_jug());
  EXPECT_EQ(h.size(), 20u);
  EXPECT_EQ(h.hex(), golden);
  EXPECT_EQ(jug::TaskHash::from_hex(golden), h);
  EXPECT_FALSE(jug::TaskHash::of("abc").is_python_jug());
  EXPECT_FALSE(jug::TaskHash{}.is_python_jug());
  EXPECT_EQ(jug::TaskHash{}.hex(), std::string(64, '0'));
  // Not one of the 64-digit names: those 64 digits would name no hash
  // (the hash's own name is its 40).
  EXPECT_EQ(jug::TaskHash::from_hex(std::string(h.hex().size(), '0') + "7079") , std::nullopt);
  std::string as_64 = golden;
  for (const std::uint8_t b : jug::TaskHash::kPythonJugTail) {
    as_64 += "0123456789abcdef"[b >> 4];
    as_64 += "0123456789abcdef"[b & 0xf];
  }
  ASSERT_EQ(as_64.size(), 64u);
  EXPECT_EQ(jug::TaskHash::from_hex(as_64), std::nullopt);
  EXPECT_FALSE(jug::TaskHash::from_hex(golden.substr(0, 39)));
  EXPECT_FALSE(jug::TaskHash::from_hex(golden + "0"));
  EXPECT_FALSE(jug::TaskHash::from_hex(golden.substr(0, 39) + "g"));
}

TEST(TaskHash, PythonJugHashesSortAsTheirNames) {
  const jug::TaskHash python = jug::TaskHash::python_jug(sha1_of_hex(std::string(39, '0') + "1"));
  const std::string zeros(39, '0');
  const jug::TaskHash before = *jug::TaskHash::from_hex(zeros + "0" + std::string(24, 'f'));
  const jug::TaskHash after = *jug::TaskHash::from_hex(zeros + "2" + std::string(24, '0'));
  EXPECT_LT(before, python);
  EXPECT_LT(before.hex(), python.hex());
  EXPECT_LT(python, after);
  EXPECT_LT(python.hex(), after.hex());
}

TEST(TaskHash, AppendsAllOrTheFirstOfItsDigits) {
  const jug::TaskHash hash = jug::TaskHash::of("abc");
  std::string out = "x";
  hash.append_hex(out);
  EXPECT_EQ(out, "x" + hash.hex());
  out.clear();
  hash.append_hex(out, 12);
  EXPECT_EQ(out, hash.hex().substr(0, 12));
  out.clear();
  hash.append_hex(out, 7);
  EXPECT_EQ(out, hash.hex().substr(0, 7));
  const jug::TaskHash python = jug::TaskHash::python_jug({});
  out.clear();
  python.append_hex(out);
  EXPECT_EQ(out, std::string(40, '0'));
}

}  // namespace
