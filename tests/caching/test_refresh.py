"""One reader at a time (content/caching/refresh.py)."""

from content.caching.refresh import Refresh


def test_one_request_reads_a_key_again_while_the_others_are_told_it_is_being_read():
    refresh = Refresh()

    with refresh.reading("version") as first:
        with refresh.reading("version") as second, refresh.reading("key") as other:
            pass
        with refresh.reading("version") as third:
            pass
    with refresh.reading("version") as after:
        pass

    assert (first, second, other, third, after) == (True, False, True, False, True)


def test_a_reader_that_fails_lets_the_next_one_read():
    refresh = Refresh()

    try:
        with refresh.reading("version") as first:
            raise ConnectionError("the database went away")
    except ConnectionError:
        pass
    with refresh.reading("version") as next_one:
        pass

    assert (first, next_one) == (True, True)
