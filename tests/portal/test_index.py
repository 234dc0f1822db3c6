"""portal.lib.index.RebuiltIndex: the per-process value behind the locator and the zones index."""

import threading
import time

from portal.lib.index import RebuiltIndex


class Source:
    """A build that counts its calls and a version the test moves by hand."""

    def __init__(self):
        self.version = 1
        self.builds = 0
        self.version_reads = 0

    def build(self):
        self.builds += 1
        return ("value", self.builds)

    def read_version(self):
        self.version_reads += 1
        return self.version


def make(settings, seconds):
    settings.TEST_INDEX_RECHECK_SECONDS = seconds
    source = Source()
    return source, RebuiltIndex(
        source.build, source.read_version, recheck_setting="TEST_INDEX_RECHECK_SECONDS"
    )


def test_built_once_then_kept(settings):
    source, index = make(settings, None)
    assert not index.built
    assert index.get() is index.get()
    assert source.builds == 1 and index.built


def test_drop_rebuilds_and_moves_the_generation(settings):
    source, index = make(settings, None)
    first = index.get()
    before = index.generation
    index.drop(sender=object(), instance=None)  # called as a signal receiver
    assert index.generation == before + 1 and not index.built
    assert index.get() != first and source.builds == 2


def test_version_asked_at_most_every_n_seconds(settings, monkeypatch):
    source, index = make(settings, 30)
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    index.get()
    reads = source.version_reads
    source.version = 2  # another process changed the data
    now[0] += 10
    assert index.get() == ("value", 1) and source.version_reads == reads
    now[0] += 25
    assert index.get() == ("value", 2)
    now[0] += 31
    index.get()  # same version: kept
    assert source.builds == 2


def test_no_recheck_when_the_setting_is_none(settings, monkeypatch):
    source, index = make(settings, None)
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    index.get()
    source.version = 2
    now[0] += 10_000
    index.get()
    assert source.builds == 1


def test_a_drop_during_the_build_is_not_lost(settings):
    settings.TEST_INDEX_RECHECK_SECONDS = None
    builds = []

    def build():
        builds.append(1)
        if len(builds) == 1:
            index.drop()  # the data changed while the first build was reading it
        return len(builds)

    index = RebuiltIndex(build, lambda: 1, recheck_setting="TEST_INDEX_RECHECK_SECONDS")
    assert index.get() == 1
    assert not index.built
    assert index.get() == 2 and index.built


def test_threads_share_one_build(settings):
    settings.TEST_INDEX_RECHECK_SECONDS = None
    started = threading.Event()
    builds = []

    def build():
        builds.append(1)
        started.set()
        time.sleep(0.05)
        return object()

    index = RebuiltIndex(build, lambda: 1, recheck_setting="TEST_INDEX_RECHECK_SECONDS")
    results = []
    threads = [threading.Thread(target=lambda: results.append(index.get())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1 and len({id(r) for r in results}) == 1


def test_a_new_data_version_rechecks_at_once(settings, monkeypatch):
    """Another app server's write moves the shared data version: the next request compares
    (not after the 30 s interval), so no answer cached under the new version comes from the
    old index; the writer's published stamp spares the readers the query."""
    from portal.lib import dataversion
    from portal.lib import index as index_module

    settings.TEST_INDEX_RECHECK_SECONDS = 30
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    token = ["v1"]
    monkeypatch.setattr(dataversion, "current", lambda: token[0])
    source = Source()
    index = RebuiltIndex(
        source.build, source.read_version, recheck_setting="TEST_INDEX_RECHECK_SECONDS",
        name=f"test-{id(source)}",
    )  # fmt: skip
    monkeypatch.setattr(dataversion, "_publish_hooks", [index._publish_stamp])
    index_module.forget_token()  # a new request
    assert index.get() == ("value", 1)

    source.version, token[0] = 2, "v2"  # written by another process, not yet published here
    index_module.forget_token()  # a new request
    assert index.get() == ("value", 2)  # asked the database: its stamp moved

    token[0] = "v3"
    index_module.cache.clear()
    for hook in dataversion._publish_hooks:  # the writer publishes v3 with its stamp
        hook("v3")
    reads = source.version_reads
    index_module.forget_token()  # a new request
    index.get()
    index.get()
    assert source.version_reads == reads  # the writer read it; this reader asks nothing
    assert source.builds == 2  # same stamp under v3: kept
