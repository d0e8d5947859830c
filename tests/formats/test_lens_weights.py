"""Lens weight files: the binary layout pinned byte by byte, round trips, link order, errors."""
from __future__ import annotations

import struct

import numpy as np
import pytest

from pdpsim.formats.lens_weights import (OLD_WEIGHT_COOKIE, WEIGHT_COOKIE, link_order, load_lens_weights,
                                         read_lens_weights, save_lens_weights)
from pdpsim.model.network import Network
from pdpsim.validation import PdpError


def xor_net(seed=0) -> Network:
    """2-2-1 with the bias connected last, as pdpsim's spec builder does."""
    net = Network("xor", seed=seed)
    net.add_group("input", 2, kind="INPUT")
    net.add_group("hidden", 2)
    net.add_group("output", 1, kind="OUTPUT")
    net.connect("input", "hidden")
    net.connect("hidden", "output")
    net.connect_bias()
    return net


def numbered(net: Network) -> None:
    """Weights that say where they are: 10 * (block number + 1) + position in the block."""
    for k, b in enumerate(net.blocks):
        b.weights[...] = 10 * (k + 1) + np.arange(b.weights.size).reshape(b.weights.shape)


# Lens's order for xor_net: group -> unit -> incoming links, the bias link first.
#   blocks: 0 input->hidden (2x2), 1 hidden->output (2x1), 2 bias->hidden (1x2), 3 bias->output (1x1)
#   hidden:0  bias  in0  in1     hidden:1  bias  in0  in1     output:0  bias  h0  h1
LENS_ORDER = [30, 10, 12,         31, 11, 13,                 40, 20, 21]


def test_binary_layout_pinned_byte_by_byte(tmp_path):
    net = xor_net()
    numbered(net)
    net.block("hidden", "output").last_change[...] = [[0.5], [-0.25]]
    p = tmp_path / "xor.wt"
    save_lens_weights(net, p, values=2, total_updates=1234)
    expected = bytes.fromhex("55555556") + struct.pack(">iii", 9, 2, 1234)
    changes = [0, 0, 0, 0, 0, 0, 0, 0.5, -0.25]
    for w, d in zip(LENS_ORDER, changes):
        expected += struct.pack(">ff", w, d)            # big-endian float32 pairs
    assert p.read_bytes() == expected


def test_reads_a_hand_built_binary_file(tmp_path):
    data = struct.pack(">Iiii", WEIGHT_COOKIE, 9, 1, 77) + struct.pack(">9f", *[0.5 * k for k in range(9)])
    (tmp_path / "hand.wt").write_bytes(data)
    net = xor_net()
    info = load_lens_weights(net, tmp_path / "hand.wt")
    assert info == {"total_updates": 77, "values": 1}
    np.testing.assert_array_equal(net.block("bias", "hidden").weights, [[0.0, 1.5]])
    np.testing.assert_array_equal(net.block("input", "hidden").weights, [[0.5, 2.0], [1.0, 2.5]])
    np.testing.assert_array_equal(net.block("bias", "output").weights, [[3.0]])
    np.testing.assert_array_equal(net.block("hidden", "output").weights, [[3.5], [4.0]])


def test_text_layout(tmp_path):
    net = xor_net()
    numbered(net)
    p = tmp_path / "xor.wt"
    save_lens_weights(net, p, binary=False, values=1, total_updates=5)
    lines = p.read_text().split("\n")
    assert lines[:4] == ["1431655766", "9", "1", "5"]
    assert [float(x) for x in lines[4:-1]] == LENS_ORDER
    assert lines[-1] == ""


@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize("values", [1, 2, 3])
def test_round_trip(tmp_path, binary, values):
    src = xor_net(seed=3)
    rng = np.random.default_rng(0)
    for b in src.blocks:
        b.last_change[...] = rng.normal(size=b.weights.shape)
        b.rule_state["rate_factor"] = rng.uniform(0.5, 2, size=b.weights.shape)
    p = tmp_path / ("w.wt" if binary else "w.txt")
    save_lens_weights(src, p, binary=binary, values=values, total_updates=42)
    dst = xor_net(seed=99)
    info = load_lens_weights(dst, p)
    assert info == {"total_updates": 42, "values": values}
    cast = (lambda a: a.astype(np.float32)) if binary else (lambda a: a)   # binary reals are float32
    for a, b in zip(src.blocks, dst.blocks):
        np.testing.assert_array_equal(cast(a.weights), b.weights)
        if values >= 2:
            np.testing.assert_array_equal(cast(a.last_change), b.last_change)
        else:
            assert not b.last_change.any()
        if values == 3:
            np.testing.assert_array_equal(cast(a.rule_state["rate_factor"]), b.rule_state["rate_factor"])


def test_gzip_and_missing_extension(tmp_path):
    src, dst = xor_net(seed=1), xor_net(seed=2)
    save_lens_weights(src, tmp_path / "w.wt.gz")
    assert (tmp_path / "w.wt.gz").read_bytes()[:2] == b"\x1f\x8b"
    load_lens_weights(dst, tmp_path / "w.wt")                 # as Lens: .gz may be left off
    for a, b in zip(src.blocks, dst.blocks):
        np.testing.assert_array_equal(a.weights.astype(np.float32), b.weights)


def test_third_value_defaults_to_lens_rate_factor(tmp_path):
    p = tmp_path / "w.wt"
    save_lens_weights(xor_net(), p, values=3)
    assert (read_lens_weights(p)["table"][:, 2] == 1.0).all()


def test_old_layouts(tmp_path):
    net = xor_net()
    # old binary: magic 0x55555555, link count, bytes per link; no update count
    old = struct.pack(">Iii", OLD_WEIGHT_COOKIE, 9, 8) + struct.pack(">18f", *range(18))
    (tmp_path / "old.wt").write_bytes(old)
    assert load_lens_weights(net, tmp_path / "old.wt") == {"total_updates": None, "values": 2}
    assert net.block("bias", "hidden").weights[0, 0] == 0 and net.block("bias", "hidden").last_change[0, 0] == 1
    # old text: -values, link count, then the values; '#' lines are comments
    (tmp_path / "old.txt").write_text("# saved long ago\n-1\n9\n" + "\n".join(str(k) for k in range(9)) + "\n")
    assert load_lens_weights(net, tmp_path / "old.txt") == {"total_updates": None, "values": 1}
    assert net.block("hidden", "output").weights[1, 0] == 8


def test_group_order_and_bias_position(tmp_path):
    net = Network("two", seed=0)
    net.add_group("in", 1, kind="INPUT")
    net.add_group("a", 1, kind="OUTPUT")
    net.add_group("b", 1, kind="OUTPUT")
    net.connect("in", "a")
    net.connect("in", "b")
    net.connect_bias()
    default = [g.name for g, _ in link_order(net)]
    assert default == ["a", "b"]
    assert [g.name for g, _ in link_order(net, ["bias", "in", "b", "a"])] == ["b", "a"]
    assert [b.source.name for b in link_order(net)[0][1]] == ["bias", "in"]
    assert [b.source.name for b in link_order(net, bias_first=False)[0][1]] == ["in", "bias"]
    numbered(net)
    p = tmp_path / "w.txt"
    save_lens_weights(net, p, binary=False, group_order=["b", "a", "in", "bias"])
    # blocks: 0 in->a (10), 1 in->b (20), 2 bias->a (30), 3 bias->b (40); b first, bias links first
    assert read_lens_weights(p)["table"][:, 0].tolist() == [40, 20, 30, 10]
    with pytest.raises(PdpError, match="receiving group.*'a'"):
        save_lens_weights(net, p, group_order=["b"])
    with pytest.raises(PdpError, match="no group.*'c'"):
        save_lens_weights(net, p, group_order=["a", "b", "c"])


# ------------------------------------------------------------------ errors
def test_wrong_magic(tmp_path):
    p = tmp_path / "bad.wt"
    p.write_bytes(struct.pack(">Iiii", 0xAAAAAAAA, 9, 1, 0) + bytes(36))
    with pytest.raises(PdpError, match=r"bad\.wt: not a Lens weight file: expected the binary magic number "
                                       r"0x55555556.*starts with bytes aa aa aa aa"):
        load_lens_weights(xor_net(), p)


def test_truncated_binary(tmp_path):
    p = tmp_path / "short.wt"
    p.write_bytes(struct.pack(">Iiii", WEIGHT_COOKIE, 9, 2, 0) + bytes(4 * 7))
    with pytest.raises(PdpError, match=r"short\.wt: truncated at byte 44: expected 88 bytes \(16-byte header "
                                       r"\+ 9 links x 2 value\(s\) x 4 bytes\); the file ends in link 3"):
        load_lens_weights(xor_net(), p)
    p.write_bytes(struct.pack(">Ii", WEIGHT_COOKIE, 9))
    with pytest.raises(PdpError, match=r"truncated at byte 8: .*16-byte header"):
        load_lens_weights(xor_net(), p)


def test_truncated_text(tmp_path):
    p = tmp_path / "short.txt"
    p.write_text("1431655766\n9\n1\n0\n0.1\n0.2\n")
    with pytest.raises(PdpError, match=r"short\.txt, line 6: the file ends after 2 of 9 values"):
        load_lens_weights(xor_net(), p)
    p.write_text("1431655766\n9\n1\n0\n" + "0.5\n" * 4 + "oops\n" + "0.5\n" * 4)
    with pytest.raises(PdpError, match=r"short\.txt, line 9: expected a number \(link 4\), got 'oops'"):
        load_lens_weights(xor_net(), p)


@pytest.mark.parametrize("binary", [True, False])
def test_link_count_mismatch(tmp_path, binary):
    small = Network("small", seed=0)
    small.add_group("input", 2, kind="INPUT")
    small.add_group("output", 1, kind="OUTPUT")
    small.connect("input", "output")
    small.connect_bias()
    p = tmp_path / "small.wt"
    save_lens_weights(small, p, binary=binary)
    with pytest.raises(PdpError, match=r"small\.wt: the file holds 3 links but network 'xor' has 9"):
        load_lens_weights(xor_net(), p)


def test_bad_values_and_other_errors(tmp_path):
    p = tmp_path / "w.wt"
    with pytest.raises(PdpError, match="expected 1, 2 or 3 values per link, got 4"):
        save_lens_weights(xor_net(), p, values=4)
    p.write_bytes(struct.pack(">Iiii", WEIGHT_COOKIE, 9, 5, 0))
    with pytest.raises(PdpError, match=r"byte 8: bad number of values per link \(5\)"):
        load_lens_weights(xor_net(), p)
    p.write_bytes(struct.pack(">Iiii", WEIGHT_COOKIE, 9, 1, 0) + struct.pack(">9f", *[np.nan] * 9))
    with pytest.raises(PdpError, match="link 0 has a non-finite weight"):
        load_lens_weights(xor_net(), p)
    with pytest.raises(PdpError, match="no such file"):
        load_lens_weights(xor_net(), tmp_path / "nope.wt")
    (tmp_path / "empty.wt").write_bytes(b"")
    with pytest.raises(PdpError, match="empty"):
        load_lens_weights(xor_net(), tmp_path / "empty.wt")
    ens = Network("ens", seed=0, ensemble=3)
    ens.add_group("i", 1, kind="INPUT")
    ens.add_group("o", 1, kind="OUTPUT")
    ens.connect("i", "o")
    with pytest.raises(PdpError, match="ensemble"):
        save_lens_weights(ens, p)


def test_failed_save_leaves_old_file(tmp_path):
    p = tmp_path / "w.wt"
    p.write_bytes(b"old")
    net = xor_net()
    net.block("input", "hidden").weights[0, 0] = 1e300
    with pytest.raises(PdpError, match="too large"):
        save_lens_weights(net, p)
    assert p.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [p]


def test_trained_weights_survive_a_lens_round_trip(tmp_path):
    from pdpsim.datasets.classic import generate
    from pdpsim.training.testing import test as run_test
    from pdpsim.training.loop import train
    net = xor_net(seed=0)
    xs = generate("xor")
    train(net, xs, algorithm="momentum", learning_rate=0.5, momentum=0.9, max_epochs=300)
    before = run_test(net, xs).total_error
    save_lens_weights(net, tmp_path / "t.txt", binary=False, values=2)
    fresh = xor_net(seed=5)
    load_lens_weights(fresh, tmp_path / "t.txt")
    assert run_test(fresh, xs).total_error == pytest.approx(before, abs=1e-12)
