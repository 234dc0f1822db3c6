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
