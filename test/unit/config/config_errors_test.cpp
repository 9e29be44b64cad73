/* SPDX-License-Identifier: BSD-3-Clause */
// Every class of bad input gives its message, as file:line:col: key: message
// (1-based line and column of the offending key or value).
#include <gtest/gtest.h>
#include <cerrno>
#include <string>
#include "config_test_util.hpp"

using config_test::error_of;
using config_test::errors_of;

namespace {
// Two sockets: lcores 0-1 on socket 0, 2-3 on socket 1 (line 1-2).
const std::string two_sockets = "topology:\n  map: {0: [0, 1], 1: [2, 3]}\n";
} // namespace

TEST(ConfigErrors, ValidInputHasNoError)
{
	EXPECT_EQ(error_of(""), "");
	EXPECT_EQ(error_of("version: 1\ncaches:\n  - {name: a, obj_size: 64}\n"), "");
}

TEST(ConfigErrors, UnknownKeySuggestsTheClosest)
{
	EXPECT_EQ(error_of("defaults:\n  quue_size: 64\n"),
		  "t.yaml:2:3: defaults.quue_size: unknown key (did you mean 'queue_size'?)");
	EXPECT_EQ(error_of("caches:\n  - name: a\n    obj_size: 8\n    alighn: 64\n"),
		  "t.yaml:4:5: caches[0].alighn: unknown key (did you mean 'align'?)");
	EXPECT_EQ(error_of("colour: red\n"),
		  "t.yaml:1:1: colour: unknown key (known keys: version, topology, defaults, caches, pools, sizing, "
		  "mempools)");
	// Keys of caches are not keys of pools.
	EXPECT_EQ(error_of("pools:\n  - {name: p, dma: true}\n"),
		  "t.yaml:2:15: pools[0].dma: unknown key (known keys: name, data_room, priv_size, count, sockets, "
		  "mempool_cache, sizing, queue_size, batch, shared_size, alien_size, slab_objs, debug, no_alien)");
}

TEST(ConfigErrors, DuplicateKey)
{
	EXPECT_EQ(error_of("defaults:\n  queue_size: 64\n  queue_size: 128\n"),
		  "t.yaml:3:3: defaults.queue_size: duplicate key (first at line 2)");
}

TEST(ConfigErrors, WrongType)
{
	EXPECT_EQ(error_of("caches:\n  - {name: a, obj_size: big}\n"),
		  "t.yaml:2:25: caches[0].obj_size: expected an integer, got 'big'");
	// A quoted number is a string.
	EXPECT_EQ(error_of("caches:\n  - {name: a, obj_size: \"64\"}\n"),
		  "t.yaml:2:25: caches[0].obj_size: expected an integer, got '64'");
	EXPECT_EQ(error_of("defaults:\n  queue_size: [1]\n"),
		  "t.yaml:2:15: defaults.queue_size: expected an integer, got a list");
	EXPECT_EQ(error_of("defaults:\n  dma: maybe\n"), "t.yaml:2:8: defaults.dma: expected true or false, got 'maybe'");
	EXPECT_EQ(error_of("defaults:\n  mem_limit: 12 apples\n"),
		  "t.yaml:2:14: defaults.mem_limit: expected a size in bytes (e.g. 4096, 64K, 2M, 1G), got '12 apples'");
	EXPECT_EQ(error_of("- a\n- b\n"), "t.yaml:1:1: expected a map, got a list");
	EXPECT_EQ(error_of("caches: {name: a}\n"), "t.yaml:1:9: caches: expected a list (entries start with '- ')");
	EXPECT_EQ(error_of("sizing:\n  lcores: 3\n"),
		  "t.yaml:2:11: sizing.lcores: expected a non-empty list of integers, got a scalar");
	EXPECT_EQ(error_of("defaults:\n  debug: [track, leaks]\n"),
		  "t.yaml:2:18: defaults.debug: unknown debug flag 'leaks' (known: red_zone, poison, track, sanity, all, none)");
}

TEST(ConfigErrors, OutOfRange)
{
	EXPECT_EQ(error_of("caches:\n  - {name: a, obj_size: 0}\n"),
		  "t.yaml:2:25: caches[0].obj_size: must be between 1 and 16777216, got 0");
	EXPECT_EQ(error_of("defaults:\n  queue_size: 9000\n"),
		  "t.yaml:2:15: defaults.queue_size: must be between 0 and 8192, got 9000");
	EXPECT_EQ(error_of("sizing:\n  burst: -1\n"), "t.yaml:2:10: sizing.burst: must be between 1 and 4096, got -1");
	EXPECT_EQ(error_of("sizing:\n  rx_desc: 99999999999999999999999\n"),
		  "t.yaml:2:12: sizing.rx_desc: expected an integer, got '99999999999999999999999'");
	EXPECT_EQ(error_of("defaults:\n  align: 48\n"), "t.yaml:2:10: defaults.align: must be a power of two, got 48");
	EXPECT_EQ(error_of("pools:\n  - {name: p, priv_size: 7}\n"),
		  "t.yaml:2:26: pools[0].priv_size: must be a multiple of 8 (RTE_MBUF_PRIV_ALIGN)");
	EXPECT_EQ(error_of("version: 2\n"), "t.yaml:1:10: version: must be between 1 and 1, got 2");
	EXPECT_EQ(error_of("caches:\n  - {name: big, obj_size: 16777217}\n"),
		  "t.yaml:2:27: caches[0].obj_size: must be between 1 and 16777216, got 16777217");
	// 1024 objects of 16 MiB per slab: more than the largest slab (1 GiB).
	EXPECT_EQ(error_of("caches:\n  - {name: big, obj_size: 16777216, slab_objs: 1024}\n"),
		  "t.yaml:2:27: caches[0].obj_size: no slab of at most 1 GiB holds 16777216-byte objects "
		  "(align 8, slab_objs 1024)");
}

TEST(ConfigErrors, BatchLargerThanQueue)
{
	EXPECT_EQ(error_of("caches:\n  - {name: a, obj_size: 8, queue_size: 64, batch: 128}\n"),
		  "t.yaml:2:51: caches[0].batch: batch 128 larger than queue_size 64");
	// Inherited batch: the message points at the queue size and says where the batch came from.
	EXPECT_EQ(error_of("defaults:\n  batch: 256\ncaches:\n  - {name: a, obj_size: 8, queue_size: 64}\n"),
		  "t.yaml:4:40: caches[0].queue_size: queue_size 64 smaller than batch 256 (from line 2)");
	EXPECT_EQ(error_of("defaults:\n  queue_size: 64\ncaches:\n  - {name: a, obj_size: 8, batch: 100}\n"),
		  "t.yaml:4:35: caches[0].batch: batch 100 larger than queue_size 64 (queue_size from line 2)");
	EXPECT_EQ(error_of("pools:\n  - {name: p, queue_size: 0, batch: 16}\n"),
		  "t.yaml:2:37: pools[0].batch: batch 16 needs an lcore queue, but queue_size is 0 (set batch: auto)");
	EXPECT_EQ(error_of("defaults:\n  queue_size: 32\n  batch: 33\n"),
		  "t.yaml:3:10: defaults.batch: batch 33 larger than queue_size 32");
}

TEST(ConfigErrors, SocketThatDoesNotExist)
{
	EXPECT_EQ(error_of(two_sockets + "sizing:\n  ports: [{socket: 2}]\n"),
		  "t.yaml:4:20: sizing.ports[0].socket: socket 2 does not exist (the topology has 2 socket(s): 0..1)");
	EXPECT_EQ(error_of(two_sockets + "pools:\n  - {name: p, sockets: [0, 3]}\n"),
		  "t.yaml:4:24: pools[0].sockets: socket 3 does not exist (the topology has 2 socket(s): 0..1)");
	EXPECT_EQ(error_of(two_sockets + "sizing:\n  rings: [{name: r, size: 64, socket: 7}]\n"),
		  "t.yaml:4:39: sizing.rings[0].socket: socket 7 does not exist (the topology has 2 socket(s): 0..1)");
	EXPECT_EQ(error_of(two_sockets + "sizing:\n  lcores: [0, 9]\n"),
		  "t.yaml:4:11: sizing.lcores: lcore 9 is not in the topology");
}

TEST(ConfigErrors, MissingRequiredKey)
{
	EXPECT_EQ(error_of("caches:\n  - name: a\n"), "t.yaml:2:5: caches[0].obj_size: missing required key");
	EXPECT_EQ(error_of("pools:\n  - {count: 100}\n"), "t.yaml:2:5: pools[0].name: missing required key");
	EXPECT_EQ(error_of("topology:\n  mode: synthetic\n"), "t.yaml:2:3: topology.synthetic: missing required key");
	EXPECT_EQ(error_of("sizing:\n  rings: [{name: r}]\n"), "t.yaml:2:11: sizing.rings[0].size: missing required key");
}

TEST(ConfigErrors, DuplicateNames)
{
	EXPECT_EQ(error_of("caches:\n  - {name: a, obj_size: 8}\n  - {name: a, obj_size: 16}\n"),
		  "t.yaml:3:12: caches[1].name: duplicate cache name 'a' (first at line 2)");
	EXPECT_EQ(error_of("pools:\n  - name: rx\n  - name: rx\n"),
		  "t.yaml:3:11: pools[1].name: duplicate pool name 'rx' (first at line 2)");
	EXPECT_EQ(error_of("sizing:\n  rings:\n    - {name: r, size: 8}\n    - {name: r, size: 8}\n"),
		  "t.yaml:4:14: sizing.rings[1].name: duplicate ring name 'r' (first at line 3)");
	// A per-socket mempool name that another pool already uses.
	EXPECT_EQ(error_of(two_sockets + "pools:\n  - {name: rx, sockets: [0, 1]}\n  - {name: rx_s1, sockets: [1]}\n"),
		  "t.yaml:5:5: pools[1]: mempool name 'rx_s1' is also the name of pools[0] on a socket");
}

TEST(ConfigErrors, NamesAndMempoolRules)
{
	EXPECT_EQ(error_of("pools:\n  - {name: a_very_long_pool_name_x}\n"),
		  "t.yaml:2:12: pools[0].name: a pool name is 1 to 20 letters, digits, '_' or '-' (the mempool name adds a "
		  "socket suffix)");
	EXPECT_EQ(error_of("caches:\n  - {name: anon-1, obj_size: 8}\n"),
		  "t.yaml:2:12: caches[0].name: names starting with 'anon-' belong to anonymous caches");
	EXPECT_EQ(error_of("pools:\n  - {name: p, debug: [track, red_zone]}\n"),
		  "t.yaml:2:22: pools[0].debug: debug red_zone is not possible for a mempool (rte_mempool owns the slot "
		  "layout); use poison (mbuf pools), track or sanity");
	// Inherited from defaults: the message says where it was set.
	EXPECT_EQ(error_of("defaults:\n  debug: red_zone\npools:\n  - name: p\n"),
		  "t.yaml:4:5: pools[0].debug: debug red_zone (from defaults, line 2) is not possible for a mempool "
		  "(rte_mempool owns the slot layout); use poison (mbuf pools), track or sanity");
	EXPECT_EQ(error_of("pools:\n  - {name: p, shared_size: 0}\n"),
		  "t.yaml:2:28: pools[0].shared_size: a pool's shared queue cannot be 0 (the driver reads 0 as its "
		  "default); at least 1");
	EXPECT_EQ(error_of("pools:\n  - {name: p, count: 100, mempool_cache: 512}\n"),
		  "t.yaml:2:22: pools[0].count: 100 objects on socket 0: rte_mempool needs at least 1.5 x mempool_cache "
		  "(768)");
	EXPECT_EQ(error_of(two_sockets + "sizing:\n  lcores: [0]\npools:\n  - {name: p, sockets: [0, 1]}\n"),
		  "t.yaml:6:24: pools[0].sockets: count auto gives 0 objects on socket 1 (no ports, lcores or rings there)");
}

// mempools: rules for the pools of stock applications (SLUBQ_CONFIG).
TEST(ConfigErrors, MempoolRules)
{
	EXPECT_EQ(error_of("mempools:\n  - {match: \"mb_pool_*\", queue_size: 256, batch: 64}\n"), "");
	EXPECT_EQ(error_of("mempools:\n  - queue_size: 256\n"), "t.yaml:2:5: mempools[0].match: missing required key");
	EXPECT_EQ(error_of("mempools:\n  - match: a\n    quue_size: 256\n"),
		  "t.yaml:3:5: mempools[0].quue_size: unknown key (did you mean 'queue_size'?)");
	// Keys of caches and pools that a rule has no use for.
	EXPECT_EQ(error_of("mempools:\n  - {match: a, count: 10}\n"),
		  "t.yaml:2:16: mempools[0].count: unknown key (known keys: match, queue_size, batch, shared_size, "
		  "alien_size, slab_objs, debug, no_alien, fault_injection)");
	EXPECT_EQ(error_of("mempools:\n  - {match: a, batch: 300, queue_size: 256}\n"),
		  "t.yaml:2:23: mempools[0].batch: batch 300 larger than queue_size 256");
	EXPECT_EQ(error_of("mempools:\n  - {match: a, batch: 30, queue_size: off}\n"),
		  "t.yaml:2:23: mempools[0].batch: batch 30 needs an lcore queue, but queue_size is off (set batch: auto)");
	// 0 would mean "the driver's default" to the driver.
	EXPECT_EQ(error_of("mempools:\n  - {match: a, alien_size: 0}\n"),
		  "t.yaml:2:28: mempools[0].alien_size: must be between 1 and 8192, got 0");
	EXPECT_EQ(error_of("mempools:\n  - {match: a, debug: [red_zone]}\n"),
		  "t.yaml:2:23: mempools[0].debug: debug red_zone is not possible for a mempool (rte_mempool owns the "
		  "slot layout); use poison (mbuf pools), track or sanity");
	EXPECT_EQ(error_of("mempools:\n  - {match: a}\n  - {match: a}\n"),
		  "t.yaml:3:13: mempools[1].match: duplicate rule for 'a' (first at line 2): only the first would apply");
	EXPECT_EQ(error_of("mempools:\n  - {match: a, fault_injection: {every_n: 0}}\n"),
		  "t.yaml:2:33: mempools[0].fault_injection: injects nothing: give every_n or probability_ppm above 0 "
		  "(or remove the block)");
	EXPECT_EQ(error_of("mempools:\n  - {match: a, fault_injection: {probability_ppm: 2000000}}\n"),
		  "t.yaml:2:51: mempools[0].fault_injection.probability_ppm: must be between 0 and 1000000, got 2000000");
	EXPECT_EQ(error_of("mempools:\n  - {match: a, fault_injection: {evry_n: 5}}\n"),
		  "t.yaml:2:34: mempools[0].fault_injection.evry_n: unknown key (did you mean 'every_n'?)");
	EXPECT_EQ(error_of("mempools:\n  - match: \"\"\n"),
		  "t.yaml:2:12: mempools[0].match: a pattern is 1 to 63 characters: a mempool name, or a glob with *, ? "
		  "and [...]");
}

TEST(ConfigErrors, Topology)
{
	EXPECT_EQ(error_of("topology:\n  synthetic: \"garbage\"\n"),
		  "t.yaml:2:14: topology.synthetic: hwloc rejects the synthetic description 'garbage'");
	EXPECT_EQ(error_of("topology:\n  synthetic: \"package:64 core:64 pu:2\"\n"),
		  "t.yaml:2:14: topology.synthetic: synthetic topology has more than 1024 PUs");
	EXPECT_EQ(error_of("topology:\n  synthetic: \"package:9 core:1 pu:1\"\n"),
		  "t.yaml:2:14: topology.synthetic: 9 sockets; slubq handles at most 8");
	EXPECT_EQ(error_of("topology:\n  synthetic: \"package:2 pu:2\"\n  lcores: [0, 1, 2, 3, 4]\n"),
		  "t.yaml:3:11: topology.lcores: 5 lcores, but the synthetic machine has 4 PUs");
	EXPECT_EQ(error_of("topology:\n  mode: real\n  synthetic: \"pu:2\"\n"),
		  "t.yaml:3:14: topology.synthetic: only for mode synthetic");
	EXPECT_EQ(error_of("topology:\n  mode: numa\n"), "t.yaml:2:9: topology.mode: unknown mode 'numa' (real, synthetic or map)");
	EXPECT_EQ(error_of("topology:\n  map: {0: [0], 2: [1]}\n"),
		  "t.yaml:2:8: topology.map: sockets are numbered 0..2: socket 1 is missing");
	EXPECT_EQ(error_of("topology:\n  map: {0: [0, 1], 1: [1]}\n"),
		  "t.yaml:2:24: topology.map.1: lcore 1 is already on socket 0 (line 2)");
	EXPECT_EQ(error_of("topology:\n  map: {0: [0], 0: [1]}\n"), "t.yaml:2:17: topology.map.0: duplicate socket");
	EXPECT_EQ(error_of("topology:\n  map: {x: [0]}\n"),
		  "t.yaml:2:9: topology.map: a socket number 0..7 is expected, got 'x'");
}

TEST(ConfigErrors, SyntaxAndDocuments)
{
	std::string e = error_of("caches: [a, b\nx: 1\n");
	EXPECT_EQ(e.rfind("t.yaml:2:", 0), 0u) << e;
	EXPECT_NE(e.find(": YAML syntax: "), std::string::npos) << e;
	EXPECT_EQ(error_of("version: 1\n---\nversion: 1\n"), "t.yaml:2:1: one YAML document per file");
	// yaml-cpp 0.7 reads these as empty documents forever: a syntax error here.
	EXPECT_EQ(error_of(",\n"), "t.yaml:1:1: YAML syntax: unexpected ','");
	EXPECT_EQ(error_of("# comment\n, text\nversion: 1\n"), "t.yaml:2:1: YAML syntax: unexpected ','");
	EXPECT_EQ(error_of("a: *nowhere\n").rfind("t.yaml:1:", 0), 0u);
}

// Issue 17: errors that named no problem, or echoed raw bytes, or none at all.
TEST(ConfigErrors, NestingTooDeepNamesTheLimit)
{
	std::string deep = "x: " + std::string(600, '[') + std::string(600, ']') + "\n";
	std::string e = error_of("version: 1\n" + deep);
	EXPECT_EQ(e.rfind("t.yaml:2:", 0), 0u) << e;
	EXPECT_NE(e.find("YAML nesting too deep: the parser stops at 500 nested lists, maps and values"),
		  std::string::npos) << e;
}

TEST(ConfigErrors, RawBytesAreEscapedInMessages)
{
	// A NUL, a control byte and a 0xb7 that is not UTF-8; valid UTF-8 stays.
	EXPECT_EQ(error_of(std::string("pools:\n  - {name: p, count: x\x01y}\n")),
		  "t.yaml:2:22: pools[0].count: expected an integer, got 'x\\x01y'");
	EXPECT_EQ(error_of("defaults:\n  qu\xb7" "eue_size: 64\n"),
		  "t.yaml:2:3: defaults.qu\\xb7" "eue_size: unknown key (did you mean 'queue_size'?)");
	EXPECT_EQ(error_of("defaults:\n  d\xc3\xa9" "bug: all\n"),
		  "t.yaml:2:3: defaults.d\xc3\xa9" "bug: unknown key (did you mean 'debug'?)");
	const char with_nul[] = "caches:\n  - {name: a, obj_size: \"6\0\"}\n";
	std::string nul = error_of(std::string(with_nul, sizeof(with_nul) - 1));
	EXPECT_EQ(nul.find('\0'), std::string::npos);
	EXPECT_NE(nul.find("\\x00"), std::string::npos) << nul;
	EXPECT_EQ(slubq::config::printable(std::string("a\0\t\x7f\xff\xe2\x82\xac", 8)), "a\\x00\\x09\\x7f\\xff\xe2\x82\xac");
}

TEST(ConfigErrors, ContradictoryDebugFlags)
{
	EXPECT_EQ(error_of("defaults:\n  debug: [all, none]\n"),
		  "t.yaml:2:16: defaults.debug: 'none' cannot be combined with other flags (write debug: none alone)");
	EXPECT_EQ(error_of("pools:\n  - {name: p, count: 64, debug: [none, track]}\n"),
		  "t.yaml:2:34: pools[0].debug: 'none' cannot be combined with other flags (write debug: none alone)");
	EXPECT_EQ(error_of("defaults:\n  debug: [none]\n"), "");
	EXPECT_EQ(error_of("defaults:\n  debug: [track, sanity]\n"), "");
}

TEST(ConfigErrors, TagsAreRefused)
{
	EXPECT_EQ(error_of("defaults:\n  queue_size: !foo 64\n"),
		  "t.yaml:2:15: YAML tag '!foo' is not supported (slubq's files use no tags)");
	EXPECT_EQ(error_of("caches: !!seq\n  - {name: a, obj_size: !!str 64}\n"),
		  "t.yaml:1:9: YAML tag '!!seq' is not supported (slubq's files use no tags) | "
		  "t.yaml:2:25: YAML tag '!!str' is not supported (slubq's files use no tags)");
	// The non-specific tag of a quoted scalar is no tag.
	EXPECT_EQ(error_of("caches:\n  - {name: \"a\", obj_size: 64}\n"), "");
}

TEST(ConfigErrors, AllProblemsReportedInFileOrder)
{
	auto e = errors_of("sizing:\n  burst: 0\ndefaults:\n  quue_size: 1\ncaches:\n  - {name: c, obj_size: 0}\n");
	ASSERT_EQ(e.size(), 3u);
	EXPECT_EQ(e[0], "t.yaml:2:10: sizing.burst: must be between 1 and 4096, got 0");
	EXPECT_EQ(e[1], "t.yaml:4:3: defaults.quue_size: unknown key (did you mean 'queue_size'?)");
	EXPECT_EQ(e[2], "t.yaml:6:25: caches[0].obj_size: must be between 1 and 16777216, got 0");
}

TEST(ConfigErrors, FilesThatCannotBeRead)
{
	slubq::config::config c;
	std::vector<std::string> errors;
	EXPECT_EQ(slubq::config::load_file("/nonexistent/x.yaml", c, errors), -ENOENT);
	ASSERT_EQ(errors.size(), 1u);
	EXPECT_EQ(errors[0], "/nonexistent/x.yaml: cannot open: No such file or directory");
	EXPECT_EQ(slubq::config::load_file("/", c, errors), -EINVAL);
	EXPECT_EQ(errors.at(0), "/: not a regular file");
}

TEST(ConfigErrors, CApiWritesMessagesAndReturnsEinval)
{
	slubq_config *cfg = reinterpret_cast<slubq_config *>(1);
	char err[256];
	EXPECT_EQ(slubq_config_load_string("defaults:\n  quue_size: 64\n", "x.yaml", &cfg, err, sizeof(err)), -EINVAL);
	EXPECT_EQ(rte_errno, EINVAL);
	EXPECT_EQ(cfg, nullptr);
	EXPECT_STREQ(err, "x.yaml:2:3: defaults.quue_size: unknown key (did you mean 'queue_size'?)\n");
	// A short buffer gets a truncated, terminated message.
	char small[8];
	EXPECT_EQ(slubq_config_load_string("defaults:\n  quue_size: 64\n", "x.yaml", &cfg, small, sizeof(small)), -EINVAL);
	EXPECT_STREQ(small, "x.yaml:");
	EXPECT_EQ(slubq_config_load_file("/nonexistent.yaml", &cfg, nullptr, 0), -ENOENT);
}
