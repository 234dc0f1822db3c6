"""A page kept around the blocks each request changes (portal.lib.frames)."""

from portal.lib import frames

PARTS = ("filtres", "table")


def _page(filtres, table, nonce="n0nce"):
    return f'<script nonce="{nonce}"></script><form>{filtres}</form><h1>93</h1>{table}'


def test_each_request_puts_in_its_own_blocks_and_nonce():
    frame = frames.kept(
        ("page", 1), lambda: _page(frames.mark("filtres"), frames.mark("table")), PARTS, "n0nce"
    )
    page = frames.fill(frame, {"filtres": "<input checked>", "table": "<tr>"}, "autre")
    assert page == '<script nonce="autre"></script><form><input checked></form><h1>93</h1><tr>'


def test_a_mark_typed_in_a_block_is_left_as_it_is():
    frame = frames.kept(
        ("page", 2), lambda: _page(frames.mark("filtres"), frames.mark("table")), PARTS, "n0nce"
    )
    hostile = f"Maison {frames.mark('table')} de santé"  # in the block put in first
    page = frames.fill(frame, {"filtres": hostile, "table": "<tr>"}, "n")
    assert f"<form>{hostile}</form>" in page and page.count("<tr>") == 1


def test_a_page_where_a_mark_is_not_alone_is_not_kept():
    """A name shown around the blocks with a mark's text in it: the page is rendered whole."""
    filtres, table = frames.mark("filtres"), frames.mark("table")
    for key, around in [(3, table * 2), (4, table + "\x00x"), (5, "")]:
        assert frames.kept(("page", key), lambda a=around: _page(filtres, a), PARTS, "n") is None
